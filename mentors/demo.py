"""Demo mentors: eight fictional mentors of the three types, their vetting, training and
supervision, and allocations for the demo cases (with one re-allocation)."""

import random
from datetime import timedelta

from django.utils import timezone

# ref, username or None, first, last, type, gender, programmes, areas, languages, lived experience,
# strengths, max caseload
MENTORS = [
    ("M-001", "mentor", "Jess", "Okafor", "paid", "female", ["bridge", "springboard"], ["Northshire East", "Old Town"],
     ["English", "Yoruba"], False, ["employment", "education_training", "young_adults"], 10),
    ("M-002", "mentor2", "Marcus", "Webb", "peer", "male", ["bridge"], ["Northshire West", "Riverside"],
     ["English", "Somali"], True, ["custody_resettlement", "sport_leisure", "young_adults"], 5),
    ("M-003", "mentor3", "Tom", "Reilly", "volunteer", "male", ["springboard"], ["Harbourside"],
     ["English"], False, ["housing", "benefits_finance"], 4),
    ("M-004", None, "Aisha", "Rahman", "peer", "female", ["bridge", "springboard"], ["Northshire East", "Millbrook"],
     ["English", "Urdu"], True, ["family_relationships", "mental_health"], 6),
    ("M-005", None, "Dylan", "Price", "volunteer", "male", ["springboard"], ["Old Town"],
     ["English", "Romanian"], False, ["employment"], 3),
    ("M-006", None, "Kwame", "Mensah", "peer", "male", ["bridge"], ["Riverside", "Northshire West"],
     ["English", "Twi"], True, ["music_creative", "employment"], 4),
    ("M-007", None, "Sofia", "Kowalski", "volunteer", "female", ["springboard"], ["Harbourside", "Millbrook"],
     ["English", "Polish"], False, ["substance_use", "housing"], 4),
    ("M-008", None, "Chloe", "Brennan", "paid", "female", ["springboard"], ["Old Town", "Riverside"],
     ["English"], False, ["substance_use", "mental_health", "housing"], 8),
]

OCN = "OCN Level 2 Award in Peer Mentoring"
SAFEGUARDING = "Safeguarding adults and children (refresher)"

# What the mentor writes in "availability" and the time slots matching compares with the client's.
TIMES = [
    ("Weekdays", ["weekday_mornings", "weekday_afternoons"]),
    ("Weekday evenings", ["weekday_evenings"]),
    ("Weekdays and Saturday mornings", ["weekday_mornings", "weekday_afternoons", "weekends"]),
]


def seed(context):
    from clients.models import Case
    from mentors import services
    from mentors.models import Allocation, CaseMatchPreference, Strength

    rng = random.Random(42)
    today = timezone.localdate()
    lead = context["users"].get("lead")
    strengths = {s.code: s for s in Strength.objects.all()}

    mentors = _seed_mentors(rng, today, context["programmes"], context["users"], strengths)
    _seed_training_and_supervision(rng, today, mentors, lead)
    _seed_progressions(today, mentors)

    context["mentors"] = mentors
    cases = [c for c in context.get("cases") or [] if not c.allocations.exists()]
    if not cases:
        return
    _allocate_demo_cases(cases, mentors, lead, today, rng, services, Allocation, Case, CaseMatchPreference, strengths)


def _seed_mentors(rng, today, programmes, users, strengths):
    """The demo mentors, keyed by username (or mentor ref when they have no sign-in)."""
    from mentors.models import Mentor

    mentors = {}
    for ref_index, (ref, username, first, last, kind, gender, codes, areas, languages, lived, skills,
                    max_caseload) in enumerate(MENTORS):
        times = rng.choice(TIMES)
        mentor, _ = Mentor.objects.update_or_create(
            mentor_ref=ref,
            defaults=dict(
                user=users.get(username) if username else None, first_name=first, last_name=last,
                email=f"{first.lower()}.{last.lower()}@demo.waymark.test", mentor_type=kind, gender=gender,
                areas=areas, languages=languages, lived_experience=lived,
                lived_experience_share=(
                    "Served a custodial sentence in his twenties; happy to talk about resettlement and staying out."
                    if lived and gender == "male" else
                    "Has been through the youth justice system; shares that when it helps." if lived else ""
                ),
                availability=times[0], available_times=times[1],
                max_caseload=max_caseload, active=True, dbs_level=Mentor.DbsLevel.ENHANCED,
                dbs_certificate_on=today - timedelta(days=rng.randint(200, 600)),
                dbs_renewal_due=today + timedelta(days=rng.randint(200, 700)),
                # Fictional 12-digit certificate numbers; the Update Service was checked a few weeks ago.
                # (No draws from rng here, so the allocations seeded below stay as they were.)
                dbs_certificate_number=f"0017{ref_index:02d}{(ref_index + 1) * 104729 % 1000000:06d}",
                dbs_status=Mentor.DbsStatus.BLANK_NO_NEW_INFO,
                dbs_status_checked_on=today - timedelta(days=9 + 6 * ref_index),
                references_received=True, started_on=today - timedelta(days=rng.randint(300, 900)),
            ),
        )
        mentor.programmes.set([programmes[code] for code in codes])
        mentor.strengths.set([strengths[code] for code in skills if code in strengths])
        mentors[username or ref] = mentor

    # Vetting to act on: Marcus's DBS renewal is due soon; Dylan's has lapsed.
    Mentor.objects.filter(pk=mentors["mentor2"].pk).update(dbs_renewal_due=today + timedelta(days=18))
    Mentor.objects.filter(pk=mentors["M-005"].pk).update(dbs_renewal_due=today - timedelta(days=20))
    for mentor in mentors.values():
        mentor.refresh_from_db()
    return mentors


