"""The report figures of METRICS.md on a small hand-built data set, worked out by hand.

Period 1 Jan 2024 to 31 Dec 2024 (as_of = 31 Dec 2024), programme "hand" (minimum 2 attended
contacts, target 11). Cases (age on the start date; attended contacts; span):

  C1  started 1 Jan 2024, born 2 Jan 2006 -> 17 (under_18); contacts 10 Jan, 10 Apr -> span 91
      (a text message in Sep and a DNA in Oct do not count)
  C2  started 1 Jan 2024, born 1 Jan 2006 -> 18 (18_21); 10 Jan, 9 Apr -> span 90; risk to others
  C3  started 1 Feb 2024, born 1 Feb 2002 -> 22 (22_25); 5 Feb, 5 Aug -> span 182
      (a contact on 5 Jan 2025 is after as_of)
  C4  started 1 Feb 2024, born 2 Feb 2002 -> 21 (18_21); 5 Feb, 4 Aug -> span 181
  C5  started 1 Jan 2022, born 15 Jun 1990 -> 31 (26_35); 1 May 2023, 1 Mar 2024 -> span 305
  C6  started 1 Jul 2024, born 1 Jul 1980 -> 44 (36_49); 2 Jul, 3 Jul -> span 1
  C7  started 1 Jun 2023, ended 1 Jan 2024 (completed), born 1 Jan 1970 -> 53 (50_plus); one contact
  C11 started 1 Mar 2024, ended 30 Jun 2024 (disengaged), born 2 Mar 2008 -> 15 (under_18);
      attended 5 Mar, DNA 12 Mar, attended by phone 19 Mar (9 minutes) -> span 14
  C12 started 31 Dec 2024 (= as_of), born 31 Dec 1974 -> 50 (50_plus); no contacts
Not in the cohort: C8 (ended 31 Dec 2023, before the period), C9 (starts 1 Jan 2025, after it),
C10 (another programme).

Cohort 9 cases; engaged C1 C2 C3 C4 C5 C6 C11 = 7 (77.8%); 3 months (span >= 91) C1 C3 C4 C5 = 4
(44.4%); 6 months (span >= 182) C3 C5 = 2 (22.2%).
"""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import Ethnicity, Gender, RiskFlag
from contacts.models import Attendance, Contact, Mode
from mentoring.tests.factories import ProgrammeFactory
from reports.metrics import DEFINITIONS, JSON_IDS, compute_report, pct, round_half_up, suppress_figures

from .factories import (
    achievement,
    assessment,
    contact,
    make_case,
    offence,
    questionnaire,
    referral,
    risk_flag,
)

START, END = date(2024, 1, 1), date(2024, 12, 31)
D = date


