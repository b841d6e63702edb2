"""Fault test: restart PostgreSQL while mentors are logging contacts.

    .venv/bin/python loadtest/db_restart.py

Builds a scratch database (`waymark_fault`) with the demo data, serves it with gunicorn on
127.0.0.1, and runs a writer that logs contacts (each with a unique marker) and a prober on
/healthz. Mid-run it stops PostgreSQL for a few seconds and starts it again. It then checks:
the app answered errors (not hangs) while the database was down, recovered by itself, and
every contact it acknowledged is stored. Exits non-zero if any acknowledged write is lost or
the app did not recover. Only loopback traffic; every loop is bounded in count and time.
"""

import os
import re
import subprocess
import sys
import threading
import time
import uuid
from datetime import date
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("FAULT_PORT", "8301"))
BASE = f"http://127.0.0.1:{PORT}"
SERVER = "postgres://postgres@127.0.0.1:5432"
DB = os.environ.get("FAULT_DATABASE", "waymark_fault")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="submission_token" value="([^"]+)"')
RUN = uuid.uuid4().hex[:8]
MAX_SECONDS = 60


def psql(database, sql):
    return subprocess.run(["psql", "-qtA", f"{SERVER}/{database}", "-c", sql], check=True, capture_output=True, text=True).stdout.strip()


def pg(action):
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action, *(["-m", "fast"] if action == "stop" else [])], check=True)


def main():
    psql("postgres", f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    psql("postgres", f'CREATE DATABASE "{DB}"')
    env = {**os.environ, "DATABASE_URL": f"{SERVER}/{DB}", "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1",
           "SECRET_KEY": "fault-test-only-secret-key-0123456789-abcdefghijklmnop", "SECURE_SSL_REDIRECT": "false",
           "SECURE_COOKIES": "false", "LOG_LEVEL": "CRITICAL"}
    manage = [sys.executable, "manage.py"]
    for step in (["migrate", "--noinput", "-v0"], ["seed_demo"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(manage + step, cwd=ROOT, env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-c", "gunicorn.conf.py", "mentoring.wsgi"],
        cwd=ROOT, env={**env, "GUNICORN_BIND": f"127.0.0.1:{PORT}", "GUNICORN_ACCESS_LOG": "/dev/null"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        return run_scenario()
    finally:
        server.terminate()
        server.wait(timeout=30)


def run_scenario():
    for _ in range(100):
        try:
            if requests.get(f"{BASE}/healthz", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.2)
    session = requests.Session()
    token = CSRF.search(session.get(f"{BASE}/accounts/login/").text).group(1)
    session.post(f"{BASE}/accounts/login/", {"login": "mentor", "password": "waymark-demo-2026", "csrfmiddlewaretoken": token},
                 headers={"Referer": f"{BASE}/accounts/login/"})
    case_id = re.search(r"/contacts/case/(\d+)/log/", session.get(f"{BASE}/").text).group(1)
    url = f"{BASE}/contacts/case/{case_id}/log/"

    acknowledged, failed, health = [], [], []
    stop = threading.Event()
    started = time.monotonic()

    def writer():
        n = 0
        while not stop.is_set() and time.monotonic() - started < MAX_SECONDS:
            n += 1
            marker = f"fault-{RUN}-{n}"
            try:
                form = session.get(url, timeout=10)
                token = CSRF.search(form.text).group(1) if form.status_code == 200 else None
                if token is None:
                    failed.append((time.monotonic() - started, form.status_code))
                    time.sleep(0.2)
                    continue
                # Every contact is at 11:00 on one case: "save this one as well" is ticked.
                response = session.post(url, {
                    "csrfmiddlewaretoken": token, "date": date.today().isoformat(), "start_time": "11:00",
                    "duration_minutes": "30", "mode": "phone", "attendance": "attended", "notes": marker,
                    "submission_token": FORM_TOKEN.search(form.text).group(1), "save_anyway": "on",
                }, headers={"Referer": url}, timeout=10, allow_redirects=False)
                if response.status_code == 302 and "/log/" not in response.headers.get("Location", ""):
                    acknowledged.append(marker)
                else:
                    failed.append((time.monotonic() - started, response.status_code))
            except requests.RequestException as exc:
                failed.append((time.monotonic() - started, type(exc).__name__))
            time.sleep(0.05)

    def prober():
        while not stop.is_set() and time.monotonic() - started < MAX_SECONDS:
            try:
                status = requests.get(f"{BASE}/healthz", timeout=5).status_code
            except requests.RequestException as exc:
                status = type(exc).__name__
            health.append((time.monotonic() - started, status))
            time.sleep(0.25)

    threads = [threading.Thread(target=writer), threading.Thread(target=prober)]
    for thread in threads:
        thread.start()
    time.sleep(8)
    pg("stop")  # returns once the server has stopped
    down_at = time.monotonic() - started
    time.sleep(6)
    starting_at = time.monotonic() - started
    pg("start")
    up_at = time.monotonic() - started
    time.sleep(12)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    # RUN is our own hex token, not user input.
    stored = set(psql(DB, f"SELECT notes FROM contacts_contact WHERE notes LIKE 'fault-{RUN}-%'").split())  # noqa: S608
    lost = [m for m in acknowledged if m not in stored]
    during = [s for t, s in health if down_at < t < starting_at]
    recovered = next((t for t, s in health if t > up_at and s == 200), None)
    print(f"Writes acknowledged: {len(acknowledged)}; stored: {len(stored & set(acknowledged))}; lost: {len(lost)}; "
          f"refused or failed (not acknowledged): {len(failed)}")
    print(f"Database down from {down_at:.1f} s to {up_at:.1f} s; /healthz meanwhile: "
          f"{sorted({str(s) for s in during})} over {len(during)} probes")
    print(f"First healthy answer after restart: {'never' if recovered is None else f'{recovered - up_at:.1f} s after the database was back'}")
    ok = not lost and recovered is not None and during and all(s != 200 for s in during) and acknowledged
    print("RESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
