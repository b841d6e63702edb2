from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients.registry import sections_for, timeline_for
from contacts.client_page import contact_events
from contacts.models import Activity

from .factories import ContactFactory, GoalFactory

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_the_timeline_shows_contacts_with_their_activities_and_goals(mentor_user, alice, case):
    contact = ContactFactory(case=case, mentor=alice, notes="x" * 400)
    contact.activities.set([Activity.objects.get(code="housing")])
    GoalFactory(case=case)
    events = contact_events(_request(mentor_user), case.client, [case])
    kinds = sorted(e.kind for e in events)
    assert kinds == ["contact", "goal"]
    shown = next(e for e in events if e.kind == "contact")
    assert shown.title == "Face to face" and shown.detail.startswith("Housing · ")
    assert len(shown.detail) < 200  # notes kept short on the timeline


def _grow(case, alice, count):
    today = timezone.localdate()
    housing = Activity.objects.get(code="housing")
    for n in range(count):
        ContactFactory(case=case, mentor=alice, date=today - timedelta(days=n)).activities.add(housing)


def test_the_timeline_and_sections_keep_a_fixed_query_count_as_contacts_grow(mentor_user, alice, case):
    _grow(case, alice, 10)
    sections_for(_request(mentor_user), case.client, [case])  # warm the user's role cache
    with CaptureQueriesContext(connection) as small:
        timeline_for(_request(mentor_user), case.client, [case])
        sections_for(_request(mentor_user), case.client, [case])
    _grow(case, alice, 490)
    with CaptureQueriesContext(connection) as large:
        events = timeline_for(_request(mentor_user), case.client, [case])
        sections_for(_request(mentor_user), case.client, [case])
    assert len([e for e in events if e.kind == "contact"]) == 500
    assert len(large) == len(small)


def test_the_client_page_shows_the_logged_contact_when_it_exists(client, mentor_user, alice, case):
    url = reverse("clients:client_detail", args=[case.client_id])
    ContactFactory(case=case, mentor=alice).activities.add(Activity.objects.get(code="cv_building"))
    client.force_login(mentor_user)
    html = client.get(url).content.decode()
    assert "CV building" in html and reverse("contacts:contact_create", args=[case.pk]) in html


def test_the_case_contact_list_keeps_a_fixed_query_count_as_contacts_grow(client, lead, alice, case):
    _grow(case, alice, 10)
    client.force_login(lead)
    url = reverse("contacts:case_contacts", args=[case.pk])
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(case, alice, 490)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200 and "page=2" in response.content.decode()
    assert len(large) == len(small)
