"""A client with one of every kind of record, each carrying a distinctive word.

`build_person(programme, mentor, tag)` returns (client, words): `words` lists every
distinctive string held about that person (names, references, every note), so a test can
look for each of them in an export, or prove none is left after anonymisation.

A contact is also written and deleted with the note `deleted_note(tag)`: once deleted it is
held nowhere, not even in the change history, which records personal fields without values.
"""

from datetime import date, time

import pytest

from clients.models import Client, ClosureReason, RiskFlag
from contacts.models import Activity, Appointment, Contact, Goal, GroupSession, SupportSpend
from mentoring import audit
from mentoring.models import Role
from mentoring.tests.factories import UserFactory, with_totp
from mentors.models import Allocation
from mentors.services import close_case
from outcomes.models import (
    Achievement,
    AchievementType,
    Answer,
    Assessment,
    AssessmentTemplate,
    CustodyPeriod,
    Offence,
    OffenceCategory,
    Question,
    Questionnaire,
    Score,
)
from referrals.models import Referral, ReferralSource
from reports.models import CaseStudy
from tests.world import mentor_profile


def deleted_note(tag):
    return f"Deletednote{tag}"


def build_person(programme, mentor, tag, *, received_on=date(2016, 3, 1), accepted_on=date(2016, 3, 10),
                 closed_on=date(2017, 6, 30), date_of_birth=date(1998, 8, 20), by=None):
    """A closed case with every kind of record; `tag` (e.g. "Alpha") makes each text unique."""
    t = tag
    words = {
        "first_name": f"Xan{t}", "last_name": f"Vexmoor{t}", "preferred_name": f"Zed{t}",
        "client_ref": f"REF{t.upper()}", "probation_ref": f"PRB{t.upper()}", "police_ref": f"PNC{t.upper()}",
        "phone": f"0770{len(t)}99{len(t)}123", "email": f"xan{t.lower()}@example.test",
        "address": f"{t}house Lane", "postcode": f"ZZ{len(t)} 9{t[0]}Q",
        "client_notes": f"Clientnote{t}", "disability": f"Disabilitydetail{t}",
        "flag": f"Flagdetail{t}", "needs": f"Needstext{t}", "wants": f"Wantstext{t}",
        "referrer": f"Referrername{t}", "referrer_contact": f"referrer{t.lower()}@agency.test",
        "readiness": f"Readinessnote{t}", "contact_notes": f"Contactnote{t}", "next_steps": f"Nextstep{t}",
        "goal": f"Goaltext{t}", "goal_steps": f"Goalsteps{t}", "spend": f"Spendnote{t}", "place": f"Placename{t}",
        "score_comment": f"Scorecomment{t}", "employer": f"Employer{t}", "achievement_notes": f"Achievementnote{t}",
        "offence": f"Offencedesc{t}", "questionnaire": f"Questionnairecomment{t}",
        "study_title": f"Studytitle{t}", "story": f"Storytext{t}", "summary": f"Closingsummary{t}",
        "decline_reason": f"Declinereason{t}",
    }
    client = Client.objects.create(
        first_name=words["first_name"], last_name=words["last_name"], preferred_name=words["preferred_name"],
        client_ref=words["client_ref"], probation_ref=words["probation_ref"], police_ref=words["police_ref"],
        date_of_birth=date_of_birth, gender="male", ethnicity="white_british", phone=words["phone"],
        email=words["email"], address=words["address"], postcode=words["postcode"], area="Northtown",
        disability=True, disability_details=words["disability"], notes=words["client_notes"],
    )
    RiskFlag.objects.create(client=client, kind=RiskFlag.Kind.TO_OTHERS, level="high", details=words["flag"],
                            raised_on=accepted_on)
    referral = Referral.objects.create(
        client=client, programme=programme, received_on=received_on, source=ReferralSource.objects.get(code="probation"),
        referrer_name=words["referrer"], referrer_contact=words["referrer_contact"], needs=words["needs"],
        wants_help_with=words["wants"], readiness_notes=words["readiness"],
    )
    case = referral.accept(on=accepted_on, by=by)
    # A second, declined referral whose free-text reason lands in an audit event's detail.
    declined = Referral.objects.create(client=client, programme=programme, received_on=received_on,
                                       source=ReferralSource.objects.get(code="probation"))
    declined.decline(reason=words["decline_reason"], on=received_on, by=by)
    Allocation.objects.create(case=case, mentor=mentor, started_on=accepted_on)
    case.activate()
    session = GroupSession.objects.create(programme=programme, title=f"Workshop {t}", date=accepted_on)
    activity = Activity.objects.order_by("order").first()
    for offset, notes in ((0, words["contact_notes"]), (20, "")):
        contact = Contact.objects.create(
            case=case, mentor=mentor, date=date(accepted_on.year, accepted_on.month, 10 + offset // 2),
            duration_minutes=45, notes=notes, next_steps=words["next_steps"] if notes else "",
            group_session=session if offset else None,
        )
        contact.activities.add(activity)
    Contact.objects.create(case=case, mentor=mentor, date=accepted_on, notes=deleted_note(t)).delete()
    Contact.objects.create(case=case, mentor=mentor, date=date(2016, 12, 1), duration_minutes=30)
    SupportSpend.objects.create(case=case, spent_on=accepted_on, category="travel", amount="12.50", notes=words["spend"])
    Goal.objects.create(case=case, description=words["goal"], steps=words["goal_steps"])
    Appointment.objects.create(case=case, date=closed_on, start_time=time(10), place=words["place"])
    template = AssessmentTemplate.objects.order_by("pk").first()
    for stage, day, value in (("initial", accepted_on, 3), ("exit", closed_on, 7)):
        assessment = Assessment.objects.create(case=case, template=template, assessed_on=day, stage=stage)
        for domain in template.domains.all()[:2]:
            Score.objects.create(assessment=assessment, domain=domain, score=value,
                                 comment=words["score_comment"] if stage == "initial" else "")
    Achievement.objects.create(case=case, type=AchievementType.objects.get(code="employment_full_time"),
                               achieved_on=date(2017, 2, 1), employer_or_course=words["employer"],
                               notes=words["achievement_notes"])
    Offence.objects.create(client=client, offence_date=date(2015, 5, 1), conviction_date=date(2015, 9, 1),
                           category=OffenceCategory.objects.get(code="robbery"), description=words["offence"])
    CustodyPeriod.objects.create(client=client, started_on=date(2015, 9, 1), ended_on=date(2016, 2, 1), reason="sentence")
    questionnaire = Questionnaire.objects.create(case=case, completed_on=closed_on, comments=words["questionnaire"])
    Answer.objects.create(questionnaire=questionnaire, question=Question.objects.order_by("pk").first(), answer=4)
    CaseStudy.objects.create(case=case, title=words["study_title"], story=words["story"], consent_given_on=closed_on)
    # A change through save(): the history holds the old and new names side by side.
    client.preferred_name = words["preferred_name"] + "x"
    client.save()
    words["preferred_name_2"] = client.preferred_name
    close_case(case, reason=ClosureReason.objects.get(code="completed"), on=closed_on, summary=words["summary"], by=by)
    audit.record(by, "client.viewed", client, action=audit.Action.VIEW)
    return client, words


@pytest.fixture
def second_manager(db):
    user = UserFactory(username="hana", first_name="Hana", last_name="Manager", role=Role.MANAGER)
    with_totp(user)
    return user


@pytest.fixture
def alice_profile(mentor_user, programme):
    return mentor_profile(mentor_user, programme)


@pytest.fixture
def two_people(programme, alice_profile, manager):
    alpha = build_person(programme, alice_profile, "Alpha", by=manager)
    beta = build_person(programme, alice_profile, "Beta", by=manager, date_of_birth=date(1990, 1, 15))
    return alpha, beta
