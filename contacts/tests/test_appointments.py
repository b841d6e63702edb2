"""Booking the next session: from the client page or after logging a contact; today's and
tomorrow's on the mentor's home; a passed one on the due list to log or mark 'did not attend'."""

import uuid
from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.appointment_models import Appointment
from contacts.dashboard import coming_up, lead_due, mentor_due
from contacts.models import Attendance, Contact, Mode
from mentoring.dashboard import records_in
from mentoring.models import AuditEvent

from .factories import ContactFactory, allocated_case

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _book(client, case, **overrides):
    data = {"date": (TODAY() + timedelta(days=1)).isoformat(), "start_time": "14:30", "mode": Mode.PHONE,
            "location": "", "place": "", "submission_token": str(uuid.uuid4())}
    data.update(overrides)
    return client.post(reverse("contacts:appointment_create", args=[case.pk]), data)


def _appointment(case, days=1, at=time(10), **fields):
    return Appointment.objects.create(case=case, date=TODAY() + timedelta(days=days), start_time=at, **fields)


def _told(response):
    return [str(m) for m in response.wsgi_request._messages]


def test_a_mentor_books_the_next_session_from_the_client_page(client, mentor_user, alice, case):
    client.force_login(mentor_user)
    page = client.get(reverse("clients:client_detail", args=[case.client_id])).content.decode()
    assert reverse("contacts:appointment_create", args=[case.pk]) in page and "Book the next session" in page
    response = _book(client, case, location="cafe", place="Costa on the High Street")
    assert response.status_code == 302
    booked = Appointment.objects.get(case=case)
    assert (booked.mentor, booked.created_by, booked.status) == (alice, mentor_user, Appointment.Status.BOOKED)
    assert (booked.mode, booked.location, booked.place, booked.start_time) == ("phone", "cafe", "Costa on the High Street",
                                                                               time(14, 30))
    assert "booked for tomorrow at 14:30" in _told(response)[0]
    assert AuditEvent.objects.filter(verb="appointment.booked", object_id=str(booked.pk)).exists()
    # The client page lists it, with its change link.
    page = client.get(reverse("clients:client_detail", args=[case.client_id])).content.decode()
    assert reverse("contacts:appointment_update", args=[booked.pk]) in page


def test_logging_a_contact_offers_to_book_the_next_session(client, mentor_user, case):
    client.force_login(mentor_user)
    response = client.post(reverse("contacts:contact_create", args=[case.pk]), {
        "date": TODAY().isoformat(), "start_time": "10:00", "duration_minutes": "45", "mode": Mode.FACE_TO_FACE,
        "attendance": Attendance.ATTENDED, "notes": "Went through the bus timetable",
    })
    assert response.status_code == 302
    message = _told(response)[0]
    assert "Book the next session" in message and reverse("contacts:appointment_create", args=[case.pk]) in message
    assert _book(client, case).status_code == 302
    assert Appointment.objects.filter(case=case).count() == 1


def test_a_past_date_is_refused_and_the_form_keeps_what_was_typed(client, mentor_user, case):
    client.force_login(mentor_user)
    yesterday = TODAY() - timedelta(days=1)
    response = _book(client, case, date=yesterday.isoformat(), place="Library on Mill Road")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{yesterday:%-d %b %Y} has passed: book the next session for today or a later day" in html
    assert "There is a problem" in html and 'value="Library on Mill Road"' in html and 'value="14:30"' in html
    assert not Appointment.objects.exists()


def test_the_same_booking_sent_twice_books_one_session(client, mentor_user, case):
    client.force_login(mentor_user)
    token = str(uuid.uuid4())
    assert _book(client, case, submission_token=token).status_code == 302
    second = _book(client, case, submission_token=token)
    assert second.status_code == 302 and "already booked" in _told(second)[-1]
    assert Appointment.objects.count() == 1


def test_a_mentor_cannot_book_see_or_change_an_appointment_on_another_mentors_case(
    client, mentor_user, bob, programme
):
    theirs = allocated_case(bob, programme)
    appointment = _appointment(theirs)
    client.force_login(mentor_user)
    assert _book(client, theirs).status_code == 404
    assert client.get(reverse("contacts:appointment_update", args=[appointment.pk])).status_code == 404
    assert client.post(reverse("contacts:appointment_update", args=[appointment.pk]), {}).status_code == 404
    assert client.post(reverse("contacts:appointment_cancel", args=[appointment.pk])).status_code == 404
    assert client.post(reverse("contacts:appointment_missed", args=[appointment.pk])).status_code == 404
    assert "Othercase" not in client.get(reverse("home")).content.decode()
    assert coming_up(mentor_user)["count"] == 0
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED and Appointment.objects.count() == 1


