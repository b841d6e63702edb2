"""Logging a contact once: the form's one-time token, the same-time warning, and a session that
did not happen recorded as one (no duration, the message says so)."""

from datetime import time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.models import Attendance, Contact, GroupSession, Mode
from mentoring.models import AuditEvent
from mentoring.tests.concurrency import run_together

from .factories import ContactFactory, allocated_case, mentor_for

TODAY = timezone.localdate


@pytest.fixture
def mina(alice, programme):
    return allocated_case(alice, programme, client__first_name="Mina", client__last_name="Mycase")


def _form(client, case):
    """The log-a-contact form as first shown, and what it sends back when saved as it is."""
    response = client.get(reverse("contacts:contact_create", args=[case.pk]))
    form = response.context["form"]
    return response, {
        "date": TODAY().isoformat(), "start_time": "14:00", "duration_minutes": "45", "mode": Mode.FACE_TO_FACE,
        "attendance": Attendance.ATTENDED, "notes": "Talked about the tenancy", "next": "/",
        "submission_token": form["submission_token"].value(),
    }


# ---- The one-time token ---------------------------------------------------------------------


@pytest.mark.django_db
def test_each_showing_of_the_form_carries_its_own_hidden_token(client, mentor_user, mina):
    client.force_login(mentor_user)
    first, data = _form(client, mina)
    _, again = _form(client, mina)
    assert f'type="hidden" name="submission_token" value="{data["submission_token"]}"' in first.content.decode()
    assert data["submission_token"] != again["submission_token"]


@pytest.mark.django_db
def test_sending_the_same_form_twice_logs_one_contact_and_says_it_was_already_saved(client, mentor_user, mina):
    client.force_login(mentor_user)
    url = reverse("contacts:contact_create", args=[mina.pk])
    _, data = _form(client, mina)
    assert client.post(url, data).status_code == 302

    response = client.post(url, data)  # a retry after an error page, or a second tap

    assert response.status_code == 302 and response["Location"] == "/"
    contact = Contact.objects.get(case=mina)
    page = client.get("/").content.decode()
    assert f'This contact was already saved. <a href="{reverse("contacts:contact_update", args=[contact.pk])}">Change it</a>' in page
    assert AuditEvent.objects.filter(verb="contact.logged").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_form_sent_twice_at_the_same_moment_logs_one_contact(mentor_user, programme):
    alice = mentor_for(mentor_user, programme)
    case = allocated_case(alice, programme, client__first_name="Mina", client__last_name="Mycase")
    browsers = [Client(), Client()]
    for browser in browsers:
        browser.force_login(mentor_user)
    _, data = _form(browsers[0], case)
    url = reverse("contacts:contact_create", args=[case.pk])

    def first_send_not_yet_committed():
        # Both sends find no contact with the token, then meet at its unique index.
        ContactFactory(case=case, submission_token=data["submission_token"])

    outcomes = run_together(*[lambda b=b: b.post(url, data) for b in browsers], hold=first_send_not_yet_committed)

    assert [o.error for o in outcomes] == [None, None]
    assert [o.value.status_code for o in outcomes] == [302, 302]
    assert Contact.objects.filter(case=case).count() == 1
    pages = [b.get("/").content.decode() for b in browsers]
    assert sum("This contact was already saved." in p for p in pages) == 1
    assert sum("Contact with Mina Mycase logged for today" in p for p in pages) == 1


@pytest.mark.django_db
def test_a_didnt_attend_pressed_twice_records_one_missed_appointment(client, mentor_user, mina):
    client.force_login(mentor_user)
    home = client.get("/").content.decode()
    token = home.split('name="submission_token" value="')[1].split('"')[0]
    url = reverse("contacts:contact_missed", args=[mina.pk])
    client.post(url, {"mode": Mode.PHONE, "submission_token": token, "next": "/"})

    response = client.post(url, {"mode": Mode.PHONE, "submission_token": token, "next": "/"}, follow=True)

    contact = Contact.objects.get(case=mina)
    assert "This missed appointment was already recorded." in response.content.decode()
    assert reverse("contacts:contact_update", args=[contact.pk]) in response.content.decode()


@pytest.mark.django_db
def test_a_group_session_sent_twice_is_recorded_once(client, mentor_user, alice, mina, programme):
    client.force_login(mentor_user)
    url = reverse("contacts:group_session_create")
    token = client.get(url).context["form"]["submission_token"].value()
    data = {"title": "Employability workshop", "date": TODAY().isoformat(), "start_time": "10:00",
            "duration_minutes": "90", "programme": programme.pk, "cases": [mina.pk], "submission_token": token}
    assert client.post(url, data).status_code == 302

    response = client.post(url, data, follow=True)

    assert "This group session was already recorded: &#x27;Employability workshop&#x27;." in response.content.decode()
    assert GroupSession.objects.count() == 1 and Contact.objects.filter(case=mina).count() == 1


