"""Demo contact histories: a few hundred contacts with DNAs, phone and message contacts,
group sessions, support spend and goals, on the demo cases the mentors seed allocated.

Jess (the `mentor` demo user) gets recent contacts so her home page looks alive, with one
client quiet for 17 days, one follow-up two days overdue and one goal past its target date.
"""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

MAX_CONTACTS_PER_CASE = 12
# Each note agrees with how the contact happened: a phone call never "went for a coffee".
NOTES = {
    "face_to_face": [
        "Met outside the probation office and went for a coffee. Talked about the week and what is coming up.",
        "Went through job adverts together; two warehouse roles look worth applying for.",
        "Worked on the CV: added the forklift course and the volunteering at the food bank.",
        "Went with them to the Job Centre appointment; the work coach agreed to fund the CSCS test.",
        "Talked about the argument at home and what helped last time. Agreed a plan for the weekend.",
        "Opened a bank account together; ID letter from the hostel accepted.",
        "Bowling the night before the interview, to take the nerves off. Practised answers on the way.",
    ],
    "phone": [
        "Phoned to check in after the housing appointment. Feeling more settled.",
        "Rang about the interview on Monday; talked through the bus route and what to wear.",
        "Phone call: the benefits letter came. Read it through together and agreed to take it to the drop-in.",
    ],
    "video": [
        "Video call: hard to get into town this week. Caught up on the college application.",
        "Video call to go over the CV on screen; added the food bank volunteering.",
    ],
    "message": [
        "Short text exchange to confirm Thursday.",
        "Messaged to remind them about the Job Centre appointment; they replied to say they will be there.",
    ],
}
NEXT_STEPS = [
    "Bring birth certificate for the ID application.",
    "Send two job applications before we meet.",
    "Call the housing officer about the move-in date.",
    "Book the CSCS test.",
    "Meet at the library to finish the college form.",
]
GROUPS = [
    ("Employability workshop", ["employability", "cv_building"]),
    ("Boxing and mentoring evening", ["positive_activities"]),
    ("Music studio session", ["creative_music", "positive_activities"]),
    ("Money and benefits drop-in", ["benefits_finance"]),
]
GOALS = [
    ("Get my provisional licence so I can drive for work", "education_employment", "Save for the fee; book the theory test."),
    ("Find somewhere of my own to live", "accommodation", "Register with the council; view two rooms a month."),
    ("Stop smoking weed every day", "substance_use", "Cut down to weekends; see the drugs worker."),
    ("Get back in touch with my daughter", "relationships_family", "Write to her mum; ask about contact through the family centre."),
    ("Get a job in construction", "education_employment", "CSCS card; safety boots; two applications a week."),
    ("Open a bank account", "living_skills", "Get ID sorted first."),
    ("Keep out of trouble till my licence ends", "offending", "Stay away from the estate on Friday nights."),
]
SPEND = [
    ("travel", Decimal("8.40"), "Bus fares to the Job Centre"),
    ("travel", Decimal("14.00"), "Taxi to the interview"),
    ("work_clothing", Decimal("42.99"), "Safety boots"),
    ("id_documents", Decimal("15.00"), "Provisional licence application"),
    ("course_fees", Decimal("36.00"), "CSCS test fee"),
    ("food", Decimal("20.00"), "Food voucher on release"),
    ("phone", Decimal("10.00"), "Phone top-up"),
    ("activity", Decimal("12.50"), "Bowling"),
]


def _pick_mode(rng):
    return rng.choices(["face_to_face", "phone", "message", "video"], weights=[62, 22, 9, 7])[0]


def _pick_attendance(rng):
    return rng.choices(["attended", "did_not_attend", "cancelled_by_client", "cancelled_by_service"],
                       weights=[80, 12, 5, 3])[0]


