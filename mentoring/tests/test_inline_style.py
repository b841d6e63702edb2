"""No template carries an inline style: the Content-Security-Policy allows style only from our own
static files (style-src 'self', no 'unsafe-inline'), so an inline style would simply not apply."""

import re

from django.conf import settings

INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)


def test_no_template_carries_an_inline_style():
    templates = settings.BASE_DIR / "templates"
    found = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()}"
        for path in sorted(templates.rglob("*"))
        if path.is_file() and path.suffix in {".html", ".txt", ".xml", ".svg"}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if INLINE_STYLE.search(line)
    ]
    assert len(list(templates.rglob("*.html"))) > 50  # the scan sees the templates
    assert found == [], "\n".join(found)


def test_the_policy_allows_style_only_from_our_own_origin(client, mentor_user):
    client.force_login(mentor_user)
    csp = client.get("/")["Content-Security-Policy"]
    style_src = re.search(r"style-src ([^;]*)", csp).group(1)
    assert style_src.strip() == "'self'"
