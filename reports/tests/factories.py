"""Small builders for report tests: clients, cases, contacts and the rest, by plain ORM calls."""

from datetime import date
from itertools import count

from clients.models import Case, Client, ClosureReason, RiskFlag
from contacts.models import Activity, Attendance, Contact, Mode
from outcomes.models import (
    Achievement,
    AchievementType,
    Answer,
    Assessment,
    AssessmentTemplate,
    Domain,
    Offence,
    OffenceCategory,
    Question,
    Questionnaire,
    Score,
)
from referrals.models import Referral, ReferralSource

_numbers = count(1)


def make_case(programme, started_on, *, dob=date(1990, 6, 15), ended_on=None, closure=None, **client_fields):
    n = next(_numbers)
    client = Client.objects.create(first_name=f"Test{n}", last_name="Person", date_of_birth=dob, **client_fields)
    return Case.objects.create(
        client=client, programme=programme, started_on=started_on, ended_on=ended_on,
        status=Case.Status.CLOSED if ended_on else Case.Status.ACTIVE,
        closure_reason=ClosureReason.objects.get(code=closure) if closure else None,
    )


def contact(case, on, *, minutes=60, mode=Mode.FACE_TO_FACE, attendance=Attendance.ATTENDED, activities=()):
    item = Contact.objects.create(case=case, date=on, duration_minutes=minutes, mode=mode, attendance=attendance)
    if activities:
        item.activities.set(Activity.objects.filter(code__in=activities))
    return item


def achievement(case, code, on):
    return Achievement.objects.create(case=case, type=AchievementType.objects.get(code=code), achieved_on=on)


def offence(case, category, on, convicted=None):
    return Offence.objects.create(
        client=case.client, offence_date=on, conviction_date=convicted,
        category=OffenceCategory.objects.get(code=category),
    )


def risk_flag(case, kind=RiskFlag.Kind.TO_OTHERS, active=True):
    return RiskFlag.objects.create(client=case.client, kind=kind, active=active)


def assessment(case, on, template="progress_wheel", **scores):
    template = AssessmentTemplate.objects.get(code=template)
    item = Assessment.objects.create(case=case, template=template, assessed_on=on)
    for code, value in scores.items():
        Score.objects.create(assessment=item, domain=Domain.objects.get(template=template, code=code), score=value)
    return item


def questionnaire(case, on, **answers):
    item = Questionnaire.objects.create(case=case, completed_on=on)
    for code, value in answers.items():
        Answer.objects.create(questionnaire=item, question=Question.objects.get(code=code), answer=value)
    return item


def referral(programme, received_on, source, *, case=None, client=None, decision=Referral.Decision.PENDING):
    if case is not None:
        client = case.client
        decision = Referral.Decision.ACCEPTED
    if client is None:
        n = next(_numbers)
        client = Client.objects.create(first_name=f"Referred{n}", last_name="Person", date_of_birth=date(2000, 1, 1))
    return Referral.objects.create(
        client=client, programme=programme, received_on=received_on,
        source=ReferralSource.objects.get(code=source), decision=decision, case=case,
    )
