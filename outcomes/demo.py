"""Demo outcomes: wheels with plausible change, achievements, offence histories, custody and
exit questionnaires for the demo cases. Deterministic (random.Random(42)); fictional."""

import random
from datetime import timedelta

from django.utils import timezone

JOBS = [
    ("employment_full_time", "Northshire Builders Ltd", 37.5, ""),
    ("employment_part_time", "Harbourside Café", 16, ""),
    ("employment_full_time", "Greenway Logistics", 40, ""),
    ("apprenticeship", "Brightmoor Motors", 30, "Level 2"),
    ("self_employment", "Own window-cleaning round", 20, ""),
]
OTHER_ACHIEVEMENTS = [
    ("cscs_card", "CSCS Green Card", None, "Level 1"),
    ("id_obtained", "Provisional driving licence", None, ""),
    ("bank_account_opened", "Basic bank account", None, ""),
    ("functional_skills_started", "Northshire College: Functional Skills maths", 6, "Entry 3"),
    ("training_started", "Forklift licence course", 30, ""),
    ("education_started", "Access to Higher Education evening class", 6, "Level 3"),
    ("volunteering_started", "Riverside food bank", 8, ""),
    ("accommodation_secured", "Supported housing, Elm Street", None, ""),
    ("gp_registered", "Castle Street surgery", None, ""),
]
OFFENCES_BEFORE = ["shoplifting", "violence_without_injury", "drugs_possession", "criminal_damage", "public_order",
                   "theft_from_vehicle", "burglary_other", "violence_with_injury", "breach", "motoring"]
OFFENCES_AFTER = ["shoplifting", "breach", "public_order", "drugs_possession"]
COMMENTS = {
    "motivation": ["I want to sort myself out.", "Some days are harder than others.", "I'm up for it now."],
    "use_of_time": ["Mostly sleeping in.", "Gym three times a week now.", "Working most days."],
    "offending": ["Trying to keep my head down.", "Staying away from the old lot.", ""],
    "accommodation": ["Sofa surfing at my cousin's.", "Got my own room now.", ""],
}


def _cases(context):
    from clients.models import Case

    cases = context.get("cases")
    if isinstance(cases, dict):
        cases = list(cases.values())
    if not cases:
        cases = list(Case.objects.all())
    return sorted(cases, key=lambda case: case.pk)


def _completer(case, users):
    allocation = case.allocations.order_by("started_on").select_related("mentor__user").first()
    if allocation and allocation.mentor.user_id:
        return allocation.mentor.user
    return users.get("lead")


def seed(context):
    from .models import AchievementType, Assessment, AssessmentTemplate, Offence, OffenceCategory, Question

    rng = random.Random(42)
    today = timezone.localdate()
    users = context.get("users", {})
    template = AssessmentTemplate.objects.get(code="progress_wheel")
    domains = list(template.domains.all())
    types = {t.code: t for t in AchievementType.objects.all()}
    categories = {c.code: c for c in OffenceCategory.objects.all()}
    questions = list(Question.objects.filter(active=True))
    counts = {"assessments": 0, "achievements": 0, "offences": 0, "custody": 0, "questionnaires": 0}

    for number, case in enumerate(_cases(context)):
        if Assessment.objects.filter(case=case).exists() or Offence.objects.filter(client=case.client).exists():
            continue  # already seeded: seed_demo may run twice
        end = case.ended_on or today
        days_open = (end - case.started_on).days
        by = _completer(case, users)
        if number % 7 != 6:
            counts["assessments"] += _seed_wheels(rng, today, case, end, days_open, template, domains, by)
        if days_open > 30:
            counts["achievements"] += _seed_achievements(rng, today, case, number, days_open, types, by)
        counts["offences"] += _seed_offences(rng, today, case, days_open, categories)
        counts["custody"] += _seed_custody(rng, case, number, days_open)
        if case.ended_on and number % 5 != 3:
            counts["questionnaires"] += _seed_questionnaire(rng, today, case, questions)

    context["outcomes"] = counts
    return counts


def _seed_wheels(rng, today, case, end, days_open, template, domains, by):
    """Wheels: an initial one; for cases open long enough a review or exit too. Returns how many."""
    from .models import Assessment, Score

    trend = rng.choice([2, 2, 2, 1, 1, 0, -1])  # mostly improving, some flat or worse
    first_scores = [rng.randint(2, 6) for _ in domains]
    dates = [(case.started_on + timedelta(days=rng.randint(0, 10)), Assessment.Stage.INITIAL, first_scores)]
    if days_open > 60:
        stage = Assessment.Stage.EXIT if case.ended_on else Assessment.Stage.REVIEW
        later = [max(1, min(10, s + trend + rng.randint(-1, 2))) for s in first_scores]
        dates.append((min(end, case.started_on + timedelta(days=rng.randint(60, max(61, days_open)))), stage, later))
    made = 0
    for assessed_on, stage, scores in dates:
        if assessed_on > today:
            continue
        assessment = Assessment.objects.create(
            case=case, template=template, assessed_on=assessed_on, stage=stage, completed_by=by
        )
        Score.objects.bulk_create(
            Score(assessment=assessment, domain=domain, score=score,
                  comment=rng.choice(COMMENTS.get(domain.code, [""])) if rng.random() < 0.4 else "")
            for domain, score in zip(domains, scores, strict=True)
        )
        made += 1
    return made


