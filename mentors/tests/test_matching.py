from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentors import matching
from mentors.models import CaseMatchPreference

from .factories import AllocationFactory, CaseFactory, MentorFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def suggested(case, **kwargs):
    return [s.mentor for s in matching.suggestions_for(case, limit=None, **kwargs)]


def test_a_mentor_with_an_expired_dbs_is_never_suggested(case, programme):
    fine = MentorFactory(programmes=[programme])
    expired = MentorFactory(programmes=[programme], dbs_renewal_due=TODAY() - timedelta(days=1))
    never_checked = MentorFactory(programmes=[programme], dbs_certificate_on=None)
    no_references = MentorFactory(programmes=[programme], references_received=False)
    found = suggested(case)
    assert fine in found
    assert expired not in found and never_checked not in found and no_references not in found


def test_a_mentor_at_capacity_is_never_suggested(case, programme):
    full = MentorFactory(programmes=[programme], max_caseload=2)
    one_spare = MentorFactory(programmes=[programme], max_caseload=3)
    for mentor in (full, full, one_spare, one_spare):
        AllocationFactory(mentor=mentor, case=CaseFactory(programme=programme, status="active"))
    # An ended allocation and a closed case do not count towards the caseload.
    AllocationFactory(mentor=one_spare, case=CaseFactory(programme=programme), ended_on=TODAY())
    AllocationFactory(mentor=one_spare, case=CaseFactory(programme=programme, status="closed"))
    found = suggested(case)
    assert full not in found
    assert one_spare in found
    reason = next(s for s in matching.suggestions_for(case) if s.mentor == one_spare).reasons[-1]
    assert reason == "Caseload 2 of 3: room for 1 more"


def test_inactive_on_leave_and_other_programme_mentors_are_never_suggested(case, programme, other_programme):
    fine = MentorFactory(programmes=[programme])
    inactive = MentorFactory(programmes=[programme], active=False)
    on_leave = MentorFactory(programmes=[programme], on_leave_until=TODAY() + timedelta(days=3))
    back_from_leave = MentorFactory(programmes=[programme], on_leave_until=TODAY() - timedelta(days=1))
    elsewhere = MentorFactory(programmes=[other_programme])
    already_on_case = MentorFactory(programmes=[programme])
    AllocationFactory(mentor=already_on_case, case=case, role="supporting")
    assert set(suggested(case)) == {fine, back_from_leave}
    assert inactive.pk and on_leave.pk and elsewhere.pk


def test_suggestion_reasons_match_the_data(case, programme, housing, employment):
    preference = CaseMatchPreference.objects.create(case=case, mentor_gender="female", lived_experience_wanted=True)
    preference.needs.add(housing, employment)
    good = MentorFactory(
        programmes=[programme], first_name="Grace", gender="female", areas=["Northtown", "eastfield"],
        languages=["English", "Polish"], lived_experience=True, strengths=[housing], max_caseload=4,
    )
    AllocationFactory(mentor=good, case=CaseFactory(programme=programme, status="active"))
    plain = MentorFactory(
        programmes=[programme], first_name="Pete", gender="male", areas=["Westbury"], languages=["English"],
        lived_experience=False, max_caseload=5,
    )

    first, second = matching.suggestions_for(case)

    assert first.mentor == good
    assert first.reasons == [
        "Covers Eastfield, where the client lives",
        "Speaks Polish, the client's first language",
        "A female mentor, as the client prefers",
        "Strong in what the client wants help with: housing",
        "Has lived experience of the justice system, as the client wants",
        "Caseload 1 of 4: room for 3 more",
    ]
    assert first.cautions == []
    assert first.score == 3 + 2 + 3 + 2 + 3 + 2
    assert second.mentor == plain
    assert second.reasons == ["Caseload 0 of 5: room for 5 more"]
    assert second.cautions == [
        "The client prefers a female mentor",
        "No lived experience of the justice system, which the client wants",
    ]
    assert second.score == -3 - 2 + 2


def test_no_preferences_recorded_gives_no_reasons_about_them(case, programme):
    mentor = MentorFactory(programmes=[programme], gender="male", lived_experience=True)
    (only,) = matching.suggestions_for(case)
    assert only.mentor == mentor
    assert only.reasons == ["Caseload 0 of 6: room for 6 more"] and only.cautions == []


def _suggestion_queries(case, programme, housing, count):
    for n in range(count):
        mentor = MentorFactory(programmes=[programme], strengths=[housing], areas=["Eastfield"])
        if n % 2:
            AllocationFactory(mentor=mentor, case=CaseFactory(programme=programme, status="active"))
    with CaptureQueriesContext(connection) as queries:
        found = matching.suggestions_for(case, limit=None)
    return len(queries), found


def test_suggestions_for_a_case_take_a_fixed_number_of_queries(case, programme, housing):
    CaseMatchPreference.objects.create(case=case, lived_experience_wanted=True).needs.add(housing)
    few, found_few = _suggestion_queries(case, programme, housing, 5)
    many, found_many = _suggestion_queries(case, programme, housing, 45)
    assert len(found_few) == 5 and len(found_many) == 50
    # Mentors with caseload subquery, their strengths, their programmes, the case's current
    # allocations, the preference and its needs: six, however many mentors.
    assert few == many == 6


def test_suggestions_for_many_cases_take_a_fixed_number_of_queries(programme, housing):
    def board_queries(cases):
        with CaptureQueriesContext(connection) as queries:
            matching.suggestions_for_cases(cases, limit=3)
        return len(queries)

    MentorFactory.create_batch(5, programmes=[programme])
    few = board_queries([CaseFactory(programme=programme) for _ in range(2)])
    MentorFactory.create_batch(45, programmes=[programme])
    many = board_queries([CaseFactory(programme=programme) for _ in range(12)])
    assert few == many


def test_planning_a_reallocation_never_takes_a_mentor_past_capacity(programme, alice):
    roomy = MentorFactory(programmes=[programme], first_name="Roomy", max_caseload=2, areas=["Eastfield"])
    other = MentorFactory(programmes=[programme], first_name="Other", max_caseload=5)
    cases = [CaseFactory(programme=programme, status="active", client__area="Eastfield") for _ in range(4)]
    for c in cases:
        AllocationFactory(mentor=alice, case=c)
    plan = matching.plan_reallocation(cases, from_mentor=alice)
    picks = [plan[c.pk][1].mentor for c in cases]
    assert picks.count(roomy) == 2 and picks.count(other) == 2
    assert all(alice not in [s.mentor for s in plan[c.pk][0]] for c in cases)
