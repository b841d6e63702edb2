"""A mentor's private calendar feed: initials, times and places only; revocable; a wrong token is a 404."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from contacts.appointment_models import Appointment
from contacts.calendar_feed import CalendarFeed, token_hash
from contacts.models import Mode
from mentoring.models import AuditEvent

from .factories import allocated_case

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _appointment(case, mentor, days=1, at=time(10), **fields):
    return Appointment.objects.create(case=case, mentor=mentor, date=TODAY() + timedelta(days=days), start_time=at,
                                      **fields)


def _jordan_case(alice, programme):
    return allocated_case(alice, programme, client__first_name="Jordan", client__last_name="Evans")


def _feed_url(user):
    return reverse("calendar:feed", args=[CalendarFeed.create_for(user)[1]])


def _events(response):
    return [c for c in Calendar.from_ical(response.content).walk("VEVENT")]


def test_the_feed_is_valid_ics_with_initials_and_place_only(client, mentor_user, alice, programme):
    case = _jordan_case(alice, programme)
    booked = _appointment(case, alice, days=2, at=time(14, 30), duration_minutes=45, place="Costa on the High Street")
    _appointment(case, alice, days=3, mode=Mode.PHONE)
    response = client.get(_feed_url(mentor_user))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    first, second = _events(response)
    assert str(first["summary"]) == "Session with J.E."
    assert str(first["location"]) == "Costa on the High Street" and str(second["location"]) == "Phone"
    start = datetime.combine(booked.date, time(14, 30), tzinfo=ZoneInfo("Europe/London"))
    assert first.decoded("dtstart") == start and first.decoded("dtend") == start + timedelta(minutes=45)
    assert str(first["uid"]) == f"appointment-{booked.pk}@waymark" and str(first["status"]) == "CONFIRMED"
    body = response.content.decode()
    assert "Jordan" not in body and "Evans" not in body


def test_the_feed_uses_the_preferred_name_initial(client, mentor_user, alice, programme):
    case = allocated_case(alice, programme, client__first_name="Jonathan", client__last_name="Evans",
                          client__preferred_name="Ben")
    _appointment(case, alice)
    (event,) = _events(client.get(_feed_url(mentor_user)))
    assert str(event["summary"]) == "Session with B.E."


def test_revoking_the_feed_makes_the_old_url_404(client, mentor_user, alice, case):
    _appointment(case, alice)
    client.force_login(mentor_user)
    url = client.post(reverse("contacts:calendar_feed_create")).context["new_url"]
    path = url.split("testserver", 1)[1]
    assert client.get(path).status_code == 200
    client.post(reverse("contacts:calendar_feed_revoke"))
    assert client.get(path).status_code == 404
    assert not CalendarFeed.objects.filter(user=mentor_user).exists()
    verbs = list(AuditEvent.objects.filter(user=mentor_user, verb__startswith="calendar_feed.")
                 .order_by("pk").values_list("verb", flat=True))
    assert verbs == ["calendar_feed.created", "calendar_feed.revoked"]
    new_url = client.post(reverse("contacts:calendar_feed_create")).context["new_url"]
    assert new_url != url and client.get(new_url.split("testserver", 1)[1]).status_code == 200


def test_making_a_new_url_retires_the_old_one(client, mentor_user):
    old = _feed_url(mentor_user)
    new = _feed_url(mentor_user)
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200


def test_the_new_url_is_shown_once_and_kept_nowhere(client, mentor_user):
    client.force_login(mentor_user)
    made = client.post(reverse("contacts:calendar_feed_create"))
    url = made.context["new_url"]
    assert url.endswith(".ics") and url in made.content.decode()
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert token not in str(dict(client.session))
    again = client.get(reverse("contacts:calendar_feed"))
    assert again.context["new_url"] == "" and token not in again.content.decode()


def test_an_unknown_token_is_a_404_like_a_revoked_one(client, mentor_user):
    feed, token = CalendarFeed.create_for(mentor_user)
    feed.delete()
    revoked = client.get(reverse("calendar:feed", args=[token]))
    unknown = client.get(reverse("calendar:feed", args=["x" * 43]))
    assert revoked.status_code == unknown.status_code == 404
    assert revoked.content == unknown.content and revoked["Content-Type"] == unknown["Content-Type"]


def test_a_deactivated_users_feed_is_a_404(client, mentor_user):
    url = _feed_url(mentor_user)
    mentor_user.is_active = False
    mentor_user.save()
    assert client.get(url).status_code == 404


def test_a_cancelled_appointment_is_not_in_the_feed(client, mentor_user, alice, case):
    kept = _appointment(case, alice, days=1)
    _appointment(case, alice, days=2, status=Appointment.Status.CANCELLED)
    _appointment(case, alice, days=-3, status=Appointment.Status.ATTENDED)
    _appointment(case, alice, days=91)
    _appointment(case, alice, days=-31)
    uids = [str(e["uid"]) for e in _events(client.get(_feed_url(mentor_user)))]
    assert uids == [f"appointment-{kept.pk}@waymark"]


def test_a_mentor_feed_holds_only_their_own_appointments(client, mentor_user, alice, bob, programme):
    mine = _appointment(_jordan_case(alice, programme), alice)
    theirs = _appointment(allocated_case(bob, programme), bob)
    ended = allocated_case(alice, programme, ended_on=TODAY() - timedelta(days=1))
    _appointment(ended, alice, days=2)  # a case no longer allocated to alice: out of the door
    uids = [str(e["uid"]) for e in _events(client.get(_feed_url(mentor_user)))]
    assert uids == [f"appointment-{mine.pk}@waymark"]
    assert f"appointment-{theirs.pk}@waymark" not in uids


def test_the_token_is_stored_hashed(mentor_user):
    feed, token = CalendarFeed.create_for(mentor_user)
    feed.refresh_from_db()
    assert len(token) >= 43
    assert feed.token_hash == token_hash(token) and token not in feed.token_hash
    assert not any(token in str(value) for value in vars(feed).values())


def test_a_fetch_is_noted_at_most_once_an_hour(client, mentor_user):
    url = _feed_url(mentor_user)
    client.get(url)
    first = CalendarFeed.objects.get(user=mentor_user).last_fetched_at
    assert first is not None
    client.get(url)
    assert CalendarFeed.objects.get(user=mentor_user).last_fetched_at == first
    CalendarFeed.objects.filter(user=mentor_user).update(last_fetched_at=first - timedelta(hours=2))
    client.get(url)
    assert CalendarFeed.objects.get(user=mentor_user).last_fetched_at > first
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).exists()  # no read event per name


def test_the_feed_page_is_in_the_account_menu(client, mentor_user):
    client.force_login(mentor_user)
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("contacts:calendar_feed")}"' in home
    page = client.get(reverse("contacts:calendar_feed")).content.decode()
    assert "From URL" in page and "Subscribe from web" in page and "New calendar subscription" in page


def test_the_access_log_leaves_out_the_feed_token():
    """The token is the feed's only secret: system logs are read by more people than the app."""
    import runpy
    from pathlib import Path

    config = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    token = "a" * 43
    assert config["redact_path"](f"/calendar/{token}.ics") == "/calendar/[token].ics"
    assert config["redact_path"]("/clients/12/") == "/clients/12/"
    assert config["logger_class"].__name__ == "RedactingLogger"
