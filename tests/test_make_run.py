"""`make run` on a fresh machine: the embedded SQLite default, demo data, a real sign-in.

This starts the development server the way `make run` does (migrate, seed_demo, runserver,
no DATABASE_URL) and signs a demo mentor in through the login form in real Chromium.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def demo_server(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", DEBUG="true")
    manage = [sys.executable, str(ROOT / "manage.py")]
    for step in (["migrate", "--noinput"], ["seed_demo"]):
        result = subprocess.run(manage + step, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
    assert "Demo sign-ins" in result.stdout
    port = _free_port()
    server = subprocess.Popen(
        manage + ["runserver", f"127.0.0.1:{port}", "--noreload"], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310 - loopback only
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("The development server did not start.")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.mark.browser
def test_make_run_serves_the_sign_in_page_and_a_demo_mentor_signs_in(demo_server, page):
    page.goto(f"{demo_server}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Username or email").fill("mentor")
    page.get_by_label("Password").fill("waymark-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{demo_server}/")
    assert "Hello, Jess" in page.inner_text("h1")
    page.screenshot(path=str(ROOT / "test-artifacts" / "make-run-home.png"))
