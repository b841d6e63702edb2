"""Allocation workflows: putting mentors beside clients, and taking them away, with history.
Closing and resuming a case are here too, as both depend on the case's allocations.

An allocation is never edited out of existence: re-allocating ends the old one (with the
day and the reason) and starts a new one, so "who was this client's mentor in March?" has
an answer. Every change is an audit event.
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clients.models import Case
from clients.registry import case_change
from mentoring import access, audit
from mentoring.auth import end_sessions

from . import matching
from .models import Allocation, Mentor

REALLOCATED = "Re-allocated"
CASE_CLOSED = "Case closed"
# `allocate_mentor(lead_seen_id=...)` left out: the caller showed nobody a page of the case.
NOT_SHOWN = object()


def current_lead(case, on=None):
    """The case's lead allocation in force on `on` (today), as the allocate page shows it."""
    return (
        Allocation.objects.current(on).leads().filter(case=case).select_related("mentor")
        .order_by("-started_on", "-id").first()
    )


def _check_lead_unchanged(*, case, lead_seen_id):
    now = current_lead(case)
    if (now.pk if now else None) == lead_seen_id:
        return
    if now is not None:
        change = f"{now.mentor} was allocated as lead mentor"
    else:
        seen = Allocation.objects.filter(case=case, pk=lead_seen_id).select_related("mentor").first()
        change = f"{seen.mentor}'s allocation as lead mentor ended" if seen else "the lead mentor changed"
    raise ValidationError(f"Since you opened this page, {change}. Check and allocate again.", code="stale")


def check_match(*, case, mentor, on, override_reason=""):
    """The match of `mentor` for `case`, refused with its words if a hard veto stops it, or a
    soft one does and no reason to override it was given."""
    found = matching.match_for(case, mentor, on=on)
    if found.hard_vetoes:
        words = "; ".join(v.words for v in found.hard_vetoes)
        raise ValidationError(f"{mentor} cannot be allocated: {words}.", code="veto")
    if found.soft_vetoes and not override_reason.strip():
        words = "; ".join(v.words for v in found.soft_vetoes)
        raise ValidationError(f"{mentor} is not offered ({words}): say why you override it.", code="override_needed")
    return found


def _end(allocation, *, on, reason, by):
    allocation.ended_on = on
    allocation.end_reason = reason
    allocation.full_clean()
    allocation.save(update_fields=["ended_on", "end_reason"])
    audit.record(
        by, "allocation.ended", allocation, client_id=allocation.case.client_id,
        mentor=allocation.mentor_id, case=allocation.case_id, role=allocation.role, on=on.isoformat(),
    )


def _queue_if_leaderless(case, *, on, by):
    """After a lead allocation ended on `on`: with no other lead from that day, the case goes
    back to 'to allocate'. True when it did."""
    if Allocation.objects.current(on).leads().filter(case=case).exists():
        return False
    was_active = case.status == Case.Status.ACTIVE
    case.await_allocation(by=by)
    return was_active


@case_change("close")
@transaction.atomic
def close_case(case: Case, *, reason, on: date | None = None, summary: str = "", by=None) -> Case:
    """Close `case` with a reason on `on` (today by default); its mentors' allocations end the
    same day, in the same transaction.

    `Case.record_closure` locks the case's row and checks its state inside the transaction: of
    two people closing it at once, the second is told it was already closed.
    """
    case.record_closure(reason=reason, on=on, summary=summary, by=by)
    Allocation.objects.filter(case=case, ended_on__isnull=True).update(ended_on=case.ended_on, end_reason=CASE_CLOSED)
    return case


@case_change("resume")
@transaction.atomic
def resume_case(case: Case, *, by=None) -> Case:
    """Resume a paused case: active again if a lead mentor's allocation is in force, otherwise
    back in 'to allocate'. The case is locked first, so no lead is allocated between the look
    and the change."""
    case.lock()
    has_lead = Allocation.objects.current().leads().filter(case=case).exists()
    case.record_resumption(has_lead=has_lead, by=by)
    return case


