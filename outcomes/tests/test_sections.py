from datetime import date, timedelta

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from outcomes import client_page as sections
from outcomes.tests.factories import AchievementFactory, OffenceFactory, make_assessment

pytestmark = pytest.mark.django_db


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_progress_section_shows_first_against_latest_wheel(world, mentor_user):
    make_assessment(world.my_case, [2] * 10, on=date(2026, 1, 5))
    make_assessment(world.my_case, [4] * 10, on=date(2026, 2, 5), stage="review")
    make_assessment(world.my_case, [7] * 10, on=date(2026, 3, 5), stage="review")
    data = sections.progress(request_for(mentor_user), world.my_client, [world.my_case])
    (item,) = data["wheels"]
    assert item["wheel"].first.assessed_on == date(2026, 1, 5) and item["wheel"].latest.assessed_on == date(2026, 3, 5)
    assert data["add_cases"] == [world.my_case]
    html = render_to_string("outcomes/sections/progress.html", {"data": data})
    assert "Distance travelled: 10 of 10 domains improved" in html and "+5" in html


def test_progress_section_teaches_when_empty(world, mentor_user):
    data = sections.progress(request_for(mentor_user), world.past_client, [world.past_case])
    html = render_to_string("outcomes/sections/progress.html", {"data": data})
    assert "No assessments yet" in html and "Score the wheel" not in html  # past allocation: read only


@pytest.mark.parametrize("size", [1, 6])
def test_client_page_sections_run_a_fixed_number_of_queries(world, lead, django_assert_num_queries, size):
    for n in range(size):
        make_assessment(world.my_case, [n % 10 + 1] * 10, on=date(2026, 1, 1) + timedelta(days=n),
                        stage="initial" if n == 0 else "review")
        AchievementFactory(case=world.my_case, achieved_on=date(2026, 1, 1) + timedelta(days=n))
        OffenceFactory(client=world.my_client, offence_date=date(2025, 1, 1) + timedelta(days=n))
    request = request_for(lead)
    request.user._waymark_roles = None
    from mentoring import access

    access.roles(lead), access.led_programme_ids(lead)
    cases = [world.my_case]
    # progress: assessments, scores, domains, changeable cases
    with django_assert_num_queries(4):
        sections.progress(request, world.my_client, cases)
    # achievements: achievements with types, changeable cases
    with django_assert_num_queries(2):
        sections.achievements(request, world.my_client, cases)
    # offences: custody, recent offences, count (only when there are more than shown)
    with django_assert_num_queries(3 if size > sections.RECENT_OFFENCES else 2):
        sections.offences(request, world.my_client, cases)
    # timeline: assessments, achievements, questionnaires, custody, offences
    with django_assert_num_queries(5):
        sections.outcome_events(request, world.my_client, cases)
