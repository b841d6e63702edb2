"""Appointments: the next session booked with a client, so it can be planned for and chased.

An appointment is a plan, never a contact: the reports count contacts only. It becomes one
when the session is logged (attended, linked to that contact) or when it is marked as a 'did
not attend' (missed, linked to the DNA contact recorded for it). Kept in its own module to
keep contacts/models.py readable; contacts/models.py imports it so Django finds the model.
"""

from datetime import datetime

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from clients.models import Case
from mentoring.locking import VersionedModel
from mentoring.querysets import RestrictedQuerySet
from mentors.models import Mentor

from .models import Contact, Location, Mode

# How a session is booked to happen: the ways a DNA contact can be recorded in
# (contacts.services.MISSED_MODES); a text message or a group is not a booked session.
BOOKABLE_MODES = [(Mode.FACE_TO_FACE.value, Mode.FACE_TO_FACE.label), (Mode.PHONE.value, Mode.PHONE.label),
                  (Mode.VIDEO.value, Mode.VIDEO.label)]


class AppointmentQuerySet(RestrictedQuerySet):
    def booked(self):
        return self.filter(status=Appointment.Status.BOOKED)

    def on_days(self, *days):
        return self.booked().filter(date__in=days)

    def passed(self, now=None):
        """Booked appointments whose start has gone by with no contact logged on the case that
        day: a session logged from the client's card, not through "Log it", still counts."""
        now = timezone.localtime(now)
        logged_that_day = Contact.objects.filter(case=OuterRef("case"), date=OuterRef("date"))
        return self.booked().filter(Q(date__lt=now.date()) | Q(date=now.date(), start_time__lte=now.time())).exclude(
            Exists(logged_that_day))


class Appointment(VersionedModel):
    """The next session booked with a client on a case: when, how or where, and with whom."""

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        ATTENDED = "attended", "Attended"
        MISSED = "missed", "Did not attend"
        CANCELLED = "cancelled", "Cancelled"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="appointments")
    date = models.DateField()
    start_time = models.TimeField("time")
    duration_minutes = models.PositiveSmallIntegerField("how long (minutes)", null=True, blank=True)
    mode = models.CharField("how", max_length=20, choices=Mode.choices, default=Mode.FACE_TO_FACE)
    location = models.CharField("where", max_length=30, choices=Location.choices, blank=True)
    place = models.CharField("place", max_length=200, blank=True,
                             help_text="e.g. 'Costa on the High Street'. Not an address if you can avoid it.")
    # With whom: a mentor (contacts sits above mentors, as Contact.mentor does).
    mentor = models.ForeignKey(Mentor, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointments",
                               verbose_name="with")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.BOOKED)
    # The contact it became: the session logged for it, or the 'did not attend' recorded.
    logged_contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="appointments", verbose_name="logged as")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The booking form's one-time token: a double tap books one appointment, not two.
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    access_path = "case"  # whose row this is, for mentoring.access.restrict
    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["date", "start_time", "id"]
        indexes = [
            # The home panel and the due list: the few booked appointments, by day.
            models.Index(fields=["case", "date"], name="appointment_booked_case_date",
                         condition=Q(status="booked")),
        ]

    def __str__(self):
        return f"Appointment on {self.date:%-d %b %Y} at {self.start_time:%H:%M}"

    @property
    def audit_client_id(self):
        return self.case.client_id

    @property
    def is_booked(self):
        return self.status == self.Status.BOOKED

    @property
    def where(self):
        """How or where, in words: 'Phone', 'Face to face, Café: Costa on the High Street'."""
        parts = [self.get_mode_display()]
        if self.location:
            parts.append(self.get_location_display())
        text = ", ".join(parts)
        return f"{text}: {self.place}" if self.place else text

    def starts_at(self):
        return timezone.make_aware(datetime.combine(self.date, self.start_time))


auditlog.register(Appointment, exclude_fields=["version"])
