"""No personal pages in a shared browser's cache, no server banner (issue 23, point 8)."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def assert_not_stored(response):
    assert "no-store" in response.get("Cache-Control", ""), response.get("Cache-Control")
    assert response["Pragma"] == "no-cache"


@pytest.mark.django_db
def test_a_signed_in_page_is_not_stored_by_the_browser(client, mentor_user):
    client.force_login(mentor_user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert_not_stored(response)
    assert "Server" not in response


@pytest.mark.django_db
def test_csv_and_pdf_downloads_are_not_stored(client, lead):
    client.force_login(lead)
    for name in ("reports:report_csv", "reports:report_pdf"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert response["Content-Disposition"].startswith("attachment"), name
        assert_not_stored(response)


@pytest.mark.django_db
def test_static_files_stay_cacheable_for_everyone(client, settings, mentor_user):
    settings.WHITENOISE_USE_FINDERS = True
    response = client.get("/static/css/waymark.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    client.force_login(mentor_user)
    assert "no-store" not in client.get("/static/css/waymark.css").get("Cache-Control", "")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _headers(port, path):
    """The response headers, without following redirects (with DEBUG off, a page redirects to HTTPS)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, response.headers
    finally:
        connection.close()


def test_gunicorn_sends_no_server_banner(tmp_path):
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "false", "SECRET_KEY": "production-secret-key-with-enough-entropy-0123456789-abcdef",
        "ALLOWED_HOSTS": "127.0.0.1", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "1",
        "GUNICORN_ACCESS_LOG": "/dev/null", "GUNICORN_ERROR_LOG": str(tmp_path / "error.log"),
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py", "mentoring.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(150):
            try:
                status, headers = _headers(port, "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not answer: " + (tmp_path / "error.log").read_text())
        assert status == 200
        redirect_status, redirect_headers = _headers(port, "/clients/")
        assert redirect_status == 301  # to HTTPS: another path through Django
        for answer in (headers, redirect_headers):
            assert answer.get("Server") is None, answer.get("Server")
            assert answer.get("Date")  # gunicorn's other default headers are still sent
    finally:
        server.terminate()
        server.wait(timeout=20)
