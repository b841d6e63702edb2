"""Give the load test its sign-ins on the bench database (or any database with cases).

Links `loadmentor1..N` accounts to the mentors with the most current cases, and makes
`loadlead1..M` project leads of every programme. Run with DATABASE_URL set:
    .venv/bin/python loadtest/prepare.py [--mentors 40] [--leads 10]
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import transaction  # noqa: E402

from clients.models import Case  # noqa: E402
from mentoring.models import Programme, ProgrammeMembership, Role  # noqa: E402
from mentors.models import Allocation, Mentor  # noqa: E402

PASSWORD = "load-test-password-2026"


def staff_the_open_cases(per_mentor=10):
    """The bench data has cases but no mentors: give every open case a lead mentor."""
    if Allocation.objects.exists():
        return 0
    open_cases = list(Case.objects.open().values_list("pk", "programme_id", "started_on").order_by("pk"))
    count = max(1, len(open_cases) // per_mentor)
    mentors = Mentor.objects.bulk_create(
        Mentor(mentor_ref=f"LOAD{n}", first_name="Load", last_name=f"Mentor {n}", mentor_type=Mentor.Type.PAID,
               max_caseload=per_mentor + 2, references_received=True)
        for n in range(1, count + 1)
    )
    Through = Mentor.programmes.through
    programme_ids = list(Programme.objects.values_list("pk", flat=True))
    Through.objects.bulk_create(
        Through(mentor_id=m.pk, programme_id=p) for m in mentors for p in programme_ids
    )
    Allocation.objects.bulk_create(
        (Allocation(case_id=pk, mentor=mentors[i % count], role=Allocation.Role.LEAD, started_on=started)
         for i, (pk, _programme, started) in enumerate(open_cases)),
        batch_size=5000,
    )
    return len(open_cases)


@transaction.atomic
def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentors", type=int, default=40)
    parser.add_argument("--leads", type=int, default=10)
    args = parser.parse_args()
    staffed = staff_the_open_cases()
    if staffed:
        print(f"Gave {staffed} open cases a lead mentor.")
    User = get_user_model()
    password = make_password(PASSWORD)
    mentor_group, lead_group = Group.objects.get(name="Mentor"), Group.objects.get(name="Project lead")
    busiest = Mentor.objects.with_caseload().filter(caseload__gt=0).order_by("-caseload", "pk")
    linked = 0
    for number, mentor in enumerate(busiest[: args.mentors], start=1):
        user, _ = User.objects.update_or_create(username=f"loadmentor{number}", defaults={"password": password})
        user.groups.add(mentor_group)
        Mentor.objects.filter(user=user).exclude(pk=mentor.pk).update(user=None)
        if mentor.user_id != user.pk:
            mentor.user = user
            mentor.save(update_fields=["user"])
        linked += 1
    # Each lead leads one programme, as in a real organisation.
    programmes = list(Programme.objects.order_by("pk"))
    for number in range(1, args.leads + 1):
        user, _ = User.objects.update_or_create(username=f"loadlead{number}", defaults={"password": password})
        user.groups.add(lead_group)
        ProgrammeMembership.objects.filter(user=user).delete()
        ProgrammeMembership.objects.create(user=user, programme=programmes[(number - 1) % len(programmes)], role=Role.LEAD)
    print(f"Load-test sign-ins ready: {linked} mentors, {args.leads} leads over {len(programmes)} programmes.")


if __name__ == "__main__":
    main()
    # Freshly bulk-loaded rows: give the planner real statistics, as autovacuum would.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
