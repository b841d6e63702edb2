from datetime import timedelta
from itertools import permutations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients.models import RiskFlag
from mentors import matching
from mentors.models import CaseMatchPreference, MatchingSettings, MentorConflict

from .factories import AllocationFactory, MentorFactory, TrainingFactory, WaitingCaseFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def suggested(waiting_case, **kwargs):
    return [s.mentor for s in matching.suggestions_for(waiting_case, limit=None, **kwargs)]


def test_a_mentor_with_an_expired_dbs_is_never_suggested(waiting_case, programme):
    fine = MentorFactory(programmes=[programme])
    expired = MentorFactory(programmes=[programme], dbs_renewal_due=TODAY() - timedelta(days=1))
    never_checked = MentorFactory(programmes=[programme], dbs_certificate_on=None)
    no_references = MentorFactory(programmes=[programme], references_received=False)
    found = suggested(waiting_case)
    assert fine in found
    assert expired not in found and never_checked not in found and no_references not in found


def test_a_mentor_at_capacity_is_never_suggested_and_says_no_room(waiting_case, programme):
    full = MentorFactory(programmes=[programme], max_caseload=2)
    one_spare = MentorFactory(programmes=[programme], max_caseload=3)
    for mentor in (full, full, one_spare, one_spare):
        AllocationFactory(mentor=mentor, case=WaitingCaseFactory(programme=programme, status="active"))
    # An ended allocation and a closed case do not count towards the caseload.
    AllocationFactory(mentor=one_spare, case=WaitingCaseFactory(programme=programme), ended_on=TODAY())
    AllocationFactory(mentor=one_spare, case=WaitingCaseFactory(programme=programme, status="closed"))
    found = suggested(waiting_case)
    assert full not in found
    assert one_spare in found
    reason = next(s for s in matching.suggestions_for(waiting_case) if s.mentor == one_spare).reasons[-1]
    assert reason == "Caseload 2 of 3: room for 1 more"
    refused = next(m for m in matching.matches_for_cases([waiting_case])[waiting_case.pk] if m.mentor == full)
    assert [(v.words, v.hard) for v in refused.vetoes] == [("No room: caseload 2 of 2", False)]


def test_inactive_on_leave_and_other_programme_mentors_are_never_suggested(waiting_case, programme, other_programme):
    fine = MentorFactory(programmes=[programme])
    inactive = MentorFactory(programmes=[programme], active=False)
    on_leave = MentorFactory(programmes=[programme], on_leave_until=TODAY() + timedelta(days=3))
    back_from_leave = MentorFactory(programmes=[programme], on_leave_until=TODAY() - timedelta(days=1))
    elsewhere = MentorFactory(programmes=[other_programme])
    already_on_case = MentorFactory(programmes=[programme])
    AllocationFactory(mentor=already_on_case, case=waiting_case, role="supporting")
    assert set(suggested(waiting_case)) == {fine, back_from_leave}
    assert inactive.pk and on_leave.pk and elsewhere.pk


def test_suggestion_reasons_match_the_data(waiting_case, programme, housing, employment):
    preference = CaseMatchPreference.objects.create(
        case=waiting_case, mentor_gender="female", lived_experience_wanted=True, times_wanted=["weekday_evenings", "weekends"],
    )
    preference.needs.add(housing, employment)
    good = MentorFactory(
        programmes=[programme], first_name="Grace", gender="female", areas=["Northtown", "eastfield"],
        languages=["English", "Polish"], lived_experience=True, strengths=[housing], max_caseload=4,
        available_times=["weekends"],
    )
    AllocationFactory(mentor=good, case=WaitingCaseFactory(programme=programme, status="active"))
    plain = MentorFactory(
        programmes=[programme], first_name="Pete", gender="male", areas=["Westbury"], languages=["English"],
        lived_experience=False, max_caseload=5,
    )

    first, second = matching.suggestions_for(waiting_case)

    assert (first.mentor, first.rank) == (good, 1)
    assert first.reasons == [
        "Covers Eastfield, where the client lives",
        "Speaks Polish, the client's first language",
        "A female mentor, as the client prefers",
        "Has lived experience of the justice system, as the client wants",
        "Strong in what the client wants help with: housing",
        "Free weekends, when the client can meet",
    ]
    assert first.score == 3 + 2 + 3 + 3 + 2 + 2 + 2
    # Nothing counts against a mentor in numbers: a preference not met is just not a reason.
    assert (second.mentor, second.rank, second.reasons) == (plain, 2, [])
    assert second.score == 2


def test_reasons_name_only_what_tells_the_mentors_apart(programme):
    case = WaitingCaseFactory(programme=programme, client__area="Eastfield", client__first_language="English")
    one = MentorFactory(programmes=[programme], areas=["Eastfield"], languages=["English"])
    two = MentorFactory(programmes=[programme], areas=["Eastfield"], languages=["English"])
    apart = MentorFactory(programmes=[programme], languages=["English"], max_caseload=2)
    AllocationFactory(mentor=apart, case=WaitingCaseFactory(programme=programme, status="active"))
    found = {s.mentor: s.reasons for s in matching.suggestions_for(case)}
    # English is nobody's reason; the same full capacity for two of three is shown, as it differs.
    assert found[one] == found[two] == ["Covers Eastfield, where the client lives", "Caseload 0 of 6: room for 6 more"]
    assert found[apart] == ["Caseload 1 of 2: room for 1 more"]


