"""Booking, changing and closing appointments: each state change under the row lock.

An appointment moves from booked to exactly one of attended, missed or cancelled. Each
change takes the row with select_for_update() and checks it is still booked inside the
transaction, so two taps (or two people) cannot mark it twice or record two DNA contacts.
"""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mentoring import audit

from .appointment_models import Appointment
from .models import Contact
from .services import MISSED_MODES, AlreadyRecorded, _save_once, default_mentor, record_missed


class NotBooked(Exception):
    """The appointment was already logged, marked missed or cancelled: `appointment` as stored."""

    def __init__(self, appointment):
        super().__init__(f"This appointment is {appointment.get_status_display().lower()}.")
        self.appointment = appointment


def _detail(appointment):
    return {"on": appointment.date.isoformat(), "at": f"{appointment.start_time:%H:%M}"}


@transaction.atomic
def book(*, appointment: Appointment, by, token: UUID | None = None) -> Appointment:
    """Save a new appointment built by the form; a second send of the same form books nothing.

    With no one named, it is with the user's own mentor profile, else the case's lead mentor.
    """
    appointment.created_by = by
    if appointment.mentor_id is None:
        appointment.mentor = default_mentor(user=by, case=appointment.case)
    appointment.full_clean(exclude=["submission_token"])
    _save_once(appointment, token=token, case_id=appointment.case_id)
    audit.record(by, "appointment.booked", appointment, **_detail(appointment))
    return appointment


def _locked(appointment):
    """The stored row, locked; NotBooked if it is no longer booked."""
    stored = Appointment.objects.select_for_update().select_related("case__client").get(pk=appointment.pk)
    if not stored.is_booked:
        raise NotBooked(stored)
    return stored


@transaction.atomic
def update(*, appointment: Appointment, version: int, fields, by) -> Appointment:
    """Save an edit of a booked appointment, refused (StaleEdit) if someone saved it since `version`."""
    _locked(appointment)
    appointment.full_clean(exclude=["submission_token"])
    appointment.save(expected_version=version, update_fields=fields)
    audit.record(by, "appointment.edited", appointment, **_detail(appointment))
    return appointment


@transaction.atomic
def cancel(*, appointment: Appointment, by) -> Appointment:
    """Cancel a booked appointment: the row stays, as cancelled, so the history shows it."""
    stored = _locked(appointment)
    stored.status = Appointment.Status.CANCELLED
    stored.save(update_fields=["status"])
    audit.record(by, "appointment.cancelled", stored, **_detail(stored))
    return stored


@transaction.atomic
def attended(*, appointment: Appointment, contact: Contact, by) -> Appointment | None:
    """The contact logged from "Log it" is this appointment's: mark it attended and link them.

    A contact saying the client did not attend (or cancelled) closes it the same way, as missed
    or cancelled. Nothing happens if it was closed meanwhile (None).
    """
    try:
        stored = _locked(appointment)
    except NotBooked:
        return None
    statuses = {"attended": Appointment.Status.ATTENDED, "did_not_attend": Appointment.Status.MISSED}
    stored.status = statuses.get(contact.attendance, Appointment.Status.CANCELLED)
    stored.logged_contact = contact
    stored.save(update_fields=["status", "logged_contact"])
    audit.record(by, "appointment.attended", stored, logged_contact=contact.pk, status=stored.status)
    return stored


@transaction.atomic
def missed(*, appointment: Appointment, by) -> Contact:
    """'Did not attend' on a passed appointment: one DNA contact, recorded as record_missed does,
    on the appointment's day and time and in its mode; the appointment is marked missed.

    Pressed twice, the second finds the appointment no longer booked and raises AlreadyRecorded
    with the contact the first made: the lock makes the check and the change one step.
    """
    try:
        stored = _locked(appointment)
    except NotBooked as closed:
        if closed.appointment.logged_contact_id is not None:
            raise AlreadyRecorded(closed.appointment.logged_contact) from None
        raise
    if stored.starts_at() > timezone.now():
        raise ValidationError("This session has not happened yet: mark it once its time has passed.")
    mode = stored.mode if stored.mode in MISSED_MODES else MISSED_MODES[0]
    contact = record_missed(case=stored.case, by=by, mode=mode, on=stored.date, at=stored.start_time,
                            mentor=stored.mentor)
    stored.status, stored.logged_contact = Appointment.Status.MISSED, contact
    stored.save(update_fields=["status", "logged_contact"])
    audit.record(by, "appointment.missed", stored, logged_contact=contact.pk)
    return contact
