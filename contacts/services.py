"""Workflows that write several rows at once: logging a contact, a group session, an edit."""

from datetime import date, time
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clients.models import Case
from mentoring import audit
from mentoring.locking import StaleEdit
from mentoring.models import Programme
from mentors.models import Mentor

from .models import Attendance, Contact, GroupSession, Mode


class StaleContact(StaleEdit):
    """Someone else saved the contact after this edit began."""


class AlreadyRecorded(Exception):
    """The form that carried this token was saved before: `record` is what it made."""

    def __init__(self, record):
        super().__init__("This form was already saved.")
        self.record = record


def recorded_with(model, *, token: UUID | None, **scope):
    """What a form with this one-time token already made (a contact, a group session), if anything."""
    if token is None:
        return None
    return model.objects.filter(submission_token=token, **scope).first()


def _save_once(record, *, token: UUID | None, **scope):
    """Insert `record` carrying the form's token; a second form with the same token is refused.

    Two sends of one form at the same moment both pass any check made first: the unique
    token is what decides. The loser's insert waits for the winner's transaction and then
    fails; a savepoint keeps our transaction usable to look up what the winner made.
    """
    record.submission_token = token
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        earlier = recorded_with(type(record), token=token) if token is not None else None
        if earlier is None:
            raise
        if any(getattr(earlier, name) != value for name, value in scope.items()):
            raise ValidationError("This form was already used for something else: open it again.") from None
        raise AlreadyRecorded(earlier) from None


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
def log_contact(*, contact: Contact, activities, by, token: UUID | None = None, spend=None) -> Contact:
    """Save a new contact (built by the form), its activities, and close earlier follow-ups.

    `token` is the form's one-time token: if a form with it was saved already, nothing is
    saved and AlreadyRecorded carries the contact it made. `spend`, an unsaved SupportSpend
    typed with the contact, is saved with it (on the contact's case and day), or not at all.
    """
    contact.created_by = by
    if contact.mentor_id is None:
        contact.mentor = default_mentor(user=by, case=contact.case)
    # The token's uniqueness is decided by the database, at the insert (_save_once).
    contact.full_clean(exclude=["submission_token"])
    _save_once(contact, token=token, case_id=contact.case_id)
    contact.activities.set(activities)
    _close_earlier_follow_ups(contact)
    audit.record(by, "contact.logged", contact, attendance=contact.attendance)
    if spend is not None:
        spend.case, spend.spent_on, spend.recorded_by = contact.case, contact.date, by
        spend.full_clean()
        spend.save()
        audit.record(by, "support_spend.recorded", spend, amount=str(spend.amount))
    return contact


MISSED_MODES = (Mode.FACE_TO_FACE, Mode.PHONE, Mode.VIDEO)


@transaction.atomic
def record_missed(*, case: Case, by, mode: str, token: UUID | None = None, on: date | None = None,
                  at: time | None = None, mentor: Mentor | None = None) -> Contact:
    """A missed appointment in two taps: a 'did not attend' contact now (or on the day and at
    the time `on` and `at` say: a booked appointment's), in the way it was meant to happen
    (face to face, phone or video), with no duration."""
    if mode not in MISSED_MODES:
        raise ValidationError("Choose how the contact was meant to happen: face to face, phone or video.")
    contact = Contact(
        case=case, date=on or timezone.localdate(),
        start_time=at or timezone.localtime().time().replace(second=0, microsecond=0),
        mode=mode, attendance=Attendance.DID_NOT_ATTEND, created_by=by, mentor=mentor or default_mentor(user=by, case=case),
    )
    contact.full_clean(exclude=["submission_token"])
    _save_once(contact, token=token, case_id=case.pk)
    audit.record(by, "contact.missed", contact, mode=mode)
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
    token: UUID | None = None,
) -> GroupSession:
    """Record one group session and an attended 'group' contact for each client present.

    `token` is the form's one-time token, as for log_contact: a second send records nothing.
    """
    cases = list(cases)
    if not cases:
        raise ValueError("A group session needs at least one client present.")
    if any(case.programme_id != programme.pk for case in cases):
        raise ValueError("Every client present must have a case in the session's programme.")
    session = GroupSession(
        programme=programme, title=title, date=on, start_time=start_time, duration_minutes=duration_minutes,
        location=location, notes=notes, created_by=by,
    )
    session.full_clean(exclude=["submission_token"])
    _save_once(session, token=token, programme_id=programme.pk, created_by_id=getattr(by, "pk", None))
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