def test_cancelling_keeps_the_appointment_as_cancelled_and_audits_it(client, mentor_user, case):
    appointment = _appointment(case)
    client.force_login(mentor_user)
    response = client.post(reverse("contacts:appointment_cancel", args=[appointment.pk]))
    assert response.status_code == 302 and "Book the next session" in _told(response)[0]
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert AuditEvent.objects.filter(verb="appointment.cancelled", object_id=str(appointment.pk)).exists()
    assert client.get(reverse("contacts:appointment_update", args=[appointment.pk])).status_code == 404


def test_a_stale_edit_of_an_appointment_is_refused(client, mentor_user, case):
    appointment = _appointment(case)
    client.force_login(mentor_user)
    url = reverse("contacts:appointment_update", args=[appointment.pk])
    form = client.get(url).context["form"]
    original = form.snapshot()
    Appointment.objects.get(pk=appointment.pk).save()  # someone else saved it meanwhile
    data = {"date": appointment.date.isoformat(), "start_time": "11:00", "mode": Mode.VIDEO, "location": "",
            "place": "", "version": appointment.version, "original": original}
    response = client.post(url, data)
    assert response.status_code == 409
    appointment.refresh_from_db()
    assert appointment.start_time == time(10)
    data.update(version=appointment.version)
    assert client.post(url, data).status_code == 302
    appointment.refresh_from_db()
    assert (appointment.start_time, appointment.mode) == (time(11), Mode.VIDEO)


def test_the_home_panel_shows_todays_and_tomorrows_appointments_only(client, mentor_user, case):
    earlier, later = _appointment(case, days=0, at=time(9)), _appointment(case, days=1, at=time(15, 15))
    _appointment(case, days=-1)
    _appointment(case, days=2)
    _appointment(case, days=1, status=Appointment.Status.CANCELLED)
    days = coming_up(mentor_user)["days"]
    assert [day["appointments"] for day in days] == [[earlier], [later]]
    client.force_login(mentor_user)
    html = client.get(reverse("home")).content.decode()
    assert "Today and tomorrow" in html and "15:15" in html and case.client.name_for_header in html
    assert f"?appointment={earlier.pk}" in html
    # The home page records the read of every client a panel names (mentoring.dashboard.records_in).
    assert {earlier, later} <= set(records_in([coming_up(mentor_user)]))


def test_a_passed_appointment_is_due_and_did_not_attend_records_one_dna_contact_once(client, mentor_user, alice, case):
    passed = _appointment(case, days=-1, at=time(11, 30), mode=Mode.VIDEO)
    _appointment(case, days=1)  # not yet
    due = mentor_due(mentor_user)
    assert due["appointments"] == [passed] and due["due_count"] >= 1
    client.force_login(mentor_user)
    html = client.get(reverse("home")).content.decode()
    assert "Log it or mark did not attend" in html and reverse("contacts:appointment_missed", args=[passed.pk]) in html
    url = reverse("contacts:appointment_missed", args=[passed.pk])
    first = client.post(url)
    assert first.status_code == 302 and "Book the next session" in _told(first)[0]
    second = client.post(url)
    assert "already recorded" in _told(second)[-1]
    contact = Contact.objects.get(case=case)
    assert (contact.attendance, contact.mode, contact.date, contact.start_time, contact.mentor) == (
        Attendance.DID_NOT_ATTEND, Mode.VIDEO, passed.date, time(11, 30), alice)
    passed.refresh_from_db()
    assert (passed.status, passed.logged_contact) == (Appointment.Status.MISSED, contact)
    assert mentor_due(mentor_user)["appointments"] == []


def test_did_not_attend_is_refused_before_the_session_time(client, mentor_user, case):
    coming = _appointment(case, days=1)
    client.force_login(mentor_user)
    response = client.post(reverse("contacts:appointment_missed", args=[coming.pk]))
    assert "has not happened yet" in _told(response)[0] and not Contact.objects.exists()