@transaction.atomic
def allocate_mentor(
    *, case: Case, mentor: Mentor, role: str = Allocation.Role.LEAD, by, on: date | None = None,
    override_reason: str = "", lead_seen_id: int | None = NOT_SHOWN,
) -> Allocation:
    """Allocate `mentor` to `case` from `on` (today by default).

    A case has one lead mentor: a new lead ends the current lead's allocation the same day
    ("Re-allocated"). Supporting mentors may be any number. A case waiting in the "to
    allocate" queue becomes active.

    `lead_seen_id` is the lead allocation (or None) the person's page showed: if the case's lead
    has changed since, nothing is allocated, so a page left open does not silently replace
    the mentor someone else allocated meanwhile.
    """
    on = on or timezone.localdate()
    # The case's row lock queues allocations to one case: each sees the one before it.
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == Case.Status.CLOSED:
        raise ValidationError("A closed case cannot be allocated; re-open it first.", code="stale")
    if lead_seen_id is not NOT_SHOWN:
        _check_lead_unchanged(case=case, lead_seen_id=lead_seen_id)
    found = check_match(case=case, mentor=mentor, on=on, override_reason=override_reason)
    current = list(Allocation.objects.current(on).filter(case=case).select_related("mentor", "case"))
    if role == Allocation.Role.LEAD:
        # A lead who starts after `on` would be a second current lead from their first day.
        later = (
            Allocation.objects.leads().filter(case=case, started_on__gt=on).select_related("mentor")
            .order_by("started_on").first()
        )
        if later is not None:
            raise ValidationError(
                f"{later.mentor} is due to start as lead mentor on {later.started_on:%-d %b %Y}: "
                "end that allocation first, or allocate from that day or later."
            )
    for allocation in current:
        if allocation.mentor_id == mentor.pk:
            if allocation.role == role:
                raise ValidationError(f"{mentor} is already the {allocation.get_role_display().lower()} on this case.")
            # A change of role is a new allocation: the history shows both.
            _end(allocation, on=on, reason=f"Became {Allocation.Role(role).label.lower()}", by=by)
    if role == Allocation.Role.LEAD:
        for allocation in current:
            if allocation.role == Allocation.Role.LEAD and allocation.mentor_id != mentor.pk:
                _end(allocation, on=on, reason=REALLOCATED, by=by)
    allocation = Allocation(
        case=case, mentor=mentor, role=role, started_on=on, override_reason=override_reason.strip(),
        allocated_by=by if getattr(by, "is_authenticated", False) else None,
        suggested=found.offered, overridden=[v.code for v in found.soft_vetoes],
    )
    allocation.full_clean()
    allocation.save()
    audit.record(
        by, "allocation.created", allocation, client_id=case.client_id, mentor=mentor.pk, case=case.pk,
        role=role, on=on.isoformat(), overridden=allocation.overridden, suggested=allocation.suggested,
    )
    case.activate(by=by)
    return allocation


@transaction.atomic
def allocate_proposals(*, pairs: list, by, on: date | None = None) -> list[Allocation]:
    """Allocate each (case, mentor) of a confirmed whole-list proposal as lead, all or nothing.

    Each case was waiting with no lead when the proposal was shown: one allocated since, a
    mentor who has no room now, or any other veto refuses the whole confirmation.
    """
    created = []
    for case, mentor in pairs:
        try:
            created.append(allocate_mentor(case=case, mentor=mentor, by=by, on=on, lead_seen_id=None))
        except ValidationError as error:
            raise ValidationError(
                f"Nothing was allocated. {case.client.name_for_header}: {error.messages[0]}", code="stale"
            ) from error
    return created


@transaction.atomic
def end_allocation(*, allocation: Allocation, on: date, reason: str, by) -> Allocation:
    """End an allocation on `on`: from that day the mentor no longer sees the case. Ending the
    lead mentor's allocation with no other lead puts the case back in 'to allocate'."""
    allocation = Allocation.objects.select_for_update().select_related("case", "mentor").get(pk=allocation.pk)
    if not reason.strip():
        raise ValidationError("Say why the allocation ends.")
    if allocation.ended_on is not None and allocation.ended_on <= timezone.localdate():
        raise ValidationError(
            f"{allocation.mentor}'s allocation already ended on {allocation.ended_on:%-d %b %Y}.", code="stale"
        )
    if allocation.ended_on is not None:
        # Already due to end (set by someone else since the page was opened): a second end
        # date would silently replace the first.
        raise ValidationError(
            f"{allocation.mentor}'s allocation is already due to end on {allocation.ended_on:%-d %b %Y}.", code="stale"
        )
    if on < allocation.started_on:
        raise ValidationError("An allocation cannot end before it started.")
    _end(allocation, on=on, reason=reason.strip(), by=by)
    if allocation.role == Allocation.Role.LEAD:
        _queue_if_leaderless(allocation.case, on=on, by=by)
    return allocation


