"""`manage.py make_import_sample DIR --contacts N`: a synthetic import set for load tests.

Fictional, deterministic (random.Random(42)) files in the format of docs/import.md: one programme,
mentors, clients with a referral and a case each, and N contact rows spread over the cases.
"""

import csv
import os
import random
from datetime import date, timedelta

from django.core.management.base import BaseCommand

MODES = ["face_to_face", "face_to_face", "phone", "video", "message", "group"]
ATTENDANCE = ["attended", "attended", "attended", "did_not_attend", "cancelled_by_client", "cancelled_by_service"]
LOCATIONS = ["office", "community_venue", "cafe", "home_visit", "custody", "online", ""]
ACTIVITIES = ["goal_setting", "action_planning", "cv_building", "job_search", "housing", "benefits_finance",
              "health_wellbeing", "emotional_support", "positive_activities", "accompanying"]
FIRST = ["Ash", "Bel", "Cal", "Dee", "Eli", "Fin", "Gus", "Hal", "Ivo", "Jem", "Kai", "Lux", "Mo", "Nye", "Oz", "Pip"]
LAST = ["Amberlee", "Brackwater", "Cindermoor", "Dunwhistle", "Elderholt", "Fernwick", "Gorseby", "Hollowmere"]

class Command(BaseCommand):
    help = "Write a synthetic, fictional import set (programmes, mentors, clients, referrals, cases, contacts) to DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--contacts", type=int, default=1_000_000, help="Contact rows to write (default 1,000,000).")
        parser.add_argument("--per-case", type=int, default=50, help="Contacts per case on average (default 50).")

    def handle(self, directory, contacts, per_case, **options):
        rng = random.Random(42)
        os.makedirs(directory, exist_ok=True)
        cases = max(1, contacts // per_case)
        mentors = max(1, cases // 20)
        start = date(2021, 1, 1)

        def writer(name, header):
            handle = open(os.path.join(directory, name), "w", newline="", encoding="utf-8")
            out = csv.writer(handle)
            out.writerow(header)
            return handle, out

        handle, out = writer("programmes.csv", ["code", "name", "funder", "starts_on", "target_clients"])
        out.writerow(["load", "Load test project", "Imaginary Trust", start.isoformat(), cases])
        handle.close()

        handle, out = writer("mentors.csv", ["mentor_ref", "first_name", "last_name", "mentor_type", "programmes"])
        for m in range(mentors):
            out.writerow([f"LM{m:05d}", rng.choice(FIRST), rng.choice(LAST), rng.choice(["paid", "volunteer", "peer"]), "load"])
        handle.close()

        case_starts = []
        clients_handle, clients = writer("clients.csv", ["client_ref", "first_name", "last_name", "date_of_birth", "gender", "risk_to_others", "risk_level"])
        referrals_handle, referrals = writer("referrals.csv", ["referral_ref", "client_ref", "programme", "received_on", "source", "decision", "decided_on"])
        cases_handle, cases_out = writer("cases.csv", ["case_ref", "client_ref", "programme", "referral_ref", "started_on", "ended_on", "closure_reason", "mentor_ref"])
        for c in range(cases):
            received = start + timedelta(days=rng.randrange(900))
            started = received + timedelta(days=rng.randrange(1, 15))
            ended = started + timedelta(days=rng.randrange(60, 400)) if rng.random() < 0.6 else None
            dob = date(1970, 1, 1) + timedelta(days=rng.randrange(12000))
            clients.writerow([f"LC{c:06d}", rng.choice(FIRST), rng.choice(LAST), dob.isoformat(), rng.choice(["female", "male", "not_known"]),
                              rng.choice(["yes", "no", ""]), rng.choice(["low", "medium", "high"])])
            referrals.writerow([f"LR{c:06d}", f"LC{c:06d}", "load", received.isoformat(), rng.choice(["probation", "iom", "self"]),
                                "accepted", started.isoformat()])
            cases_out.writerow([f"LK{c:06d}", f"LC{c:06d}", "load", f"LR{c:06d}", started.isoformat(),
                                ended.isoformat() if ended else "", "completed" if ended else "", f"LM{rng.randrange(mentors):05d}"])
            case_starts.append(started)
        for h in (clients_handle, referrals_handle, cases_handle):
            h.close()

        handle, out = writer("contacts.csv", ["case_ref", "date", "mentor_ref", "mode", "attendance", "duration_minutes", "location", "activities", "notes"])
        for n in range(contacts):
            c = rng.randrange(cases)
            day = case_starts[c] + timedelta(days=rng.randrange(365))
            activities = ";".join(rng.sample(ACTIVITIES, rng.randrange(0, 3)))
            out.writerow([f"LK{c:06d}", day.isoformat(), f"LM{rng.randrange(mentors):05d}", rng.choice(MODES), rng.choice(ATTENDANCE),
                          rng.choice([15, 30, 45, 60, 90]), rng.choice(LOCATIONS), activities, f"Session {n}" if rng.random() < 0.3 else ""])
        handle.close()
        self.stdout.write(f"Wrote {cases:,} clients, referrals and cases, {mentors:,} mentors and {contacts:,} contacts to {directory}.")