@pytest.fixture
def hand(db):
    p = ProgrammeFactory(code="hand", name="Hand-built", engagement_min_contacts=2, target_clients=11)
    other = ProgrammeFactory(code="other", name="Other", target_clients=None)

    c1 = make_case(p, D(2024, 1, 1), dob=D(2006, 1, 2))
    contact(c1, D(2024, 1, 10), activities=["goal_setting", "action_planning"])
    contact(c1, D(2024, 4, 10), minutes=30, activities=["goal_setting"])
    contact(c1, D(2024, 9, 1), mode=Mode.MESSAGE, activities=["job_search"])  # a text: never counts
    contact(c1, D(2024, 10, 1), attendance=Attendance.DID_NOT_ATTEND)  # a DNA: never counts

    c2 = make_case(p, D(2024, 1, 1), dob=D(2006, 1, 1))
    contact(c2, D(2024, 1, 10))
    contact(c2, D(2024, 4, 9))
    risk_flag(c2)

    c3 = make_case(p, D(2024, 2, 1), dob=D(2002, 2, 1))
    contact(c3, D(2024, 2, 5), minutes=60, activities=["cv_building"])
    contact(c3, D(2024, 8, 5))
    contact(c3, D(2025, 1, 5))  # after as_of
    risk_flag(c3, active=False)  # an inactive flag does not count

    c4 = make_case(p, D(2024, 2, 1), dob=D(2002, 2, 2))
    contact(c4, D(2024, 2, 5))
    contact(c4, D(2024, 8, 4))
    risk_flag(c4, kind=RiskFlag.Kind.TO_SELF)  # not "to others"

    c5 = make_case(p, D(2022, 1, 1))
    contact(c5, D(2023, 5, 1))  # before the period: engagement yes, contacts in the period no
    contact(c5, D(2024, 3, 1))

    c6 = make_case(p, D(2024, 7, 1), dob=D(1980, 7, 1))
    contact(c6, D(2024, 7, 2))
    contact(c6, D(2024, 7, 3))

    c7 = make_case(p, D(2023, 6, 1), dob=D(1970, 1, 1), ended_on=D(2024, 1, 1), closure="completed")
    contact(c7, D(2023, 7, 1))

    c8 = make_case(p, D(2023, 1, 1), ended_on=D(2023, 12, 31), closure="completed")
    contact(c8, D(2023, 2, 1), activities=["job_search"])
    contact(c8, D(2023, 12, 1))
    achievement(c8, "qualification_gained", D(2023, 6, 1))
    questionnaire(c8, D(2023, 12, 31), would_recommend=1)

    c9 = make_case(p, D(2025, 1, 1))
    contact(c9, D(2025, 1, 2))
    contact(c9, D(2025, 1, 3))

    c10 = make_case(other, D(2024, 1, 1))
    contact(c10, D(2024, 2, 2))
    contact(c10, D(2024, 3, 3))

    c11 = make_case(p, D(2024, 3, 1), dob=D(2008, 3, 2), ended_on=D(2024, 6, 30), closure="disengaged")
    contact(c11, D(2024, 3, 5))
    contact(c11, D(2024, 3, 12), attendance=Attendance.DID_NOT_ATTEND)
    contact(c11, D(2024, 3, 19), minutes=9, mode=Mode.PHONE)

    c12 = make_case(p, D(2024, 12, 31), dob=D(1974, 12, 31))

    # Achievements, dated from started_on to as_of.
    achievement(c1, "employment_full_time", D(2024, 5, 1))
    achievement(c1, "cscs_card", D(2024, 6, 1))
    achievement(c1, "cscs_card", D(2024, 7, 1))  # the same type twice: the case counts once
    achievement(c2, "id_obtained", D(2024, 2, 1))
    achievement(c2, "employment_part_time", D(2025, 1, 10))  # after as_of
    achievement(c3, "training_started", D(2024, 1, 15))  # before the case started
    achievement(c3, "education_started", D(2024, 3, 1))
    achievement(c5, "volunteering_started", D(2023, 1, 1))  # before the period, after the start: counts
    achievement(c7, "apprenticeship", D(2023, 8, 1))  # a case that is not engaged still counts

    # Offences. C3: W = 335 days (1 Feb..31 Dec 2024); pre window 3 Mar 2023..31 Jan 2024.
    offence(c3, "theft_from_person", D(2023, 12, 31), D(2024, 1, 20))
    # C5: W = 1096 capped at 730; pre 2 Jan 2020..31 Dec 2021, post 1 Jan 2022..31 Dec 2023.
    offence(c5, "robbery", D(2020, 1, 1), D(2020, 3, 1))  # one day before the pre window
    offence(c5, "burglary_domestic", D(2020, 1, 2), D(2020, 3, 1))  # first day of the pre window
    offence(c5, "theft_from_vehicle", D(2021, 6, 1), D(2021, 7, 1))
    offence(c5, "criminal_damage", D(2023, 12, 31), D(2024, 2, 1))  # last day of the post window
    offence(c5, "shoplifting", D(2024, 6, 1), D(2024, 7, 1))  # beyond the capped window; during support
    # C6: W = 184 (1 Jul..31 Dec 2024); pre 30 Dec 2023..30 Jun 2024.
    offence(c6, "robbery", D(2023, 12, 29), D(2024, 2, 1))  # one day before the pre window
    offence(c6, "violence_with_injury", D(2023, 12, 30), D(2024, 8, 1))
    offence(c6, "arson", D(2024, 9, 1), D(2024, 10, 1))
    offence(c6, "weapons", D(2024, 10, 1), D(2024, 11, 1))  # no unit cost
    offence(c6, "homicide", D(2024, 11, 1))  # never convicted
    offence(c6, "rape", D(2024, 12, 1), D(2025, 1, 15))  # convicted after as_of
    offence(c2, "robbery", D(2024, 5, 1))  # not convicted
    offence(c4, "robbery", D(2024, 5, 1), D(2025, 2, 1))  # convicted after as_of
    offence(c7, "arson", D(2023, 1, 1), D(2023, 2, 1))  # pre offence, but C7 is not engaged
    offence(c7, "arson", D(2024, 2, 1), D(2024, 3, 1))  # after the case ended: not during support
    offence(c12, "arson", D(2024, 12, 30), D(2024, 12, 31))  # C12's one-day pre window; not engaged

    # Progress wheel.
    assessment(c1, D(2024, 1, 15), motivation=3, use_of_time=5)
    assessment(c1, D(2024, 6, 15), motivation=6, use_of_time=5)
    assessment(c1, D(2025, 1, 10), motivation=10, use_of_time=10)  # after as_of
    assessment(c2, D(2024, 1, 20), motivation=4, use_of_time=6)
    assessment(c2, D(2024, 3, 20), motivation=4, use_of_time=8)
    assessment(c2, D(2024, 9, 20), motivation=7, use_of_time=7)
    assessment(c3, D(2024, 2, 10), motivation=2)  # one assessment only
    assessment(c4, D(2024, 2, 10), motivation=2)
    assessment(c4, D(2025, 2, 10), motivation=9)  # the second is after as_of

    # Exit questionnaires.
    questionnaire(c7, D(2024, 1, 5), would_recommend=5, helped_motivation=3)
    questionnaire(c11, D(2024, 7, 1), would_recommend=4, helped_motivation=4)
    questionnaire(c1, D(2025, 1, 5), would_recommend=1)  # after the period

    # Referrals received in 2024 (R2, R9, R10 are not).
    referral(p, D(2024, 1, 1), "probation", case=c1)
    referral(p, D(2023, 12, 15), "probation", case=c2)
    referral(p, D(2024, 1, 20), "self", case=c3)
    referral(p, D(2024, 1, 25), "iom", case=c4)
    referral(p, D(2024, 2, 25), "youth_justice", case=c11)
    referral(p, D(2024, 12, 30), "self")
    referral(p, D(2024, 5, 1), "self", decision="declined")
    referral(p, D(2024, 12, 20), "probation", case=c12)
    referral(other, D(2024, 6, 1), "self", case=c10)
    referral(p, D(2025, 1, 2), "self")
    return p