def test_the_clients_typed_postcode_gives_their_area(programme):
    case = WaitingCaseFactory(programme=programme, client__postcode="ne6 1ab")
    near = MentorFactory(programmes=[programme], areas=["NE6", "Byker"])
    MentorFactory(programmes=[programme], areas=["NE1"])
    first, second = matching.suggestions_for(case)
    assert first.mentor == near
    assert first.reasons == ["Covers NE6, the client's postcode district"]
    assert second.reasons == []


def test_a_mentor_with_expired_training_is_never_suggested_and_the_veto_is_named(waiting_case, programme):
    trained = MentorFactory(programmes=[programme], first_name="Trained")
    lapsed = MentorFactory(programmes=[programme], first_name="Lapsed", areas=["Eastfield"], languages=["Polish"])
    TrainingFactory(mentor=trained, expires_on=TODAY() + timedelta(days=30))
    TrainingFactory(mentor=lapsed, expires_on=TODAY() - timedelta(days=1))

    assert suggested(waiting_case) == [trained]
    (refused,) = [m for m in matching.matches_for_cases([waiting_case])[waiting_case.pk] if not m.offered]
    assert refused.mentor == lapsed
    assert [(v.code, v.words, v.hard) for v in refused.vetoes] == [("training_expired", "Training expired", True)]
    assert [p.match.mentor for p in matching.plan([waiting_case])] == [trained]


def test_a_recorded_conflict_keeps_the_mentor_from_being_offered(waiting_case, programme, lead):
    known = MentorFactory(programmes=[programme], areas=["Eastfield"])
    other = MentorFactory(programmes=[programme])
    MentorConflict.objects.create(client=waiting_case.client, mentor=known, kind="same_estate", recorded_by=lead)
    assert suggested(waiting_case) == [other]
    (refused,) = [m for m in matching.matches_for_cases([waiting_case])[waiting_case.pk] if not m.offered]
    assert [v.words for v in refused.hard_vetoes] == ["A conflict is recorded with this client"]


def test_a_must_preference_is_a_soft_veto_and_a_wish_only_ranks(waiting_case, programme):
    preference = CaseMatchPreference.objects.create(case=waiting_case, mentor_gender="female", lived_experience_wanted=True)
    woman = MentorFactory(programmes=[programme], gender="female")
    man = MentorFactory(programmes=[programme], gender="male", lived_experience=True, areas=["Eastfield"])
    assert set(suggested(waiting_case)) == {woman, man}
    preference.mentor_gender_required = True
    preference.save()
    assert suggested(waiting_case) == [woman]
    (refused,) = [m for m in matching.matches_for_cases([waiting_case])[waiting_case.pk] if not m.offered]
    assert [(v.words, v.hard) for v in refused.vetoes] == [("The client will only meet a female mentor", False)]


def _high_risk(client, level="high"):
    RiskFlag.objects.create(client=client, kind=RiskFlag.Kind.TO_OTHERS, level=level)


def test_a_high_risk_client_is_never_proposed_a_mentor_the_risk_rule_excludes(programme):
    risky = WaitingCaseFactory(programme=programme, client__area="Eastfield", started_on=TODAY() - timedelta(days=40))
    calm = WaitingCaseFactory(programme=programme, client__area="Eastfield", started_on=TODAY() - timedelta(days=20))
    _high_risk(risky.client)
    # The new volunteer matches the risky client best on every factor; the paid mentor has one place.
    new_volunteer = MentorFactory(
        programmes=[programme], mentor_type="volunteer", started_on=TODAY() - timedelta(days=60),
        areas=["Eastfield"], max_caseload=1,
    )
    paid = MentorFactory(programmes=[programme], mentor_type="paid", max_caseload=1)

    assert suggested(risky) == [paid]
    (refused,) = [m for m in matching.matches_for_cases([risky])[risky.pk] if not m.offered]
    assert refused.mentor == new_volunteer
    assert [(v.words, v.hard) for v in refused.vetoes] == [("High risk to others: paid or experienced mentors only", False)]
    proposed = {p.case: p.match.mentor for p in matching.plan([risky, calm])}
    assert proposed == {risky: paid, calm: new_volunteer}

    # The same volunteer after a year with the service is experienced; "paid only" excludes them again.
    new_volunteer.started_on = TODAY() - timedelta(days=400)
    new_volunteer.save()
    assert new_volunteer in suggested(risky)
    MatchingSettings.objects.create(programme=programme, high_risk_rule="paid_only")
    assert suggested(risky) == [paid]
    assert all(p.match is None or p.match.mentor == paid for p in matching.plan([risky]))


def test_a_very_high_risk_client_comes_with_a_caution(waiting_case, programme):
    MentorFactory(programmes=[programme], mentor_type="paid")
    (proposal,) = matching.plan([waiting_case])
    assert proposal.caution == ""
    _high_risk(waiting_case.client, level="very_high")
    (proposal,) = matching.plan([waiting_case])
    assert proposal.caution.startswith("Very high risk: agree the match with your manager")