def seed(context):
    from clients.models import Case

    from .models import Activity, Contact

    # Fresh from the database: earlier seeds changed statuses through their own instances.
    cases = list(Case.objects.filter(pk__in=[c.pk for c in context.get("cases") or []]).order_by("started_on", "pk"))
    if not cases or Contact.objects.filter(case__in=cases).exists():
        return
    rng = random.Random(42)
    today = timezone.localdate()
    users = context["users"]
    activities = {a.code: a for a in Activity.objects.all()}
    jess_user = users.get("mentor")

    worked = _worked_allocations(cases, today)
    jess = {c: m for c, m, _, _ in worked if m.user_id == getattr(jess_user, "pk", None) and c.status == Case.Status.ACTIVE}
    jess_cases = list(jess)
    quiet_case = jess_cases[0] if jess_cases else None
    overdue_case = jess_cases[1] if len(jess_cases) > 1 else None

    # Group sessions first (they are older), so later one-to-ones close their follow-ups.
    _seed_group_sessions(rng, today, context["programmes"], worked, activities, users.get("lead"), quiet_case)
    _seed_contacts(rng, today, worked, activities, jess_cases, quiet_case)
    if overdue_case is not None:
        _seed_overdue_follow_up(today, overdue_case, jess[overdue_case], jess_user, activities)
    _seed_goals(rng, today, worked, jess_cases)
    _seed_support_spend(rng, worked)
    _seed_appointments(today, jess, jess_user)
    context["contacts"] = list(Contact.objects.filter(case__in=cases).values_list("pk", flat=True))


def _worked_allocations(cases, today):
    """Which allocation (case, mentor, from, to) each case was worked under."""
    worked = []
    for case in cases:
        allocation = case.allocations.select_related("mentor").order_by("started_on", "pk").first()
        if allocation is None:
            continue
        end = min(case.ended_on or today, allocation.ended_on or today, today)
        current = case.allocations.current(today).leads().select_related("mentor").first()
        mentor = current.mentor if current else allocation.mentor
        worked.append((case, mentor, allocation.started_on, end))
    return worked


def _seed_group_sessions(rng, today, programmes, worked, activities, lead, quiet_case):
    from clients.models import Case

    from . import services

    for index, programme in enumerate(programmes[code] for code in sorted(programmes)):
        members = [c for c, m, start, end in worked
                   if c.programme_id == programme.pk and c.status == Case.Status.ACTIVE and c != quiet_case]
        for number, (title, codes) in enumerate(GROUPS):
            on = today - timedelta(days=21 + 28 * number + 7 * index)
            present = [c for c in members if c.started_on <= on]
            if len(present) < 2:
                continue
            services.record_group_session(
                programme=programme, title=title, on=on, start_time=time(18, 0), duration_minutes=120,
                location="community_venue", notes="Good turnout; two asked about the next one.",
                cases=rng.sample(present, min(len(present), rng.randint(3, 6))),
                activities=[activities[code] for code in codes if code in activities], by=lead,
            )


