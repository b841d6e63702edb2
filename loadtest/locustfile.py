"""Headless load test: mentors and leads using Waymark the way they do in a working day.

Mentors open their caseload, a client's page and log contacts; leads open their home, the
client list, the referral queue and now and then the report. Run through loadtest/run.sh.
"""

import csv
import os
import random
import re
from datetime import date

from locust import HttpUser, between, events, task

PASSWORD = "load-test-password-2026"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="submission_token" value="([^"]+)"')


# Every request's time, for percentiles over all pages together (loadtest/summary.py).
TIMES_FILE = os.environ.get("LOAD_TIMES_FILE")
TIMES = []


@events.request.add_listener
def remember(request_type, name, response_time, exception, **kwargs):
    TIMES.append((name, round(response_time, 1), 0 if exception is None else 1))


@events.quitting.add_listener
def write_times(environment, **kwargs):
    if TIMES_FILE:
        with open(TIMES_FILE, "w", newline="") as handle:
            csv.writer(handle).writerows([("name", "ms", "failed"), *TIMES])


# Seconds a person spends on a page before the next action ("min,max"). The default 5-15 s is
# a brisk working pace (reading a client's page, typing a note takes longer); LOAD_WAIT=1,3 is
# a stress pace that finds the machine's capacity.
WAIT = [float(x) for x in os.environ.get("LOAD_WAIT", "5,15").split(",")]


class SignedIn(HttpUser):
    abstract = True
    wait_time = between(*WAIT)
    prefix = ""
    role = ""
    count = 0

    def on_start(self):
        type(self).count += 1
        self.username = f"{self.prefix}{(type(self).count - 1) % self.pool + 1}"
        page = self.client.get("/accounts/login/", name="sign in form")
        token = CSRF.search(page.text).group(1)
        response = self.client.post(
            "/accounts/login/", {"login": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"}, name=f"sign in ({self.role}, then home)",
        )
        if "/accounts/login/" in response.url:
            raise RuntimeError(f"{self.username} could not sign in")


class Mentor(SignedIn):
    weight = 4
    prefix = "loadmentor"
    role = "mentor"
    pool = 40

    def on_start(self):
        super().on_start()
        home = self.client.get("/", name="mentor home (caseload)")
        self.case_ids = re.findall(r"/contacts/case/(\d+)/log/", home.text)
        self.client_ids = re.findall(r"/clients/(\d+)/", home.text)

    @task(4)
    def caseload(self):
        self.client.get("/", name="mentor home (caseload)")

    @task(3)
    def client_page(self):
        if self.client_ids:
            self.client.get(f"/clients/{random.choice(self.client_ids)}/", name="client page")

    @task(2)
    def log_contact(self):
        if not self.case_ids:
            return
        url = f"/contacts/case/{random.choice(self.case_ids)}/log/"
        form = self.client.get(url, name="log a contact (form)")
        token = CSRF.search(form.text).group(1)
        # Many simulated sessions share a case and the time 10:30: "save this one as well" is ticked.
        with self.client.post(
            url,
            {"csrfmiddlewaretoken": token, "date": date.today().isoformat(), "start_time": "10:30",
             "duration_minutes": "45", "mode": "face_to_face", "attendance": "attended", "location": "cafe",
             "notes": "Load test session.", "submission_token": FORM_TOKEN.search(form.text).group(1),
             "save_anyway": "on"},
            headers={"Referer": f"{self.host}{url}"}, name="log a contact (save)", catch_response=True,
        ) as response:
            if response.url.endswith(url):
                response.failure("the contact form was not accepted")


class Lead(SignedIn):
    weight = 1
    prefix = "loadlead"
    role = "lead"
    pool = 10

    @task(3)
    def home(self):
        self.client.get("/", name="lead home")

    @task(3)
    def client_list(self):
        self.client.get(f"/clients/?page={random.randint(1, 20)}", name="client list")

    @task(2)
    def referral_queue(self):
        self.client.get("/referrals/", name="referral queue")

    @task(1)
    def report(self):
        self.client.get("/reports/", name="report (excluded from the page target)")
