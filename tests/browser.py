"""Helpers for browser tests in real Chromium (pytest-playwright against `live_server`)."""

import json
from pathlib import Path

from django.conf import settings as django_settings

ROOT = Path(__file__).resolve().parent.parent
AXE = (ROOT / "tests" / "vendor" / "axe.min.js").read_text()
SHOTS = ROOT / "test-artifacts" / "screenshots"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def sign_in_as(page, live_server, user):
    """Put a signed-in session cookie for `user` into the browser (no login form)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core in the page; return the violations of the given impacts."""
    # Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) still holds.
    page.evaluate(AXE)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in impacts]


def assert_accessible(page):
    violations = axe_violations(page)
    assert not violations, json.dumps(
        [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:5]]} for v in violations],
        indent=1,
    )
