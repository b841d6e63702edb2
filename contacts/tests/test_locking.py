"""Two people reviewing the same goal: the second save never undoes the first."""

import pytest
from django.test import Client as Browser
from django.urls import reverse

from mentoring.tests.locking import posted

from .factories import GoalFactory

pytestmark = pytest.mark.django_db


def test_a_stale_save_of_a_goal_is_refused_and_the_first_change_kept(mentor_user, lead, case):
    goal = GoalFactory(case=case, description="Get my CSCS card", status="open")
    url = reverse("contacts:goal_update", args=[goal.pk])
    mentor, lead_browser = Browser(), Browser()
    mentor.force_login(mentor_user)
    lead_browser.force_login(lead)
    mentor_form, lead_form = mentor.get(url).context["form"], lead_browser.get(url).context["form"]

    assert mentor.post(url, posted(mentor_form, status="achieved")).status_code == 302
    response = lead_browser.post(url, posted(lead_form, steps="Book the test at the college"))

    assert response.status_code == 409
    assert "Someone else saved this goal while you were editing: Status is now Achieved." in response.content.decode()
    goal.refresh_from_db()
    assert goal.status == "achieved" and goal.steps == ""
    retry = response.context["form"]
    assert retry["steps"].value() == "Book the test at the college" and retry["status"].value() == "achieved"