def zeros(codes):
    return dict.fromkeys(codes, 0)


@pytest.fixture
def expected():
    from clients.models import ClosureReason
    from contacts.models import Activity
    from outcomes.models import AchievementType, Domain, Question
    from referrals.models import ReferralSource

    blank_domain = {"first_mean": None, "latest_mean": None, "improved": 0, "improved_rate": 0.0}
    domains = {code: dict(blank_domain) for code in Domain.objects.filter(template__code="progress_wheel").values_list("code", flat=True)}
    # Motivation: C1 3 -> 6, C2 4 -> 7 (first is 20 Jan, latest 20 Sep); use of time: C1 5 -> 5, C2 6 -> 7.
    domains["motivation"] = {"first_mean": 3.5, "latest_mean": 6.5, "improved": 2, "improved_rate": 100.0}
    domains["use_of_time"] = {"first_mean": 5.5, "latest_mean": 6.0, "improved": 1, "improved_rate": 50.0}
    return {
        # Received in 2024: R1 R3 R4 R5 R6 R7 R8; accepted R1 R3 R4 R5 R8; engaged R1 R3 R4 R5.
        "referrals_received": 7,
        "referrals_by_source": {**zeros(ReferralSource.objects.values_list("code", flat=True)),
                                "probation": 2, "self": 3, "iom": 1, "youth_justice": 1},
        "referrals_by_referrer_organisation": {"not_recorded": 7, "other_organisations": 0},  # none given
        "referrals_accepted": 5,
        "referrals_not_eligible": 0,  # no decision found a rule failed (referrals/tests/test_eligibility.py counts some)
        "referrals_accepted_by_override": 0,
        "referrals_engaged": 4,
        "referral_engagement_rate": 57.1,  # 4 / 7
        "cases_worked_with": 9,
        "cases_by_age_band": {"under_18": 2, "18_21": 2, "22_25": 1, "26_35": 1, "36_49": 1, "50_plus": 2},
        "engaged": 7,
        "engagement_rate": 77.8,
        # Spans of the 8 cases with an attended contact (C12 has none): C7 0, C6 1, C11 14, C2 90,
        # C1 91, C4 181, C3 182, C5 305; sum 864, mean 108.0; median (90 + 91) / 2.
        "engagement_span_days": {"mean": 108.0, "median": 90.5},
        "engaged_3_months": 4,
        "engaged_3_months_rate": 44.4,
        "engaged_6_months": 2,
        "engaged_6_months_rate": 22.2,
        "engaged_6_months_rate_by_age_band": {"under_18": 0.0, "18_21": 0.0, "22_25": 100.0, "26_35": 100.0,
                                              "36_49": 0.0, "50_plus": 0.0},
        "risk_to_others_rate": 11.1,  # C2 only
        # In 2024: C1 2, C2 2, C3 2, C4 2, C5 1, C6 2, C11 2 = 13 contacts; 11 x 60 + 30 + 9 = 699 min.
        "contacts_attended": 13,
        "contact_hours": 11.7,  # 11.65 rounds half away from zero
        "sessions_by_activity": {**zeros(Activity.objects.values_list("code", flat=True)),
                                 "goal_setting": 2, "action_planning": 1, "cv_building": 1},
        # Of the 13: C11's 19 Mar contact is by phone (9 min), the rest face to face (690 min); C1's
        # message is never an attended contact. 690 / 60 = 11.5; 9 / 60 = 0.15, rounded up to 0.2.
        "contacts_by_mode": {**zeros(Mode.values), "face_to_face": 12, "phone": 1},
        "contact_hours_by_mode": {**dict.fromkeys(Mode.values, 0.0), "face_to_face": 11.5, "phone": 0.2},
        # No client of the 9 has these answered: all "not recorded" (gender's default is "not known").
        "cases_by_care_experience": {"yes": 0, "no": 0, "not_recorded": 9},
        "cases_by_parent_in_prison": {"yes": 0, "no": 0, "not_recorded": 9},
        "cases_by_gender": {**zeros(Gender.values), "not_known": 9},
        "cases_by_ethnicity": {**zeros(Ethnicity.values), "not_recorded": 9},
        "cases_closed": {**zeros(ClosureReason.objects.values_list("code", flat=True)),
                         "completed": 1, "disengaged": 1},
        "clients_with_ete_outcome": 3,  # C1, C3, C7
        "ete_outcome_rate": 42.9,  # 3 / 7 engaged
        "clients_by_achievement_category": {"employment": 2, "education_training": 1, "qualification": 1,
                                            "volunteering": 1, "practical": 1},
        "clients_by_achievement_type": {**zeros(AchievementType.objects.values_list("code", flat=True)),
                                        "employment_full_time": 1, "cscs_card": 1, "id_obtained": 1,
                                        "education_started": 1, "volunteering_started": 1, "apprenticeship": 1},
        # During support: C5 (31 Dec 2023, 1 Jun 2024), C6 (1 Sep, 1 Oct 2024).
        "reoffended_during_support": 2,
        "no_reoffending_rate": 77.8,
        # Trajectory: C3 (pre 1, post 0), C5 (pre 2 sev 7, post 1 sev 2), C6 (pre 1 sev 6, post 2 sev 10).
        "trajectory_cases": 3,
        "reduced_frequency": 2,
        "reduced_seriousness": 2,
        "reduced_frequency_rate": 66.7,
        "reduced_frequency_and_seriousness_rate": 66.7,
        "reduced_frequency_rate_engaged_6_months": 100.0,  # C3 and C5 are engaged 6 months; both reduced
        # C3: +1380; C5: 5930 + 870 - 1350 = 5450; C6: 14050 - 8420 (weapons has no cost) = 5630.
        "estimated_cost_avoided": 12460,
        "assessment_followups": 2,
        "assessment_change_by_domain": domains,
        "questionnaires_completed": 2,
        "questionnaire_agree_rate": {**dict.fromkeys(Question.objects.values_list("code", flat=True)),
                                     "would_recommend": 100.0, "helped_motivation": 50.0},
        "target_clients": 11,
        "target_progress": 81.8,
    }