# ---- The same-time warning ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_contact_at_the_same_time_asks_first_and_keeps_everything_typed(client, mentor_user, alice, mina):
    ContactFactory(case=mina, mentor=alice, date=TODAY(), start_time=time(14, 0))
    client.force_login(mentor_user)
    url = reverse("contacts:contact_create", args=[mina.pk])
    _, data = _form(client, mina)
    data.update(notes="Second visit: brought the forms", duration_minutes="30", mode=Mode.PHONE)

    response = client.post(url, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert ("A contact with Mina Mycase at 14:00 today is already logged (by Alice Mentor). "
            "Save this one as well?") in html
    assert 'name="save_anyway"' in html and "Yes, save this one as well" in html
    assert "Second visit: brought the forms" in html and 'value="30"' in html and 'id="id_mode_1" checked' in html
    assert f'value="{data["submission_token"]}"' in html  # still the same form
    assert Contact.objects.filter(case=mina).count() == 1

    assert client.post(url, {**data, "save_anyway": "on"}).status_code == 302
    assert Contact.objects.filter(case=mina, notes="Second visit: brought the forms").count() == 1


@pytest.mark.django_db
def test_a_contact_at_another_time_is_saved_without_asking(client, mentor_user, alice, mina):
    ContactFactory(case=mina, mentor=alice, date=TODAY(), start_time=time(9, 30))
    client.force_login(mentor_user)
    _, data = _form(client, mina)
    assert client.post(reverse("contacts:contact_create", args=[mina.pk]), data).status_code == 302
    assert Contact.objects.filter(case=mina).count() == 2


@pytest.mark.django_db
def test_without_a_time_the_same_mentor_the_same_day_asks_and_another_mentor_does_not(
    client, mentor_user, alice, bob, mina
):
    url = reverse("contacts:contact_create", args=[mina.pk])
    client.force_login(mentor_user)
    _, data = _form(client, mina)
    data["start_time"] = ""
    bobs = ContactFactory(case=mina, mentor=bob, date=TODAY(), start_time=None)
    assert client.post(url, data).status_code == 302  # Bob's contact is another one

    _, data = _form(client, mina)
    data["start_time"] = ""
    response = client.post(url, data)

    assert response.status_code == 200
    assert "A contact with Mina Mycase today is already logged (by Alice Mentor). Save this one as well?" in (
        response.content.decode())
    assert Contact.objects.filter(case=mina).exclude(pk=bobs.pk).count() == 1


@pytest.mark.django_db
def test_a_same_time_contact_on_an_earlier_day_names_the_day(client, mentor_user, alice, mina):
    day = TODAY() - timedelta(days=3)
    ContactFactory(case=mina, mentor=alice, date=day, start_time=time(14, 0))
    client.force_login(mentor_user)
    _, data = _form(client, mina)
    response = client.post(reverse("contacts:contact_create", args=[mina.pk]), {**data, "date": day.isoformat()})
    assert f"A contact with Mina Mycase at 14:00 on {day:%-d %b %Y} is already logged (by Alice Mentor)." in (
        response.content.decode())


# ---- A session that did not happen ----------------------------------------------------------


@pytest.mark.django_db
def test_didnt_attend_asks_how_it_was_meant_to_happen_and_records_no_duration(client, mentor_user, mina):
    client.force_login(mentor_user)
    home = client.get("/").content.decode()
    assert "How was it meant to happen?" in home
    for mode in ("face_to_face", "phone", "video"):
        assert f'<button type="submit" name="mode" value="{mode}"' in home

    response = client.post(reverse("contacts:contact_missed", args=[mina.pk]),
                           {"mode": Mode.VIDEO, "next": "/"}, follow=True)

    contact = Contact.objects.get(case=mina)
    assert (contact.mode, contact.attendance, contact.duration_minutes) == (Mode.VIDEO, Attendance.DID_NOT_ATTEND, None)
    assert "Recorded: Mina Mycase did not attend today (video)." in response.content.decode()


@pytest.mark.django_db
def test_didnt_attend_without_a_way_it_was_meant_to_happen_records_nothing_and_says_why(client, mentor_user, mina):
    client.force_login(mentor_user)
    for mode in ("", "message", "group"):
        response = client.post(reverse("contacts:contact_missed", args=[mina.pk]), {"mode": mode, "next": "/"},
                               follow=True)
        assert "Choose how the contact was meant to happen: face to face, phone or video." in response.content.decode()
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_did_not_attend_through_the_form_stores_no_duration_and_says_did_not_attend(client, mentor_user, mina):
    client.force_login(mentor_user)
    _, data = _form(client, mina)
    data.update(attendance=Attendance.DID_NOT_ATTEND, duration_minutes="60")

    client.post(reverse("contacts:contact_create", args=[mina.pk]), data)

    contact = Contact.objects.get(case=mina)
    assert contact.attendance == Attendance.DID_NOT_ATTEND and contact.duration_minutes is None
    page = client.get("/").content.decode()
    assert "Recorded: Mina Mycase did not attend today." in page and "Contact with Mina Mycase logged" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("attendance, said", [
    (Attendance.CANCELLED_BY_CLIENT, "Recorded: Mina Mycase cancelled the session today."),
    (Attendance.CANCELLED_BY_SERVICE, "Recorded: the session with Mina Mycase today was cancelled by the service."),
])
def test_a_cancelled_session_stores_no_duration_and_says_it_was_cancelled(client, mentor_user, mina, attendance, said):
    client.force_login(mentor_user)
    _, data = _form(client, mina)
    client.post(reverse("contacts:contact_create", args=[mina.pk]), {**data, "attendance": attendance})
    assert Contact.objects.get(case=mina).duration_minutes is None
    assert said in client.get("/").content.decode()


@pytest.mark.django_db
def test_changing_a_contact_to_did_not_attend_drops_its_duration(client, mentor_user, alice, mina):
    contact = ContactFactory(case=mina, mentor=alice, created_by=mentor_user, date=TODAY(), duration_minutes=45)
    client.force_login(mentor_user)
    client.post(reverse("contacts:contact_update", args=[contact.pk]), {
        "date": TODAY().isoformat(), "start_time": "", "duration_minutes": "45", "mode": Mode.FACE_TO_FACE,
        "attendance": Attendance.DID_NOT_ATTEND, "version": contact.version,
    })
    contact.refresh_from_db()
    assert contact.attendance == Attendance.DID_NOT_ATTEND and contact.duration_minutes is None
