"""Time the load test's pages one by one on the bench database, with their queries.

For finding what to make faster before a load run: each page is fetched a few times as a
load-test user, and the slowest queries of the last fetch are printed.
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/waymark_bench .venv/bin/python loadtest/profile_pages.py [-v]
"""

import argparse
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "profile-only-secret-key-0123456789-abcdefghijklmnop")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def fetch(client, method, url, data=None, repeat=3):
    best = None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.post(url, data) if method == "POST" else client.get(url)
            elapsed = (time.perf_counter() - start) * 1000
        if best is None or elapsed < best[0]:
            best = (elapsed, response, list(queries.captured_queries))
    return best


def report(name, result, verbose):
    elapsed, response, queries = result
    sql_ms = sum(float(q["time"]) for q in queries) * 1000
    print(f"{name:32} {response.status_code} {elapsed:7.0f} ms  {len(queries):3} queries  {sql_ms:6.0f} ms SQL")
    if verbose:
        for query in sorted(queries, key=lambda q: -float(q["time"]))[:5]:
            print(f"    {float(query['time']) * 1000:7.1f} ms  {query['sql'][:400]}")
    return response


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--mentor", default="loadmentor1")
    parser.add_argument("--lead", default="loadlead1")
    args = parser.parse_args()
    connection.force_debug_cursor = True
    User = get_user_model()

    mentor = Client()
    mentor.force_login(User.objects.get(username=args.mentor))
    home = report("mentor home", fetch(mentor, "GET", "/"), args.verbose)
    text = home.content.decode()
    client_id = re.findall(r"/clients/(\d+)/", text)[0]
    case_id = re.findall(r"/contacts/case/(\d+)/log/", text)[0]
    report("client page", fetch(mentor, "GET", f"/clients/{client_id}/"), args.verbose)
    form = report("log a contact (form)", fetch(mentor, "GET", f"/contacts/case/{case_id}/log/"), args.verbose)
    del form
    data = {"date": time.strftime("%Y-%m-%d"), "start_time": "10:30", "duration_minutes": "45",
            "mode": "face_to_face", "attendance": "attended", "location": "cafe", "notes": "Profile session.",
            "save_anyway": "on"}
    report("log a contact (save)", fetch(mentor, "POST", f"/contacts/case/{case_id}/log/", data, repeat=1), args.verbose)

    lead = Client()
    lead.force_login(User.objects.get(username=args.lead))
    report("lead home", fetch(lead, "GET", "/"), args.verbose)
    report("client list", fetch(lead, "GET", "/clients/?page=7"), args.verbose)
    report("referral queue", fetch(lead, "GET", "/referrals/"), args.verbose)
    report("report", fetch(lead, "GET", "/reports/", repeat=1), args.verbose)


if __name__ == "__main__":
    main()