@pytest.mark.django_db
def test_every_figure_matches_the_hand_worked_values(hand, expected):
    got = compute_report([hand], START, END).as_json()
    assert set(got) == set(JSON_IDS)
    for key in JSON_IDS:
        assert got[key] == expected[key], key


@pytest.mark.django_db
def test_engagement_spans_of_90_and_181_days_fall_short_of_3_and_6_months(hand):
    result = compute_report([hand], START, END)
    # C2 (90 days) and C4 (181 days) sit just under the thresholds; C1 (91) and C3 (182) reach them.
    assert result.figures["engaged_3_months"] == 4
    assert result.figures["engaged_6_months"] == 2
    assert result.span_summary["engaged_under_91"] == 3  # C2, C6, C11
    assert result.span_summary["engaged_91_181"] == 2  # C1, C4


@pytest.mark.django_db
def test_nothing_dated_after_as_of_counts(hand):
    # Ending the period on 9 Apr drops C1's 10 Apr contact: C1 has one contact and is not engaged.
    result = compute_report([hand], START, D(2024, 4, 9))
    assert result.figures["engaged_3_months"] == 1  # only C5: C1 reached 91 days on 10 Apr
    assert result.figures["questionnaires_completed"] == 1  # C7's; C11's is dated July
    # C1 has one assessment by then; C2's latest is 20 Mar (motivation 4, as at first).
    assert result.figures["assessment_followups"] == 1
    assert result.figures["assessment_change_by_domain"]["motivation"] == {
        "first_mean": 4.0, "latest_mean": 4.0, "improved": 0, "improved_rate": 0.0}