def _contact_days(rng, today, case, start, end, jess_cases, quiet_case):
    """The days a case's one-to-one contacts fall on, and the recent one Jess had (or None)."""
    count = min(MAX_CONTACTS_PER_CASE, max(2, (end - start).days // 9))
    last_day = end - timedelta(days=17) if case == quiet_case else end
    days = sorted({start + timedelta(days=rng.randint(1, max(1, (last_day - start).days))) for _ in range(count)})
    recent = None
    if case in jess_cases:
        # Jess saw her clients this week, except the one who has gone quiet for 17 days.
        recent = today - timedelta(days=17 if case == quiet_case else rng.randint(1, 6))
        days = [d for d in days if d < recent] + [recent]
    return days, recent


def _seed_contacts(rng, today, worked, activities, jess_cases, quiet_case):
    from clients.models import Case

    from .models import Contact

    activity_codes = [code for code in activities if code not in {"other", "custody_visit"}]
    Through = Contact.activities.through
    links = []
    for case, mentor, start, end in worked:
        if (end - start).days < 1:
            continue
        days, recent = _contact_days(rng, today, case, start, end, jess_cases, quiet_case)
        for position, day in enumerate(days):
            day = min(day, today)
            mode = "face_to_face" if day == recent else _pick_mode(rng)
            attendance = "attended" if mode == "message" or day == recent else _pick_attendance(rng)
            is_last = position == len(days) - 1
            follow_up = None
            if rng.random() < 0.35:
                follow_up = day + timedelta(days=rng.choice([3, 5, 7, 10, 14]))
            contact = Contact.objects.create(
                case=case, mentor=mentor, date=day, start_time=time(rng.choice([9, 10, 11, 13, 14, 15, 16, 18]),
                                                                     rng.choice([0, 15, 30, 45])),
                duration_minutes=None if mode == "message" else rng.choice([15, 30, 45, 60, 60, 90]),
                mode=mode, attendance=attendance,
                location={"face_to_face": rng.choice(["cafe", "office", "community_venue", "probation_office",
                                                      "job_centre", "outdoors"]), "video": "online"}.get(mode, ""),
                notes="" if attendance != "attended" else rng.choice(NOTES[mode]),
                next_steps=rng.choice(NEXT_STEPS) if follow_up else "",
                follow_up_on=follow_up,
                # Earlier follow-ups were followed up; the latest one may still be open.
                follow_up_done=bool(follow_up) and (not is_last or follow_up < today - timedelta(days=3)
                                                    or case.status == Case.Status.CLOSED),
                created_by=mentor.user, created_at=timezone.make_aware(datetime.combine(day, time(20, 0))),
            )
            if attendance == "attended" and mode != "message":
                for code in rng.sample(activity_codes, rng.randint(1, 3)):
                    links.append(Through(contact_id=contact.pk, activity_id=activities[code].pk))
    Through.objects.bulk_create(links)


def _seed_overdue_follow_up(today, case, mentor, jess_user, activities):
    """Jess's overdue follow-up: seen five days ago, agreed to call two days ago."""
    from .models import Contact

    Contact.objects.filter(case=case).update(follow_up_done=True)
    Contact.objects.filter(case=case, date__gt=today - timedelta(days=5)).delete()
    contact = Contact.objects.create(
        case=case, mentor=mentor,
        date=today - timedelta(days=5), start_time=time(11, 0), duration_minutes=45, mode="face_to_face",
        attendance="attended", location="cafe", notes="Coffee after signing on. Worried about the rent arrears.",
        next_steps="Phone the housing officer together about the arrears.", follow_up_on=today - timedelta(days=2),
        created_by=jess_user,
    )
    contact.activities.set([activities["housing"], activities["benefits_finance"]])


def _seed_goals(rng, today, worked, jess_cases):
    """Goals on open cases; one of Jess's is past its target date."""
    from clients.models import Case

    from .models import Goal

    open_worked = [(c, m) for c, m, _, _ in worked if c.status != Case.Status.CLOSED]
    for index, (case, _mentor) in enumerate(open_worked):
        for number in range(1 + index % 3):
            description, area, steps = GOALS[(index + number) % len(GOALS)]
            status = Goal.Status.ACHIEVED if number == 2 else Goal.Status.OPEN
            Goal.objects.create(
                case=case, description=description, area=area, steps=steps, status=status,
                target_on=today + timedelta(days=rng.randint(14, 120)),
                reviewed_on=today - timedelta(days=rng.randint(3, 40)) if status == Goal.Status.ACHIEVED else None,
            )
    if jess_cases:
        Goal.objects.create(case=jess_cases[-1], description="Sort out my ID so I can open a bank account",
                            area="living_skills", steps="Birth certificate; proof of address from the hostel.",
                            target_on=today - timedelta(days=4))


def _seed_support_spend(rng, worked):
    """Support spend: a few items on about half the cases, from the organisation's funding sources."""
    from .models import FundingSource, SupportSpend

    budget = FundingSource.objects.get_or_create(code="programme_budget", defaults={"name": "Programme budget"})[0]
    hardship = FundingSource.objects.get_or_create(code="hardship_fund", defaults={"name": "Hardship fund", "order": 1})[0]
    for case, mentor, start, end in worked[::2]:
        for category, amount, note in rng.sample(SPEND, rng.randint(1, 3)):
            SupportSpend.objects.create(
                case=case, category=category, amount=amount, notes=note, recorded_by=mentor.user,
                spent_on=start + timedelta(days=rng.randint(0, max(0, (end - start).days))),
                funding_source=rng.choice([budget, budget, hardship]),
            )


# Jess's booked sessions: (days from today, time, mode, where, place). Yesterday's was never
# logged, so her due list asks her to log it or mark it 'did not attend'.
APPOINTMENTS = [
    (0, time(15, 30), "face_to_face", "cafe", "The Corner Café, Station Road"),
    (1, time(10, 0), "phone", "", ""),
    (1, time(14, 0), "face_to_face", "office", ""),
    (-1, time(11, 0), "video", "", ""),
]


def _seed_appointments(today, jess, jess_user):
    """A few fictional sessions booked with Jess's clients, for the 'Today and tomorrow' panel."""
    from .appointment_models import Appointment

    cases = list(jess)
    if not cases:
        return
    for index, (days, at, mode, location, place) in enumerate(APPOINTMENTS):
        case = cases[index % len(cases)]
        Appointment.objects.create(case=case, mentor=jess[case], date=today + timedelta(days=days), start_time=at,
                                   mode=mode, location=location, place=place, created_by=jess_user)
