from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.dashboard import lead_due, mentor_due
from contacts.models import Attendance, Goal, Mode

from .factories import ContactFactory, GoalFactory, allocated_case

pytestmark = pytest.mark.django_db


def test_the_due_list_shows_exactly_the_overdue_items(mentor_user, alice, programme):
    today = timezone.localdate()
    days = lambda n: today - timedelta(days=n)  # noqa: E731
    overdue = allocated_case(alice, programme)
    due_today = allocated_case(alice, programme)
    later = allocated_case(alice, programme)
    done = allocated_case(alice, programme)
    quiet = allocated_case(alice, programme)
    seen_13_days_ago = allocated_case(alice, programme)
    only_missed_recently = allocated_case(alice, programme)
    only_texted = allocated_case(alice, programme)
    new_case = allocated_case(alice, programme, started_on=days(3))
    paused = allocated_case(alice, programme, status="paused")
    for case in (overdue, due_today, later, done, seen_13_days_ago):
        ContactFactory(case=case, mentor=alice, date=days(5) if case != seen_13_days_ago else days(13))
    ContactFactory(case=overdue, mentor=alice, date=days(6), follow_up_on=days(1), next_steps="Call the housing officer")
    ContactFactory(case=due_today, mentor=alice, date=days(6), follow_up_on=today)
    ContactFactory(case=later, mentor=alice, date=days(6), follow_up_on=today + timedelta(days=2))
    ContactFactory(case=done, mentor=alice, date=days(6), follow_up_on=days(2), follow_up_done=True)
    ContactFactory(case=quiet, mentor=alice, date=days(16))
    ContactFactory(case=only_missed_recently, mentor=alice, date=days(20))
    ContactFactory(case=only_missed_recently, mentor=alice, date=days(1), attendance=Attendance.DID_NOT_ATTEND)
    ContactFactory(case=only_texted, mentor=alice, date=days(30))
    ContactFactory(case=only_texted, mentor=alice, date=days(2), mode=Mode.MESSAGE)
    ContactFactory(case=paused, mentor=alice, date=days(40))
    past_goal = GoalFactory(case=later, target_on=days(1))
    GoalFactory(case=later, target_on=today)  # not past yet
    GoalFactory(case=done, target_on=days(10), status=Goal.Status.ACHIEVED)
    GoalFactory(case=done)  # no target date

    due = mentor_due(mentor_user, today)

    assert [item["contact"].case for item in due["follow_ups"]] == [overdue, due_today]
    assert [item["days_overdue"] for item in due["follow_ups"]] == [1, 0]
    assert [card["case"] for card in due["quiet"]] == [only_texted, only_missed_recently, quiet]
    assert [card["quiet_days"] for card in due["quiet"]] == [30, 20, 16]
    assert [item["goal"] for item in due["goals"]] == [past_goal]
    assert due["due_count"] == 6
    assert len(due["cards"]) == 10 and new_case in [card["case"] for card in due["cards"]]


def test_the_mentor_home_shows_due_items_and_client_cards(client, mentor_user, alice, programme):
    today = timezone.localdate()
    quiet = allocated_case(alice, programme, client__preferred_name="Dee", client__first_name="Deborah")
    ContactFactory(case=quiet, mentor=alice, date=today - timedelta(days=16))
    client.force_login(mentor_user)
    html = client.get(reverse("home")).content.decode()
    assert "Not seen: Dee" in html and "no attended contact for 16 days" in html
    assert "16 days ago · going quiet" in html
    assert reverse("contacts:contact_create", args=[quiet.pk]) in html
    assert reverse("contacts:contact_missed", args=[quiet.pk]) in html


def test_an_empty_caseload_says_how_clients_arrive(client, mentor_user, alice):
    client.force_login(mentor_user)
    html = client.get(reverse("home")).content.decode()
    assert "When a project lead allocates a case to you" in html and "Nothing due" in html


def test_the_lead_sees_people_going_quiet_in_their_programmes(lead, alice, programme, other_programme):
    today = timezone.localdate()
    quiet = allocated_case(alice, programme)
    ContactFactory(case=quiet, mentor=alice, date=today - timedelta(days=15))
    seen = allocated_case(alice, programme)
    ContactFactory(case=seen, mentor=alice, date=today - timedelta(days=2), follow_up_on=today - timedelta(days=1))
    alice.programmes.add(other_programme)
    elsewhere = allocated_case(alice, other_programme)
    ContactFactory(case=elsewhere, mentor=alice, date=today - timedelta(days=40))
    due = lead_due(lead, today)
    assert [item["case"] for item in due["quiet"]] == [quiet] and due["quiet_count"] == 1
    assert due["quiet"][0]["mentor"] == alice and due["quiet"][0]["days"] == 15
    assert [item["contact"].case for item in due["follow_ups"]] == [seen]


def test_the_lead_sees_the_ten_quietest_people_first_and_how_many_are_quiet(lead, alice, programme):
    today = timezone.localdate()
    cases = []
    for days in range(20, 32):  # twelve people, last seen 20 to 31 days ago
        case = allocated_case(alice, programme)
        ContactFactory(case=case, mentor=alice, date=today - timedelta(days=days))
        cases.append(case)
    due = lead_due(lead, today)
    assert due["quiet_count"] == 12
    assert [item["days"] for item in due["quiet"]] == list(range(31, 21, -1))
    assert [item["case"] for item in due["quiet"]] == cases[:1:-1]


