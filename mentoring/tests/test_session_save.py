"""A write that succeeded is reported as saved even when the session cannot be saved after it
(the database dropping out between the view and the session save, as in a restart)."""

from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact
from contacts.tests.factories import allocated_case, mentor_for

pytestmark = pytest.mark.django_db


def _session_save_fails():
    # At the database boundary: the session row's UPDATE fails as it does while PostgreSQL restarts.
    return mock.patch.object(Session, "save", side_effect=OperationalError("server closed the connection unexpectedly"))


def test_a_contact_saved_when_the_session_cannot_be_saved_is_reported_as_saved(client, mentor_user, programme):
    case = allocated_case(mentor_for(mentor_user, programme), programme, client__first_name="Mina",
                          client__last_name="Mycase")
    client.force_login(mentor_user)
    url = reverse("contacts:contact_create", args=[case.pk])
    token = client.get(url).context["form"]["submission_token"].value()
    data = {"date": timezone.localdate().isoformat(), "start_time": "14:00", "duration_minutes": "45",
            "mode": "face_to_face", "attendance": "attended", "notes": "Talked about the tenancy",
            "submission_token": token, "next": "/"}

    with _session_save_fails() as save:
        response = client.post(url, data)
        assert save.called  # the fault really happened, after the contact was written
        assert response.status_code == 302 and response["Location"] == "/"
        page = client.get("/")

    assert Contact.objects.filter(case=case, notes="Talked about the tenancy").count() == 1
    assert page.status_code == 200
    assert "Contact with Mina Mycase logged for today" in page.content.decode()
    # Signed in as before once the database is back.
    assert client.get(url).status_code == 200
