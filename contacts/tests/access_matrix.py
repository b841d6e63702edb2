"""Access rows for contacts' URLs (tests/test_access_matrix.py).

A mentor sees and logs against cases with a current allocation to them only: a past
allocation or another mentor's case is a 404. CSV export is for leads and managers (the spend table is in reports).
"""

from mentoring.tests.access import Row, scoped_rows


def _goal(case):
    from contacts.models import Goal

    return Goal.objects.get_or_create(case=case, description="Get my provisional licence")[0].pk


def _appointment(case):
    from datetime import time, timedelta

    from django.utils import timezone

    from contacts.models import Appointment

    tomorrow = timezone.localdate() + timedelta(days=1)
    return Appointment.objects.get_or_create(case=case, date=tomorrow, start_time=time(10))[0].pk


def _appointment_of(name):
    return lambda w: {"pk": _appointment(getattr(w, name))}


def _live_feed_token(world):
    from contacts.models import CalendarFeed

    return {"token": CalendarFeed.create_for(world.alice.user)[1]}


def _revoked_feed_token(world):
    from contacts.models import CalendarFeed

    feed, token = CalendarFeed.create_for(world.alice.user)
    feed.delete()
    return {"token": token}


def _case_pk(name):
    return lambda w: {"case_pk": getattr(w, name).pk}


def _goal_of(name):
    return lambda w: {"pk": _goal(getattr(w, name))}


MATRIX = [
    # Log a contact
    *scoped_rows("contacts:contact_create", _case_pk, "my_case", "past_case", "other_case", "far_case"),
    # Didn't attend (POST, redirects back)
    Row("contacts:contact_missed", lambda w: {"case_pk": w.my_case.pk}, method="post",
        mentor=302, lead=302, manager=302),
    Row("contacts:contact_missed", lambda w: {"case_pk": w.other_case.pk}, method="post", label="other mentor",
        mentor=404, lead=302, manager=302),
    Row("contacts:contact_missed", lambda w: {"case_pk": w.far_case.pk}, method="post", label="other programme",
        mentor=404, lead=404, manager=302),
    # Edit a contact
    *scoped_rows("contacts:contact_update", lambda name: lambda w: {"pk": getattr(w, name).pk},
                 "my_contact", "other_contact"),
    # Group session
    Row("contacts:group_session_create", mentor=200, lead=200, manager=200),
    # Per-case contact list and CSV
    *scoped_rows("contacts:case_contacts", _case_pk, "my_case", "past_case", "other_case", "far_case"),
    Row("contacts:case_contacts_csv", lambda w: {"case_pk": w.my_case.pk}, lead=200, manager=200),
    Row("contacts:case_contacts_csv", lambda w: {"case_pk": w.far_case.pk}, label="other programme",
        lead=404, manager=200),
    # Support spend
    *scoped_rows("contacts:spend_create", _case_pk, "my_case", "other_case"),
    # Appointments: book, change, cancel (POST), did not attend (POST)
    *scoped_rows("contacts:appointment_create", _case_pk, "my_case", "past_case", "other_case", "far_case"),
    *scoped_rows("contacts:appointment_update", _appointment_of, "my_case", "past_case", "other_case", "far_case"),
    *[
        row for name in ("contacts:appointment_cancel", "contacts:appointment_missed") for row in (
            Row(name, _appointment_of("my_case"), method="post", mentor=302, lead=302, manager=302),
            Row(name, _appointment_of("other_case"), method="post", label="other mentor",
                mentor=404, lead=302, manager=302),
            Row(name, _appointment_of("far_case"), method="post", label="other programme",
                mentor=404, lead=404, manager=302),
        )
    ],
    # Goals
    *scoped_rows("contacts:goal_create", _case_pk, "my_case", "past_case"),
    *scoped_rows("contacts:goal_update", _goal_of, "my_case", "other_case", "far_case"),
    # Calendar feed: the page and its buttons are one's own (no id); the feed needs no sign-in,
    # its token is the secret, so everyone gets 200 for a live one and 404 for any other.
    Row("contacts:calendar_feed", mentor=200, lead=200, manager=200),
    Row("contacts:calendar_feed_create", method="post", mentor=200, lead=200, manager=200),
    Row("contacts:calendar_feed_revoke", method="post", mentor=302, lead=302, manager=302),
    Row("calendar:feed", _live_feed_token, label="live token", default=200, anonymous=200),
    Row("calendar:feed", _revoked_feed_token, label="revoked token", default=404, anonymous=404),
    Row("calendar:feed", lambda w: {"token": "not-a-real-token"}, label="unknown token", default=404, anonymous=404),
]
