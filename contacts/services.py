"""Workflows that write several rows at once: logging a contact, a group session, an edit."""

from datetime import date, time

from django.db import transaction
from django.utils import timezone

from clients.models import Case
from mentoring import audit
from mentoring.locking import StaleEdit
from mentoring.models import Programme
from mentors.models import Mentor

from .models import Attendance, Contact, GroupSession, Mode


class StaleContact(StaleEdit):
    """Someone else saved the contact after this edit began."""


def default_mentor(*, user, case) -> Mentor | None:
    """Who a contact is 'with': the user's own mentor profile, else the case's lead mentor."""
    profile = Mentor.objects.filter(user=user).first()
    if profile is not None:
        return profile
    allocation = case.allocations.current().leads().select_related("mentor").first()
    return allocation.mentor if allocation else None


def _close_earlier_follow_ups(contact: Contact) -> None:
    # An attended session is the follow-up: earlier next steps on the case are done.
    if contact.is_attended:
        Contact.objects.filter(case_id=contact.case_id, date__lte=contact.date).follow_ups_open().exclude(
            pk=contact.pk
        ).update(follow_up_done=True)


@transaction.atomic
def log_contact(*, contact: Contact, activities, by) -> Contact:
    """Save a new contact (built by the form), its activities, and close earlier follow-ups."""
    contact.created_by = by
    if contact.mentor_id is None:
        contact.mentor = default_mentor(user=by, case=contact.case)
    contact.full_clean()
    contact.save()
    contact.activities.set(activities)
    _close_earlier_follow_ups(contact)
    audit.record(by, "contact.logged", contact, attendance=contact.attendance)
    return contact


@transaction.atomic
def record_missed(*, case: Case, by, on: date | None = None) -> Contact:
    """A missed appointment in two taps: a 'did not attend' contact today."""
    contact = Contact(
        case=case, date=on or timezone.localdate(), start_time=timezone.localtime().time().replace(second=0, microsecond=0),
        mode=Mode.FACE_TO_FACE, attendance=Attendance.DID_NOT_ATTEND, created_by=by,
        mentor=default_mentor(user=by, case=case),
    )
    contact.full_clean()
    contact.save()
    audit.record(by, "contact.missed", contact)
    return contact


@transaction.atomic
def update_contact(*, contact: Contact, version: int, save_m2m, by) -> Contact:
    """Save an edit only if nobody else saved the contact since `version` was read.

    The save checks the version under the row lock (mentoring.locking): of two concurrent
    saves of the same version, the second is refused before anything is written.
    """
    contact.full_clean()
    try:
        contact.save(expected_version=version)
    except StaleEdit:
        raise StaleContact(Contact.objects.for_lists().get(pk=contact.pk)) from None
    save_m2m()
    _close_earlier_follow_ups(contact)
    audit.record(by, "contact.edited", contact, version=contact.version)
    return contact


@transaction.atomic
def record_group_session(
    *,
    programme: Programme,
    title: str,
    on: date,
    start_time: time | None,
    duration_minutes: int | None,
    location: str,
    notes: str,
    cases,
    activities,
    by,
) -> GroupSession:
    """Record one group session and an attended 'group' contact for each client present."""
    cases = list(cases)
    if not cases:
        raise ValueError("A group session needs at least one client present.")
    if any(case.programme_id != programme.pk for case in cases):
        raise ValueError("Every client present must have a case in the session's programme.")
    session = GroupSession(
        programme=programme, title=title, date=on, start_time=start_time, duration_minutes=duration_minutes,
        location=location, notes=notes, created_by=by,
    )
    session.full_clean()
    session.save()
    mentor = Mentor.objects.filter(user=by).first()
    activities = list(activities)
    for case in cases:
        contact = Contact(
            case=case, mentor=mentor or default_mentor(user=by, case=case), date=on, start_time=start_time,
            duration_minutes=duration_minutes, mode=Mode.GROUP, attendance=Attendance.ATTENDED, location=location,
            group_session=session, created_by=by,
        )
        contact.full_clean()
        contact.save()
        contact.activities.set(activities)
        _close_earlier_follow_ups(contact)
    audit.record(by, "group_session.recorded", session, clients=len(cases))
    return session