@pytest.mark.django_db
def test_filters_narrow_the_cohort(hand):
    assert compute_report([hand], START, END, filters={"age_band": "50_plus"}).figures["cases_worked_with"] == 2
    assert compute_report([hand], START, END, filters={"source": "self"}).figures["cases_worked_with"] == 1
    assert compute_report([hand], START, END, filters={"gender": "female"}).figures["cases_worked_with"] == 0


@pytest.mark.django_db
def test_suppression_hides_small_counts_and_rates_on_small_bases(hand):
    result = compute_report([hand], START, END)
    shared = result.as_json(suppress=True)
    assert shared["reoffended_during_support"] == "<5"
    assert shared["engagement_rate"] == "n/a"  # base 9
    assert shared["cases_worked_with"] == 9
    assert shared["referrals_by_source"]["custody_suite"] == 0
    assert result.as_json()["engagement_rate"] == 77.8


def test_rounding_is_half_away_from_zero():
    assert round_half_up(0.25) == 0.3
    assert pct(1, 8) == 12.5
    assert pct(1, 16) == 6.3  # 6.25
    assert pct(0, 0) is None
    assert suppress_figures({"engaged": 0}, {}) == {"engaged": 0}


def _bulk_cohort(programme, n):
    from reports.tests.factories import make_case as make

    contacts = []
    for i in range(n):
        case = make(programme, D(2024, 1, 1 + i % 28))
        contacts += [Contact(case=case, date=D(2024, 2, 1 + i % 28), duration_minutes=30),
                     Contact(case=case, date=D(2024, 9, 1 + i % 28), duration_minutes=30)]
        offence(case, "arson", D(2023, 6, 1), D(2023, 7, 1))
        assessment(case, D(2024, 1, 20), motivation=3)
        assessment(case, D(2024, 6, 20), motivation=5)
    Contact.objects.bulk_create(contacts)


@pytest.mark.django_db
def test_report_query_count_does_not_grow_with_the_data():
    small = ProgrammeFactory(code="small")
    large = ProgrammeFactory(code="large")
    _bulk_cohort(small, 10)
    _bulk_cohort(large, 100)
    with CaptureQueriesContext(connection) as ten:
        small_result = compute_report([small], START, END)
    with CaptureQueriesContext(connection) as hundred:
        large_result = compute_report([large], START, END)
    assert small_result.figures["engaged_6_months"] == 10
    assert large_result.figures["trajectory_cases"] == 100
    assert len(hundred) == len(ten) <= 27  # 24, and three grouped queries for the breakdowns (modes, characteristics, referrers)


@pytest.mark.django_db
def test_the_figures_given_a_base_are_those_whose_definition_names_one(hand):
    result = compute_report([hand], START, END)
    assert set(result.bases) == {m.name for m in DEFINITIONS.values() if m.base}
