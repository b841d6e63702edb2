import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
def test_pages_send_security_headers(client, mentor_user):
    client.force_login(mentor_user)
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert script_src.strip() == "'self'"
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_pages_have_no_inline_scripts_and_load_nothing_from_other_sites(client, mentor_user):
    client.force_login(mentor_user)
    html = client.get(reverse("home")).content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts, "the page should load its scripts"
    assert all('src="/static/' in attrs for attrs in scripts)
    assert "https://" not in "".join(re.findall(r'(?:src|href)="([^"]*)"', html))


@pytest.mark.django_db
def test_sign_in_without_a_csrf_token_is_refused(mentor_user):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": "alice", "password": "whatever"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_sign_out_needs_a_post_with_a_csrf_token(mentor_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(mentor_user)
    assert client.post(reverse("account_logout")).status_code == 403
    assert client.get(reverse("home")).status_code == 200  # still signed in


def test_production_settings_use_hsts_and_secure_cookies(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "production-secret-key-with-enough-entropy-0123456789-abcdef",
        "ALLOWED_HOSTS": "waymark.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
    }
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'hsts': s.SECURE_HSTS_SECONDS, 'session': s.SESSION_COOKIE_SECURE, 'csrf': s.CSRF_COOKIE_SECURE,"
        "'httponly': s.SESSION_COOKIE_HTTPONLY, 'ssl': s.SECURE_SSL_REDIRECT}))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=settings.BASE_DIR, env=env,
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {"hsts": 31536000, "session": True, "csrf": True, "httponly": True, "ssl": True}


def test_static_files_collect_for_production(tmp_path):
    """collectstatic with WhiteNoise's manifest storage (DEBUG off) finds every referenced file."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "false",
        "SECRET_KEY": "production-secret-key-with-enough-entropy-0123456789-abcdef",
        "ALLOWED_HOSTS": "waymark.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
    }
    code = (
        "from django.conf import settings; settings.STATIC_ROOT = r'%s';"
        "from django.core.management import call_command; call_command('collectstatic', '--noinput', verbosity=0)"
    ) % (tmp_path / "static")
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=settings.BASE_DIR, env=env,
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "static" / "staticfiles.json").exists()


def test_csv_cells_are_spreadsheet_safe_but_numbers_stay_numbers():
    from decimal import Decimal

    from mentoring.utils import spreadsheet_safe

    assert spreadsheet_safe("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe(-1380) == -1380  # an estimated cost avoided may be negative
    assert spreadsheet_safe(Decimal("-12.50")) == Decimal("-12.50")
    assert spreadsheet_safe("Job search") == "Job search"


def test_the_gunicorn_access_log_leaves_out_query_strings_and_referrers(monkeypatch):
    """A client search puts a name or date of birth in the query string; system logs are
    outside the audit trail, retention and erasure."""
    import runpy
    from pathlib import Path

    monkeypatch.delenv("GUNICORN_ACCESS_LOG", raising=False)
    config = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    log_format = config["access_log_format"]
    assert "%(U)s" in log_format  # the path
    for field in ("%(r)s", "%(q)s", "%(f)s", "%(a)s"):  # request line, query, referrer, user agent
        assert field not in log_format
    assert config["worker_class"] == "gthread" and config["keepalive"] > 15