def test_a_case_never_attended_counts_as_quiet_since_it_opened_and_sorts_with_the_rest(lead, alice, programme):
    today = timezone.localdate()
    seen = allocated_case(alice, programme)
    ContactFactory(case=seen, mentor=alice, date=today - timedelta(days=20))
    never = allocated_case(alice, programme, started_on=today - timedelta(days=60))
    due = lead_due(lead, today)
    assert [(item["case"], item["days"]) for item in due["quiet"]] == [(never, 60), (seen, 20)]


def test_the_quiet_period_is_a_programme_setting(mentor_user, alice, programme):
    programme.quiet_after_days = 7
    programme.save()
    case = allocated_case(alice, programme)
    ContactFactory(case=case, mentor=alice, date=timezone.localdate() - timedelta(days=8))
    assert [card["case"] for card in mentor_due(mentor_user)["quiet"]] == [case]


def _home_queries(client, user):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return len(queries)


def _grow(alice, cases, contacts_per_case):
    today = timezone.localdate()
    for case in cases:
        for n in range(contacts_per_case):
            ContactFactory(case=case, mentor=alice, date=today - timedelta(days=n % 40),
                           follow_up_on=today - timedelta(days=1) if n % 7 == 0 else None)
        GoalFactory(case=case, target_on=today - timedelta(days=3))


def test_the_mentor_home_keeps_a_fixed_query_count_as_contacts_grow(client, mentor_user, alice, programme):
    # Queries: session, user, roles, then per panel: cases with contact summary, risk flags,
    # due follow-ups, goals past target (plus other apps' panels, the same at both sizes).
    cases = [allocated_case(alice, programme) for _ in range(5)]
    _grow(alice, cases, 2)  # 10 contacts
    client.force_login(mentor_user)
    small = _home_queries(client, mentor_user)
    _grow(alice, cases, 98)  # 500 contacts
    assert _home_queries(client, mentor_user) == small


def test_the_mentor_home_keeps_a_fixed_query_count_as_cases_grow(client, mentor_user, alice, programme):
    cases = [allocated_case(alice, programme) for _ in range(5)]
    _grow(alice, cases, 2)
    client.force_login(mentor_user)
    small = _home_queries(client, mentor_user)
    more = [allocated_case(alice, programme) for _ in range(45)]
    _grow(alice, more, 2)
    assert _home_queries(client, mentor_user) == small


def test_the_lead_home_keeps_a_fixed_query_count_as_cases_grow(client, lead, alice, programme):
    cases = [allocated_case(alice, programme) for _ in range(5)]
    _grow(alice, cases, 2)
    client.force_login(lead)
    small = _home_queries(client, lead)
    more = [allocated_case(alice, programme, started_on=timezone.localdate() - timedelta(days=90)) for _ in range(45)]
    _grow(alice, more, 1)
    assert _home_queries(client, lead) == small


def test_the_client_list_filters_to_everyone_going_quiet_with_their_last_attended_contact(client, lead, alice, programme):
    today = timezone.localdate()
    quiet = allocated_case(alice, programme, client__last_name="Quietly")
    ContactFactory(case=quiet, mentor=alice, date=today - timedelta(days=20))
    seen = allocated_case(alice, programme, client__last_name="Recently")
    ContactFactory(case=seen, mentor=alice, date=today - timedelta(days=2))
    client.force_login(lead)
    page = client.get(reverse("clients:client_list"), {"due": "quiet"}).content.decode()
    assert "Quietly" in page and "Recently" not in page
    assert "Last attended contact" in page
    assert (today - timedelta(days=20)).strftime("%-d %b %Y") in page


def test_the_client_list_filters_to_follow_ups_due_and_goals_past_target(client, lead, alice, programme):
    today = timezone.localdate()
    follow_up = allocated_case(alice, programme, client__last_name="Followup")
    ContactFactory(case=follow_up, mentor=alice, follow_up_on=today - timedelta(days=1))
    goal = allocated_case(alice, programme, client__last_name="Goalpast")
    GoalFactory(case=goal, target_on=today - timedelta(days=3))
    client.force_login(lead)
    follow_ups = client.get(reverse("clients:client_list"), {"due": "follow_up"}).content.decode()
    goals = client.get(reverse("clients:client_list"), {"due": "goal"}).content.decode()
    assert "Followup" in follow_ups and "Goalpast" not in follow_ups
    assert "Goalpast" in goals and "Followup" not in goals


def test_the_lead_home_links_a_capped_quiet_panel_to_the_full_list(client, lead, alice, programme):
    today = timezone.localdate()
    for days in range(20, 32):
        ContactFactory(case=allocated_case(alice, programme), mentor=alice, date=today - timedelta(days=days))
    client.force_login(lead)
    page = client.get("/").content.decode()
    assert "Showing the longest 10 of 12." in page
    assert f'href="{reverse("clients:client_list")}?due=quiet">See all 12 going quiet' in page