def _seed_achievements(rng, today, case, number, days_open, types, by):
    """Achievements: a job for about a third, practical and training steps for many more. Returns how many."""
    from .models import Achievement, AchievementType

    picks = []
    if number % 3 == 0:
        picks.append(JOBS[number % len(JOBS)])
    picks.extend(rng.sample(OTHER_ACHIEVEMENTS, rng.randint(0, 3)))
    made = 0
    for code, detail, hours, level in picks:
        achieved_on = case.started_on + timedelta(days=rng.randint(20, max(21, days_open)))
        if achieved_on > today:
            continue
        achievement = Achievement(
            case=case, type=types[code], achieved_on=achieved_on, employer_or_course=detail,
            hours_per_week=hours, level=level, evidence_noted=rng.random() < 0.7, recorded_by=by,
        )
        if types[code].category == AchievementType.Category.EMPLOYMENT:
            # Older jobs have had their checks answered; recent ones show up as due.
            if achievement.check_due_on(13) <= today - timedelta(days=14):
                achievement.in_work_13_weeks = rng.random() < 0.75
            if achievement.in_work_13_weeks and achievement.check_due_on(26) <= today - timedelta(days=14):
                achievement.in_work_26_weeks = rng.random() < 0.8
        achievement.save()
        made += 1
    return made


def _seed_offences(rng, today, case, days_open, categories):
    """Offences: a history before the case, mostly fewer after it. Returns how many."""
    from .models import Offence

    client = case.client
    made = 0
    for _ in range(rng.randint(1, 5)):
        offence_on = case.started_on - timedelta(days=rng.randint(20, 700))
        convicted = offence_on + timedelta(days=rng.randint(30, 150))
        Offence.objects.create(
            client=client, offence_date=offence_on, conviction_date=convicted if convicted <= today else None,
            category=categories[rng.choice(OFFENCES_BEFORE)],
            source=rng.choice([Offence.Source.POLICE, Offence.Source.POLICE, Offence.Source.PROBATION]),
            description="Recorded from the referral's offending history.",
        )
        made += 1
    for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
        if days_open < 20:
            break
        offence_on = case.started_on + timedelta(days=rng.randint(10, days_open))
        convicted = offence_on + timedelta(days=rng.randint(30, 120))
        Offence.objects.create(
            client=client, offence_date=offence_on,
            # A few are not (yet) convicted: they count in no figure.
            conviction_date=convicted if convicted <= today and rng.random() < 0.8 else None,
            category=categories[rng.choice(OFFENCES_AFTER)],
            source=rng.choice([Offence.Source.POLICE, Offence.Source.SELF_REPORTED]),
            description="Reported during mentoring.",
        )
        made += 1
    return made


def _seed_custody(rng, case, number, days_open):
    """Custody: a sentence before the case for some; a short remand or recall during it for a few."""
    from .models import CustodyPeriod

    made = 0
    if number % 4 == 1:
        released = case.started_on - timedelta(days=rng.randint(1, 40))
        CustodyPeriod.objects.create(client=case.client, started_on=released - timedelta(days=rng.randint(60, 300)),
                                     ended_on=released, reason=CustodyPeriod.Reason.SENTENCE)
        made += 1
    if number % 9 == 4 and days_open > 40:
        start = case.started_on + timedelta(days=rng.randint(20, days_open - 10))
        CustodyPeriod.objects.create(client=case.client, started_on=start,
                                     ended_on=start + timedelta(days=rng.randint(3, 28)),
                                     reason=rng.choice([CustodyPeriod.Reason.REMAND, CustodyPeriod.Reason.RECALL]))
        made += 1
    return made


def _seed_questionnaire(rng, today, case, questions):
    """An exit questionnaire (most closed cases get one): mostly positive. Returns 1."""
    from .models import Answer, Questionnaire

    completed_on = min(today, case.ended_on + timedelta(days=rng.randint(0, 14)))
    questionnaire = Questionnaire.objects.create(
        case=case, completed_on=completed_on,
        comments=rng.choice(["", "My mentor never gave up on me.", "Would have liked more sessions."]),
    )
    Answer.objects.bulk_create(
        Answer(questionnaire=questionnaire, question=question, answer=rng.choice([5, 5, 4, 4, 4, 3, 2]))
        for question in questions
    )
    return 1