def _total(scores, assignment):
    return sum(scores[i][j] for i, j in assignment.items())


def test_the_whole_list_proposal_is_the_best_total_where_first_come_first_served_is_not(programme, housing, employment):
    """3 mentors with one place each, 3 cases. Taken in order, the first case would take Mo, the
    only mentor the second case matches well; solved together, every case gets a good match."""
    day = TODAY() - timedelta(days=30)
    first = WaitingCaseFactory(programme=programme, client__area="Eastfield", started_on=day)
    second = WaitingCaseFactory(programme=programme, started_on=day + timedelta(days=1))
    third = WaitingCaseFactory(programme=programme, client__area="Westbury", started_on=day + timedelta(days=2))
    CaseMatchPreference.objects.create(case=first).needs.add(housing)
    CaseMatchPreference.objects.create(case=second, lived_experience_wanted=True).needs.add(housing, employment)
    mo = MentorFactory(programmes=[programme], first_name="Mo", max_caseload=1, areas=["Eastfield"],
                       strengths=[housing, employment], lived_experience=True)
    ed = MentorFactory(programmes=[programme], first_name="Ed", max_caseload=1, areas=["Eastfield"])
    wu = MentorFactory(programmes=[programme], first_name="Wu", max_caseload=1, areas=["Westbury"])
    cases, mentors = [first, second, third], [mo, ed, wu]

    proposed = {p.case: p.match.mentor for p in matching.plan(cases)}
    assert proposed == {first: ed, second: mo, third: wu}

    ranked = matching.matches_for_cases(cases)
    scores = [[next(m.score for m in ranked[c.pk] if m.mentor == mentor) for mentor in mentors] for c in cases]
    best = max(_total(scores, dict(enumerate(order))) for order in permutations(range(3)))
    chosen = {i: mentors.index(proposed[c]) for i, c in enumerate(cases)}
    assert _total(scores, chosen) == best
    greedy, free = {}, set(range(3))
    for i in range(3):
        greedy[i] = max(sorted(free), key=lambda j, i=i: scores[i][j])
        free.remove(greedy[i])
    assert _total(scores, greedy) < best


def test_assign_uses_each_place_once_and_leaves_forbidden_pairs_out():
    # Two cases, one mentor with two places, one mentor nobody may have.
    assert matching.assign([[3, None], [1, None]], [2, 1]) == {0: 0, 1: 0}
    assert matching.assign([[3, None], [1, None]], [1, 1]) == {0: 0}
    assert matching.assign([[None], [None]], [2]) == {}


def _suggestion_queries(waiting_case, programme, housing, count):
    for n in range(count):
        mentor = MentorFactory(programmes=[programme], strengths=[housing], areas=["Eastfield"])
        if n % 2:
            AllocationFactory(mentor=mentor, case=WaitingCaseFactory(programme=programme, status="active"))
    with CaptureQueriesContext(connection) as queries:
        found = matching.suggestions_for(waiting_case, limit=None)
    return len(queries), found


def test_suggestions_for_a_case_take_a_fixed_number_of_queries(waiting_case, programme, housing):
    CaseMatchPreference.objects.create(case=waiting_case, lived_experience_wanted=True).needs.add(housing)
    few, found_few = _suggestion_queries(waiting_case, programme, housing, 5)
    many, found_many = _suggestion_queries(waiting_case, programme, housing, 45)
    assert len(found_few) == 5 and len(found_many) == 50
    # Mentors (caseload and expired training as subqueries), their strengths, their programmes,
    # the preference and its needs, the case's current allocations, conflicts, risk flags and
    # the programme's matching settings: nine, however many mentors.
    assert few == many == 9


def test_suggestions_for_many_cases_take_a_fixed_number_of_queries(programme, housing):
    def board_queries(cases):
        with CaptureQueriesContext(connection) as queries:
            matching.suggestions_for_cases(cases, limit=3)
        return len(queries)

    MentorFactory.create_batch(5, programmes=[programme])
    few = board_queries([WaitingCaseFactory(programme=programme) for _ in range(2)])
    MentorFactory.create_batch(45, programmes=[programme])
    many = board_queries([WaitingCaseFactory(programme=programme) for _ in range(12)])
    assert few == many


def test_planning_a_reallocation_never_takes_a_mentor_past_capacity(programme, alice):
    roomy = MentorFactory(programmes=[programme], first_name="Roomy", max_caseload=2, areas=["Eastfield"])
    other = MentorFactory(programmes=[programme], first_name="Other", max_caseload=5)
    cases = [WaitingCaseFactory(programme=programme, status="active", client__area="Eastfield") for _ in range(4)]
    for c in cases:
        AllocationFactory(mentor=alice, case=c)
    plan = matching.plan_reallocation(cases, from_mentor=alice)
    picks = [plan[c.pk][1].mentor for c in cases]
    assert picks.count(roomy) == 2 and picks.count(other) == 2
    assert all(alice not in [s.mentor for s in plan[c.pk][0]] for c in cases)