def _seed_training_and_supervision(rng, today, mentors, lead):
    """Courses done and three recent supervisions for each mentor not yet trained."""
    from mentors.models import Mentor, Supervision, Training

    for key, mentor in mentors.items():
        if mentor.training.exists():
            continue
        if mentor.mentor_type == Mentor.Type.PEER:
            Training.objects.create(mentor=mentor, course=OCN, provider="Open College Network", level="Level 2",
                                    completed_on=mentor.started_on + timedelta(days=60))
        Training.objects.create(mentor=mentor, course="Introduction to mentoring", provider="Waymark demo trust",
                                completed_on=mentor.started_on + timedelta(days=14))
        # Tom's safeguarding refresher has expired: a compliance warning on the mentor list.
        done = today - timedelta(days=400 if key == "mentor3" else rng.randint(30, 300))
        Training.objects.create(mentor=mentor, course=SAFEGUARDING, provider="Northshire Safeguarding Partnership",
                                completed_on=done, expires_on=done + timedelta(days=365))
        for weeks in (2, 6, 10):
            Supervision.objects.create(mentor=mentor, held_on=today - timedelta(weeks=weeks), supervisor=lead,
                                       notes="Caseload review and reflective practice.")


def _seed_progressions(today, mentors):
    """Where two peer mentors have gone since: a qualification, a job, a course."""
    from mentors.models import Progression

    if Progression.objects.filter(mentor=mentors["M-004"]).exists():
        return
    Progression.objects.create(mentor=mentors["M-004"], kind=Progression.Kind.QUALIFICATION,
                               on=mentors["M-004"].started_on + timedelta(days=60), details=OCN)
    Progression.objects.create(mentor=mentors["M-004"], kind=Progression.Kind.PAID_EMPLOYMENT,
                               on=today - timedelta(days=45), details="Support worker at a housing charity, part time")
    Progression.objects.create(mentor=mentors["mentor2"], kind=Progression.Kind.EDUCATION,
                               on=today - timedelta(days=120), details="Started a youth work certificate")


def _allocate_demo_cases(cases, mentors, lead, today, rng, services, Allocation, Case, CaseMatchPreference, strengths):
    cases = sorted(cases, key=lambda c: (c.started_on, c.pk))
    closed = [c for c in cases if c.status == Case.Status.CLOSED]
    open_cases = [c for c in cases if c.status != Case.Status.CLOSED]
    # The newest few wait on the allocation board, with preferences recorded for matching.
    waiting = open_cases[-3:] if len(open_cases) > 6 else open_cases[-1:]
    to_allocate = [c for c in open_cases if c not in waiting]
    for case, (gender, lived, needs) in zip(waiting, [("male", True, ["employment"]), ("", False, ["housing"]),
                                                      ("female", False, ["mental_health"])], strict=False):
        preference, _ = CaseMatchPreference.objects.get_or_create(
            case=case, defaults={"mentor_gender": gender, "lived_experience_wanted": lived})
        preference.needs.set([strengths[n] for n in needs if n in strengths])

    jess = mentors["mentor"]
    others = [m for key, m in mentors.items() if key != "mentor" and m.is_vetted(today)]
    load = {m.pk: 0 for m in mentors.values()}
    load[mentors["M-006"].pk] = 1  # Kwame keeps room for the supporting role below

    def pick(case):
        fitting = [m for m in others if case.programme in m.programmes.all() and load[m.pk] < m.max_caseload]
        return min(fitting, key=lambda m: (load[m.pk] / m.max_caseload, m.pk)) if fitting else None

    reallocated = False
    for case in to_allocate:
        mentor = jess if load[jess.pk] < 8 else pick(case)
        if mentor is None:
            continue
        started = case.started_on + timedelta(days=rng.randint(1, 6))
        started = min(started, today)
        if not reallocated and mentor is not jess and (today - case.started_on).days > 60:
            # One re-allocation: Dylan took the case, then his DBS lapsed and Aisha took over.
            dylan = mentors["M-005"]
            if case.programme in dylan.programmes.all():
                Allocation.objects.create(case=case, mentor=dylan, role="lead", started_on=started, allocated_by=lead)
                case.activate(by=lead)
                started = min(started + timedelta(days=30), today)
                mentor = mentors["M-004"] if case.programme in mentors["M-004"].programmes.all() else mentor
                reallocated = True
        services.allocate_mentor(case=case, mentor=mentor, role="lead", by=lead, on=started)
        load[mentor.pk] += 1
    # A volunteer who knows the area helps with the job search on one of Jess's cases.
    kwame = mentors["M-006"]
    for case in to_allocate:
        if case.programme in kwame.programmes.all() and Allocation.objects.current().filter(case=case, mentor=jess).exists():
            services.allocate_mentor(case=case, mentor=kwame, role="supporting", by=lead,
                                     on=min(case.started_on + timedelta(days=20), today))
            break
    for case in closed:
        candidates = [m for m in mentors.values() if case.programme in m.programmes.all()]
        mentor = candidates[case.pk % len(candidates)]
        ended = case.ended_on or today
        Allocation.objects.create(case=case, mentor=mentor, role="lead", allocated_by=lead,
                                  started_on=min(case.started_on + timedelta(days=3), ended), ended_on=ended,
                                  end_reason=services.CASE_CLOSED)
