"""Two leads editing the same mentor or the same client's preferences: no lost update."""

import pytest
from django.test import Client as Browser
from django.urls import reverse

from mentoring.models import ProgrammeMembership, Role
from mentoring.tests.factories import UserFactory
from mentoring.tests.locking import posted
from mentors.models import CaseMatchPreference

from .factories import MentorFactory

pytestmark = pytest.mark.django_db


def _browser(user):
    browser = Browser()
    browser.force_login(user)
    return browser


def test_a_stale_save_of_a_mentor_is_refused_and_the_first_change_kept(lead, manager, programme):
    mentor = MentorFactory(programmes=[programme], max_caseload=6, availability="")
    url = reverse("mentors:mentor_update", args=[mentor.pk])
    first, second = _browser(lead), _browser(manager)
    first_form, second_form = first.get(url).context["form"], second.get(url).context["form"]

    assert first.post(url, posted(first_form, max_caseload="3")).status_code == 302
    response = second.post(url, posted(second_form, availability="Weekday evenings"))

    assert response.status_code == 409
    assert "Max caseload is now 3." in response.content.decode()
    mentor.refresh_from_db()
    assert mentor.max_caseload == 3 and mentor.availability == ""
    assert response.context["form"]["availability"].value() == "Weekday evenings"


def test_a_stale_save_of_matching_preferences_is_refused_and_the_first_change_kept(lead, programme, waiting_case, housing):
    other_lead = UserFactory(username="dana", role=Role.LEAD)
    ProgrammeMembership.objects.create(user=other_lead, programme=programme, role=Role.LEAD)
    preference = CaseMatchPreference.objects.create(case=waiting_case)
    url = reverse("mentors:allocate", args=[waiting_case.pk])
    first, second = _browser(lead), _browser(other_lead)
    first_form = first.get(url).context["preference_form"]
    second_form = second.get(url).context["preference_form"]

    saved = first.post(url, {**posted(first_form, needs=[str(housing.pk)]), "save_preferences": "1"})
    assert saved.status_code == 302
    response = second.post(url, {**posted(second_form, lived_experience_wanted="on"), "save_preferences": "1"})

    assert response.status_code == 409
    assert ("Someone else saved the client&#x27;s preferences while you were editing: "
            "Help the client wants is now Housing.") in response.content.decode()
    preference.refresh_from_db()
    assert list(preference.needs.all()) == [housing] and preference.lived_experience_wanted is False
