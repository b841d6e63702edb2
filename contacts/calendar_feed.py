"""A mentor's private calendar feed: their booked sessions as an ICS file a calendar app subscribes to.

Calendar apps (Google, Outlook, Apple) cannot sign in, so the feed's URL is its own secret: a
long random token. Only the token's SHA-256 is stored, so a copy of the database does not
hold working URLs; the full URL is shown once, when it is made. Revoking deletes the row, so
the old URL finds nothing and is a 404, the same 404 as a token that never existed.

What the feed says is deliberately thin: the client's initials, the time, and the place or
the mode. Never a full name, an offence, a risk or a note: a calendar is synced to phones,
shared with partners and read over shoulders.
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from icalendar import Calendar, Event

from mentors.models import Allocation

from .appointment_models import Appointment

LONDON = ZoneInfo("Europe/London")
DAYS_BACK, DAYS_AHEAD = 30, 90
# How often a fetch is noted on the feed's row: calendar apps poll every few minutes to hours.
FETCH_NOTE_EVERY = timedelta(hours=1)
DEFAULT_MINUTES = 60


def token_hash(token):
    """The stored form of a token: SHA-256, hex. A lookup by it is an index search on a value
    the caller cannot steer byte by byte, so a wrong token gives away nothing through timing."""
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeedQuerySet(models.QuerySet):
    def for_token(self, token):
        """The live feed for `token`, or None: an unknown token and a revoked one are alike."""
        return self.select_related("user").filter(token_hash=token_hash(token), user__is_active=True).first()


class CalendarFeed(models.Model):
    """One user's feed URL. At most one at a time; revoking deletes it, and a new one can be made."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Noted at most once an hour (FETCH_NOTE_EVERY), so a manager can see the feed is in use.
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    def __str__(self):
        return f"Calendar feed made {self.created_at:%-d %b %Y}"

    @classmethod
    def create_for(cls, user):
        """A new feed for `user`, replacing any old one, and its token: the only time it is known."""
        token = secrets.token_urlsafe(32)
        cls.objects.filter(user=user).delete()
        feed = cls.objects.create(user=user, token_hash=token_hash(token))
        return feed, token

    def note_fetch(self, now=None):
        """Record that the feed was fetched, at most once per FETCH_NOTE_EVERY (one UPDATE)."""
        now = now or timezone.now()
        if self.last_fetched_at is None or now - self.last_fetched_at >= FETCH_NOTE_EVERY:
            type(self).objects.filter(pk=self.pk).update(last_fetched_at=now)
            self.last_fetched_at = now


def feed_appointments(user, today=None):
    """The booked sessions in `user`'s feed, from DAYS_BACK ago to DAYS_AHEAD ahead.

    Through the access door first: nothing the user may no longer see. Then only their own:
    the sessions they are booked to take, and those on cases currently allocated to them (a
    lead's or manager's wider view is not their diary).
    """
    today = today or timezone.localdate()
    allocated = Allocation.objects.current(today).filter(mentor__user=user).values("case_id")
    own = Q(mentor__user=user) | Q(case_id__in=allocated)
    return (Appointment.objects.restrict(user, "view").booked()
            .filter(date__gte=today - timedelta(days=DAYS_BACK), date__lte=today + timedelta(days=DAYS_AHEAD))
            .filter(own).select_related("case__client").order_by("date", "start_time", "pk"))


def initials(client):
    """'J.E.': the preferred (or first) name's initial and the last name's. Nothing more."""
    first = (client.preferred_name or client.first_name or "").strip()[:1]
    last = (client.last_name or "").strip()[:1]
    return "".join(f"{letter.upper()}." for letter in (first, last) if letter) or "a client"


def where(appointment):
    """The place typed, or the mode in words ('Phone', 'Video', 'Face to face')."""
    return appointment.place or appointment.get_mode_display()


def _event(appointment, stamp):
    start = datetime.combine(appointment.date, appointment.start_time, tzinfo=LONDON)
    event = Event()
    event.add("uid", f"appointment-{appointment.pk}@waymark")
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=appointment.duration_minutes or DEFAULT_MINUTES))
    event.add("summary", f"Session with {initials(appointment.case.client)}")
    event.add("location", where(appointment))
    event.add("description", "Booked in Waymark. Open Waymark for the client's details.")
    event.add("status", "CONFIRMED")
    event.add("sequence", appointment.version or 0)
    return event


def build_ics(appointments, now=None):
    """The feed as ICS bytes: one VEVENT per appointment, times in Europe/London."""
    stamp = now or timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//Waymark//Calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Waymark sessions")
    calendar.add("x-wr-timezone", "Europe/London")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    for appointment in appointments:
        calendar.add_component(_event(appointment, stamp))
    # Europe/London's rules for the feed's window (with a year's margin), not since 1970: smaller.
    today = timezone.localdate(stamp)
    calendar.add_missing_timezones(first_date=today - timedelta(days=DAYS_BACK + 365),
                                   last_date=today + timedelta(days=DAYS_AHEAD + 365))
    return calendar.to_ical()
