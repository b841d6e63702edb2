"""Anonymisation of a client's record, on request (two managers) or by retention.

`anonymise_client(*, client, by, reason)` removes personal identifiers and free text while keeping
every date, code and score, so report figures for past periods do not change.
`request_erasure` / `approve_erasure` / `cancel_erasure`: erasure on request, with a second
manager's approval before anything is removed.

Decisions about what anonymisation keeps (documented here because they are policy):
- Names become "Anonymised client"; client_ref becomes a random "ANON-..." token (so the row
  stays unique and recognisable as anonymised); probation and police references, phone, email,
  address, postcode, first language and disability details are cleared.
- Area (a borough or town), gender, ethnicity, risk level and the yes/no characteristics stay:
  the report filters by area, gender and ethnicity, and past figures must not change. An area
  is coarse; with the exact date of birth and postcode gone it no longer points at one person.
- The date of birth moves to the earliest day of the same year that gives the same whole-year
  age on every day an age is taken: each case's `started_on` (METRICS.md age bands) and each
  referral's `received_on` (the report's age-band filter on referrals). With no such day's
  month/day before the birthday, that is 1 January; otherwise the day after the latest one
  before it. Age bands therefore never change.
- Every field a model about the client declares personal in its app's `personal_data.py`
  (mentoring.personal_fields) is blanked or replaced as declared: free text everywhere (notes,
  next steps, goals, summaries, referral needs and referrer details, offence descriptions, flag
  details, score comments, questionnaire comments, spend notes, achievement details, case
  studies, allocation reasons, mentor-conflict notes) and references.
  Group-session notes are shared by several clients and are left alone (`erased=False`).
- The audit trail is not touched: its tables refuse UPDATE and DELETE (a database trigger), so
  it is kept free of personal data from the start instead. Change history (django-auditlog)
  records that a name, reference, contact detail or free-text field changed but not its value
  (the same declarations; mentoring.audit) and describes a row by its kind and id, never by the
  person's name; audit events hold ids and codes. What the trail says about the client after
  anonymisation is who did what, when, to record number N. The one free text an audit event
  keeps is an erasure's reason, refused when it names the person or their references.
"""

from datetime import date, timedelta

from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from clients.models import Case, Client
from clients.personal_data import ANONYMISED_FIRST_NAME, ANONYMISED_LAST_NAME
from mentoring import audit, personal_fields
from referrals.models import Referral

from .models import ErasureRequest
from .records import client_rows

__all__ = ["ANONYMISED_FIRST_NAME", "ANONYMISED_LAST_NAME", "anonymise_client", "anonymised_date_of_birth",
           "approve_erasure", "cancel_erasure", "reason_names_the_person", "request_erasure"]

REMOVED = "[removed]"  # django's admin log of the client's rows

# ---- Anonymisation --------------------------------------------------------------------------


def anonymised_date_of_birth(date_of_birth, age_days):
    """The earliest day in the same year giving the same whole-year age on every day given.

    Age on a day is `year difference - (day's (month, day) < birthday's (month, day))`, so it is
    kept exactly when every day's (month, day) compares the same with the new birthday.
    """
    birthday = (date_of_birth.month, date_of_birth.day)
    before = [(d.month, d.day) for d in age_days if (d.month, d.day) < birthday]
    candidate = date(date_of_birth.year, 1, 1)
    if not before:
        return candidate
    latest = max(before)
    while (candidate.month, candidate.day) <= latest:
        candidate += timedelta(days=1)
    return candidate