def test_log_it_prefills_the_contact_form_and_links_the_contact(client, mentor_user, case):
    booked = _appointment(case, days=-1, at=time(16, 45), mode=Mode.PHONE, location="office", duration_minutes=30)
    client.force_login(mentor_user)
    url = f"{reverse('contacts:contact_create', args=[case.pk])}?appointment={booked.pk}"
    initial = client.get(url).context["form"].initial
    assert (initial["date"], initial["start_time"], initial["mode"], initial["location"], initial["duration_minutes"]) == (
        booked.date, time(16, 45), Mode.PHONE, "office", 30)
    response = client.post(url, {
        "date": booked.date.isoformat(), "start_time": "16:45", "duration_minutes": "30", "mode": Mode.PHONE,
        "attendance": Attendance.ATTENDED, "location": "office", "notes": "Talked about the interview",
    })
    assert response.status_code == 302
    contact = Contact.objects.get(case=case)
    booked.refresh_from_db()
    assert (booked.status, booked.logged_contact) == (Appointment.Status.ATTENDED, contact)
    assert mentor_due(mentor_user)["appointments"] == []


def test_log_it_ignores_an_appointment_on_another_mentors_case(client, mentor_user, bob, programme, case):
    theirs = _appointment(allocated_case(bob, programme), days=0, at=time(0))
    client.force_login(mentor_user)
    url = f"{reverse('contacts:contact_create', args=[case.pk])}?appointment={theirs.pk}"
    assert client.get(url).context["form"].initial["start_time"] != time(0)
    client.post(url, {"date": TODAY().isoformat(), "start_time": "10:00", "duration_minutes": "45",
                      "mode": Mode.FACE_TO_FACE, "attendance": Attendance.ATTENDED})
    theirs.refresh_from_db()
    assert theirs.status == Appointment.Status.BOOKED and theirs.logged_contact is None


def _home_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def test_the_home_panel_query_count_does_not_grow_with_appointments(
    client, mentor_user, alice, programme, django_assert_max_num_queries
):
    cases = [allocated_case(alice, programme) for _ in range(3)]
    _appointment(cases[0], days=0)
    _appointment(cases[0], days=-1)
    client.force_login(mentor_user)
    _home_queries(client)  # warm the per-process caches
    few = _home_queries(client)
    for case in cases:
        for days in (-2, -1, 0, 1):
            for hour in (9, 13, 17):
                _appointment(case, days=days, at=time(hour))
    with django_assert_max_num_queries(few):
        client.get(reverse("home"))
    assert coming_up(mentor_user)["count"] == 1 + 3 * 6


def test_the_demo_mentor_has_sessions_booked_today_and_tomorrow():
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    jess = get_user_model().objects.get(username="mentor")
    days = coming_up(jess)["days"]
    assert all(day["appointments"] for day in days)
    assert mentor_due(jess)["appointments"]


def test_a_passed_session_with_a_contact_logged_that_day_is_not_due(mentor_user, alice, case):
    logged = _appointment(case, days=-1)
    ContactFactory(case=case, mentor=alice, date=logged.date)
    unlogged = _appointment(allocated_case(alice, case.programme), days=-2)
    assert mentor_due(mentor_user)["appointments"] == [unlogged]


def test_the_lead_sees_passed_sessions_in_their_programmes_only(client, lead, alice, programme, other_programme):
    mine = _appointment(allocated_case(alice, programme), days=-1)
    _appointment(allocated_case(alice, other_programme), days=-1)
    due = lead_due(lead)
    assert (due["appointments"], due["appointment_count"]) == ([mine], 1)
    client.force_login(lead)
    html = client.get(reverse("home")).content.decode()
    assert "Booked sessions not logged" in html and f"?appointment={mine.pk}" in html


@pytest.mark.django_db(transaction=True)
def test_did_not_attend_pressed_on_two_screens_at_once_records_one_dna_contact(mentor_user, programme):
    from mentoring.tests.concurrency import run_together, signed_in_browsers

    from .factories import mentor_for

    case = allocated_case(mentor_for(mentor_user, programme), programme)
    passed = _appointment(case, days=-1)
    url = reverse("contacts:appointment_missed", args=[passed.pk])
    browsers = signed_in_browsers(mentor_user, mentor_user)
    # Both sends are held at the appointment's row lock, then race for it.
    outcomes = run_together(*[lambda b=b: b.post(url) for b in browsers], hold=Appointment.objects.filter(pk=passed.pk))
    assert [o.error for o in outcomes] == [None, None]
    assert [o.value.status_code for o in outcomes] == [302, 302]
    assert Contact.objects.filter(case=case, attendance=Attendance.DID_NOT_ATTEND).count() == 1
    assert AuditEvent.objects.filter(verb="appointment.missed").count() == 1