@transaction.atomic
def reallocate_cases(
    *, from_mentor: Mentor, assignments: dict, reason: str, by, on: date | None = None,
    on_leave_until: date | None = None,
) -> list[Allocation]:
    """A mentor goes on leave, or hands cases over: move each case to its new mentor, in one
    transaction.

    `assignments` maps a case to the mentor taking it over, in the role `from_mentor` held.
    Cases left out keep their allocation; `on_leave_until` records leave. All or nothing: one
    bad row changes nothing. A mentor who leaves the service goes through `mark_mentor_left`.
    """
    on = on or timezone.localdate()
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why the cases are being re-allocated.")
    # Lock the mentor and every case (in id order, so two re-allocations never wait on each
    # other in a circle) before reading who holds what: a second re-allocation of the same
    # cases then finds them moved and changes nothing.
    from_mentor = Mentor.objects.select_for_update().get(pk=from_mentor.pk)
    list(Case.objects.select_for_update().filter(pk__in=[c.pk for c in assignments]).order_by("pk"))
    created = []
    for case, mentor in assignments.items():
        if mentor is None:
            continue
        if mentor.pk == from_mentor.pk:
            raise ValidationError(f"Choose a different mentor for {case.client}.")
        held = list(Allocation.objects.current(on).filter(case=case, mentor=from_mentor).select_related("case"))
        if not held:
            raise ValidationError(f"{from_mentor} has no current allocation on the case of {case.client}.")
        role = Allocation.Role.LEAD if any(a.role == Allocation.Role.LEAD for a in held) else Allocation.Role.SUPPORTING
        for allocation in held:
            _end(allocation, on=on, reason=reason, by=by)
        # The re-allocation's reason stands for any soft rule the lead chose to override.
        overrides = matching.match_for(case, mentor, on=on).soft_vetoes
        created.append(
            allocate_mentor(case=case, mentor=mentor, role=role, by=by, on=on, override_reason=reason if overrides else "")
        )
    if on_leave_until is not None:
        from_mentor.on_leave_until = on_leave_until
        from_mentor.full_clean()
        from_mentor.save(update_fields=["on_leave_until"])
    audit.record(
        by, "mentor.cases_reallocated", from_mentor, reason=reason, on=on.isoformat(), cases=len(created),
        on_leave_until=on_leave_until.isoformat() if on_leave_until else None,
    )
    return created


@dataclass
class Leaving:
    """What marking a mentor as left did, for the message to the lead."""

    reallocated: list = field(default_factory=list)  # the new allocations
    queued: list = field(default_factory=list)  # cases back in 'to allocate'
    signed_out: bool = False  # the mentor's sign-in was deactivated


@transaction.atomic
def mark_mentor_left(
    *, mentor: Mentor, reason: str, by, on: date | None = None, assignments: dict | None = None,
) -> Leaving:
    """A mentor has left the service (the re-allocation screen, or un-ticking "Active").

    Cases in `assignments` move to their new mentors (as `reallocate_cases`); every other
    allocation the mentor still holds ends on `on` (today by default), and each case left
    without a lead goes back to 'to allocate'. The mentor becomes inactive and, unless their
    account also holds another role, so does their sign-in, with its sessions ended: a leaver
    keeps no way into former clients' records.
    """
    today = timezone.localdate()
    on = on or today
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why the mentor is leaving.")
    if on > today:
        raise ValidationError("The day the mentor left cannot be in the future: record it on the day.")
    mentor = Mentor.objects.select_for_update(of=("self",)).select_related("user").get(pk=mentor.pk)
    leaving = Leaving()
    if assignments and any(assignments.values()):
        leaving.reallocated = reallocate_cases(from_mentor=mentor, assignments=assignments, reason=reason, by=by, on=on)
    held = list(Allocation.objects.filter(mentor=mentor).exclude(ended_on__lte=on).select_related("case"))
    for allocation in held:
        # One that had not started yet ends on its first day, so it is never in force.
        _end(allocation, on=max(on, allocation.started_on), reason=reason, by=by)
    for case in {a.case for a in held if a.role == Allocation.Role.LEAD}:
        if _queue_if_leaderless(case, on=on, by=by):
            leaving.queued.append(case)
    if mentor.active:
        mentor.active = False
        mentor.save(update_fields=["active"])
    user = mentor.user
    if user is not None and user.is_active and access.roles(user) <= {access.MENTOR}:
        user.is_active = False
        user.save(update_fields=["is_active"])
        end_sessions(user)
        leaving.signed_out = True
    audit.record(
        by, "mentor.left", mentor, reason=reason, on=on.isoformat(), reallocated=len(leaving.reallocated),
        ended=len(held), back_to_allocate=len(leaving.queued), signed_out=leaving.signed_out,
    )
    return leaving