@transaction.atomic
def anonymise_client(*, client: Client, by, reason: str, trigger: str = "erasure") -> Client:
    """Remove personal identifiers and free text from a client's record, keeping the figures.

    Plain queryset updates, not saves: a change-history entry of the anonymisation itself
    would only say that every personal field changed. The audit trail is left as it is: it
    holds no personal data (see the module docstring), and its tables refuse changes.
    """
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.is_anonymised:
        raise ValidationError("This client has already been anonymised.", code="stale")
    pk = client.pk
    age_days = [
        *Case.objects.filter(client_id=pk).values_list("started_on", flat=True),
        *Referral.objects.filter(client_id=pk).values_list("received_on", flat=True),
    ]
    admin_q = Q(pk__in=[])
    for model, rows in client_rows(pk):
        ids = [str(i) for i in rows.values_list("pk", flat=True)]
        if ids:
            admin_q |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
    AdminLogEntry.objects.filter(admin_q).update(object_repr=REMOVED, change_message="")

    # Every field each app declares personal (`<app>/personal_data.py`), blanked or replaced as
    # declared; the date of birth is moved here, where the ages it must keep are known.
    for declaration in personal_fields.client_declarations():
        if not declaration.erased:
            continue
        values = declaration.erasure_values()
        if declaration.model is Client:
            values.update(date_of_birth=anonymised_date_of_birth(client.date_of_birth, age_days),
                          anonymised_at=timezone.now(), updated_at=timezone.now())
        if any(f.name == "version" for f in declaration.model._meta.concrete_fields):
            # Each versioned record scrubbed here gets a new version, so an edit form opened
            # before the anonymisation is refused instead of writing the personal data back.
            values["version"] = F("version") + 1
        if values:
            declaration.rows_of(pk).update(**values)

    user = by if by is not None and getattr(by, "is_authenticated", False) else None
    if trigger == "retention":
        # A pending erasure request has nothing left to do once retention has run.
        ErasureRequest.objects.pending().for_client(pk).update(
            status=ErasureRequest.Status.CANCELLED, cancelled_by=user, cancelled_at=timezone.now()
        )
    audit.record(
        by, "client.anonymised", client, action=audit.Action.ANONYMISE, client_id=pk,
        reason=reason, trigger=trigger,
    )
    client.refresh_from_db()
    return client


# ---- Erasure on request ---------------------------------------------------------------------


def reason_names_the_person(reason, client):
    """True when the reason contains the person's name or a reference that identifies them."""
    text = (reason or "").casefold()
    words = [client.first_name, client.last_name, client.preferred_name, client.client_ref,
             client.probation_ref, client.police_ref]
    return any(word and len(word) > 1 and word.casefold() in text for word in words)


@transaction.atomic
def request_erasure(*, client: Client, by, reason: str) -> ErasureRequest:
    # The client's row lock queues two managers asking at once: the second finds the first's request.
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.is_anonymised:
        raise ValidationError("This client has already been anonymised.", code="stale")
    if ErasureRequest.objects.pending().for_client(client.pk).exists():
        raise ValidationError("An erasure request for this client is already waiting for approval.", code="stale")
    if reason_names_the_person(reason, client):
        raise ValidationError("Leave the person's name and references out of the reason.")
    erasure = ErasureRequest(client_id=client.pk, requested_by=by, reason=reason.strip())
    erasure.full_clean()
    erasure.save()
    audit.record(by, "erasure.requested", erasure, action=audit.Action.STATE, client_id=client.pk, reason=erasure.reason)
    return erasure


def _locked_pending(erasure):
    """The request again, locked for this transaction; a ValidationError if it is no longer pending."""
    erasure = ErasureRequest.objects.select_for_update().get(pk=erasure.pk)
    if not erasure.is_pending:
        raise ValidationError(f"This request is no longer waiting for approval: it was {erasure.outcome_in_words()}.",
                              code="stale")
    return erasure


@transaction.atomic
def approve_erasure(*, erasure: ErasureRequest, by) -> Client:
    """The second manager's approval: only then is the client anonymised."""
    erasure = _locked_pending(erasure)
    if not erasure.may_be_approved_by(by):
        raise PermissionDenied("A different manager must approve an erasure you requested.")
    client = Client.objects.get(pk=erasure.client_id)
    ErasureRequest.objects.filter(pk=erasure.pk).update(
        status=ErasureRequest.Status.COMPLETED, approved_by=by, approved_at=timezone.now()
    )
    audit.record(by, "erasure.approved", erasure, action=audit.Action.STATE, client_id=client.pk)
    return anonymise_client(client=client, by=by, reason=erasure.reason, trigger="erasure")


@transaction.atomic
def cancel_erasure(*, erasure: ErasureRequest, by) -> ErasureRequest:
    erasure = _locked_pending(erasure)
    erasure.status = ErasureRequest.Status.CANCELLED
    erasure.cancelled_by = by
    erasure.cancelled_at = timezone.now()
    erasure.save(update_fields=["status", "cancelled_by", "cancelled_at"])
    audit.record(by, "erasure.cancelled", erasure, action=audit.Action.STATE, client_id=erasure.client_id)
    return erasure

