"""Subject-access export, retention and anonymisation of a client's record.

- `subject_access_sections(client_pk)`: everything held about a person, by kind, in a fixed
  number of queries; the JSON download and the PDF both render this one result.
- `clients_due_for_anonymisation()`: who the retention policy (`RETENTION_YEARS`) has caught.
- `anonymise_client(*, client, by, reason)`: removes personal identifiers and free text while
  keeping every date, code and score, so report figures for past periods do not change.
- `request_erasure` / `approve_erasure` / `cancel_erasure`: erasure on request, with a second
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
- Free text everywhere in the record is blanked (notes, next steps, goals, summaries, referral
  needs and referrer details, offence descriptions, flag details, score comments, questionnaire
  comments, spend notes, achievement details, case studies, allocation reasons).
  Group-session notes are shared by several clients and are left alone.
- The audit trail is not touched: its tables refuse UPDATE and DELETE (a database trigger), so
  it is kept free of personal data from the start instead. Change history (django-auditlog)
  records that a name, reference, contact detail or free-text field changed but not its value
  (settings.AUDITLOG_MASK_TRACKING_FIELDS) and describes a row by its kind and id, never by the
  person's name; audit events hold ids and codes. What the trail says about the client after
  anonymisation is who did what, when, to record number N. The one free text an audit event
  keeps is an erasure's reason, refused when it names the person or their references.
"""

import json
import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal

from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import DateField, Exists, F, Max, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import dateformat, timezone

from clients.models import Case, Client, RiskFlag
from clients.names import folded_names
from contacts.models import Contact, Goal, SupportSpend
from mentoring import audit
from mentoring.models import AuditEvent, ErasureRequest
from mentors.models import Allocation
from outcomes.models import (
    Achievement,
    Answer,
    Assessment,
    CustodyPeriod,
    Offence,
    Questionnaire,
    Score,
)
from referrals.models import Referral
from reports.models import CaseStudy

ANONYMISED_FIRST_NAME = "Anonymised"
ANONYMISED_LAST_NAME = "client"
REMOVED = "[removed]"  # django's admin log of the client's rows

# ---- Which rows belong to a client ----------------------------------------------------------

# (model, lookup from the model to the client's id, the field that points at the parent, the
# parent's lookup): the last two find change history of rows already deleted.
CLIENT_MODELS = [
    (Client, "pk", None),
    (RiskFlag, "client_id", "client"),
    (Case, "client_id", "client"),
    (Referral, "client_id", "client"),
    (Offence, "client_id", "client"),
    (CustodyPeriod, "client_id", "client"),
    (Allocation, "case__client_id", "case"),
    (Contact, "case__client_id", "case"),
    (SupportSpend, "case__client_id", "case"),
    (Goal, "case__client_id", "case"),
    (Assessment, "case__client_id", "case"),
    (Achievement, "case__client_id", "case"),
    (Questionnaire, "case__client_id", "case"),
    (CaseStudy, "case__client_id", "case"),
    (Score, "assessment__case__client_id", "assessment"),
    (Answer, "questionnaire__case__client_id", "questionnaire"),
]


def client_rows(client_id):
    """(model, queryset) for every model holding rows about the client."""
    return [(model, model.objects.filter(**{lookup: client_id})) for model, lookup, _ in CLIENT_MODELS]


def change_history_q(client_id, *, pk_lists=None):
    """A Q over auditlog LogEntry: the change history of the client's rows.

    One query when used in a filter: each model contributes a subquery. With `pk_lists`
    (materialised ids), deleted rows are found too, through the parent id in their history.
    """
    types = ContentType.objects.get_for_models(*[model for model, _, _ in CLIENT_MODELS])
    query = Q(pk__in=[])
    for model, lookup, parent in CLIENT_MODELS:
        ct = types[model]
        ids = model.objects.filter(**{lookup: client_id}).values("pk")
        query |= Q(content_type=ct, object_id__in=ids)
        if pk_lists is not None and parent:
            parent_ids = [str(pk) for pk in pk_lists.get(parent, [])]
            if parent_ids:
                query |= Q(content_type=ct, **{f"changes__{parent}__1__in": parent_ids})
                query |= Q(content_type=ct, **{f"changes__{parent}__0__in": parent_ids})
    return query


# ---- Retention ------------------------------------------------------------------------------


def retention_cutoff(today=None):
    """Clients whose last case closed before this day are due for anonymisation."""
    today = today or timezone.localdate()
    return today - relativedelta(years=settings.RETENTION_YEARS)


def clients_due_for_anonymisation(today=None):
    """Clients not yet anonymised whose every case is closed, the last more than
    RETENTION_YEARS ago. A client who never had a case (declined or withdrawn referrals only)
    is due the same time after their last referral was decided."""
    cutoff = retention_cutoff(today)
    cases = Case.objects.filter(client=OuterRef("pk"))
    last_closed = Subquery(
        cases.values("client").annotate(last=Max("ended_on")).values("last")[:1], output_field=DateField()
    )
    caseless_referrals = Referral.objects.filter(client=OuterRef("pk"), case__isnull=True)
    last_referral = Subquery(
        caseless_referrals.values("client")
        .annotate(last=Max(Coalesce("decided_on", "received_on")))
        .values("last")[:1],
        output_field=DateField(),
    )
    return (
        Client.objects.not_anonymised()
        .annotate(
            has_open_case=Exists(cases.filter(Q(ended_on__isnull=True) | ~Q(status=Case.Status.CLOSED))),
            has_pending_referral=Exists(Referral.objects.filter(client=OuterRef("pk"), decision=Referral.Decision.PENDING)),
            last_case_closed_on=last_closed,
            last_referral_on=last_referral,
        )
        .annotate(
            last_activity_on=Greatest(
                Coalesce("last_case_closed_on", "last_referral_on"), Coalesce("last_referral_on", "last_case_closed_on")
            )
        )
        .filter(has_open_case=False, has_pending_referral=False, last_activity_on__lt=cutoff)
        .order_by("last_activity_on", "pk")
    )


def apply_retention(*, by=None, today=None, dry_run=False):
    """Anonymise every client past the retention period; returns the list of client ids."""
    due = list(clients_due_for_anonymisation(today).values_list("pk", flat=True))
    if dry_run:
        return due
    reason = f"Retention period passed: {settings.RETENTION_YEARS} years after the last case closed."
    done = []
    for client in Client.objects.filter(pk__in=due):
        try:
            anonymise_client(client=client, by=by, reason=reason, trigger="retention")
        except ValidationError:
            continue  # anonymised since the list was drawn up (another manager's press, an erasure)
        done.append(client.pk)
    return done


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

    Client.objects.filter(pk=pk).update(
        first_name=ANONYMISED_FIRST_NAME, last_name=ANONYMISED_LAST_NAME, preferred_name="",
        client_ref=f"ANON-{secrets.token_hex(6).upper()}", probation_ref="", police_ref="",
        date_of_birth=anonymised_date_of_birth(client.date_of_birth, age_days),
        phone="", email="", address="", postcode="", first_language="", disability_details="",
        notes="", anonymised_at=timezone.now(), updated_at=timezone.now(), version=F("version") + 1,
        # The folded names too: search and the duplicate check must not find the old name.
        **folded_names(ANONYMISED_FIRST_NAME, ANONYMISED_LAST_NAME),
    )
    # Each versioned record scrubbed here gets a new version, so an edit form opened
    # before the anonymisation is refused instead of writing the personal data back.
    RiskFlag.objects.filter(client_id=pk).update(details="", version=F("version") + 1)
    Case.objects.filter(client_id=pk).update(case_ref=None, pause_reason="", closing_summary="")
    Referral.objects.filter(client_id=pk).update(
        referral_ref=None, referrer_name="", referrer_organisation="", referrer_contact="", needs="",
        wants_help_with="", readiness_notes="", decision_reason="",
    )
    Offence.objects.filter(client_id=pk).update(description="")
    Allocation.objects.filter(case__client_id=pk).update(end_reason="", override_reason="")
    Contact.objects.filter(case__client_id=pk).update(
        notes="", next_steps="", import_key="", contact_ref=None, version=F("version") + 1
    )
    SupportSpend.objects.filter(case__client_id=pk).update(notes="")
    Goal.objects.filter(case__client_id=pk).update(description="", steps="", version=F("version") + 1)
    Score.objects.filter(assessment__case__client_id=pk).update(comment="")
    Assessment.objects.filter(case__client_id=pk).update(version=F("version") + 1)
    Achievement.objects.filter(case__client_id=pk).update(
        employer_or_course="", notes="", achievement_ref=None, version=F("version") + 1
    )
    Questionnaire.objects.filter(case__client_id=pk).update(comments="")
    CaseStudy.objects.filter(case__client_id=pk).update(title=ANONYMISED_FIRST_NAME, story="")

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


@transaction.atomic
def approve_erasure(*, erasure: ErasureRequest, by) -> Client:
    """The second manager's approval: only then is the client anonymised."""
    erasure = ErasureRequest.objects.select_for_update().get(pk=erasure.pk)
    if not erasure.is_pending:
        raise ValidationError(f"This request is no longer waiting for approval: it was {erasure.outcome_in_words()}.",
                              code="stale")
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
    erasure = ErasureRequest.objects.select_for_update().get(pk=erasure.pk)
    if not erasure.is_pending:
        raise ValidationError(f"This request is no longer waiting for approval: it was {erasure.outcome_in_words()}.",
                              code="stale")
    erasure.status = ErasureRequest.Status.CANCELLED
    erasure.cancelled_by = by
    erasure.cancelled_at = timezone.now()
    erasure.save(update_fields=["status", "cancelled_by", "cancelled_at"])
    audit.record(by, "erasure.cancelled", erasure, action=audit.Action.STATE, client_id=erasure.client_id)
    return erasure


# ---- Subject-access export ------------------------------------------------------------------


class Field:
    """One labelled value of a record: JSON uses `key`, the PDF uses `label`."""

    __slots__ = ("key", "label", "value")

    def __init__(self, key, label, value):
        self.key, self.label, self.value = key, label, value

    @property
    def is_nested(self):
        return isinstance(self.value, list) and bool(self.value) and isinstance(self.value[0], list)

    @property
    def text(self):
        return display_value(self.value)


def display_value(value):
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return dateformat.format(timezone.localtime(value) if timezone.is_aware(value) else value, "j M Y H:i")
    if isinstance(value, date):
        return dateformat.format(value, "j M Y")
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(display_value(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {display_value(item)}" for key, item in value.items())
    return str(value)


def _f(key, label, value):
    return Field(key, label, value)


def _display(obj, name):
    return getattr(obj, f"get_{name}_display")() if getattr(obj, name) else ""


def _client(c):
    return [
        _f("id", "Waymark id", c.pk), _f("client_ref", "Client reference", c.client_ref),
        _f("first_name", "First name", c.first_name), _f("last_name", "Last name", c.last_name),
        _f("preferred_name", "Preferred name", c.preferred_name), _f("date_of_birth", "Date of birth", c.date_of_birth),
        _f("gender", "Gender", _display(c, "gender")), _f("ethnicity", "Ethnicity", _display(c, "ethnicity")),
        _f("phone", "Phone", c.phone), _f("email", "Email", c.email), _f("address", "Address", c.address),
        _f("postcode", "Postcode", c.postcode), _f("area", "Area", c.area),
        _f("first_language", "First language", c.first_language),
        _f("care_experienced", "Care experienced", c.care_experienced),
        _f("parent_in_prison", "Has or had a parent in prison", c.parent_in_prison),
        _f("veteran", "Armed forces veteran", c.veteran),
        _f("disability", "Disability or neurodivergence", c.disability),
        _f("disability_details", "Disability details", c.disability_details),
        _f("risk_level", "Overall risk level", _display(c, "risk_level")),
        _f("probation_ref", "Probation case reference", c.probation_ref),
        _f("police_ref", "Police reference (PNC ID)", c.police_ref),
        _f("consent_data_on", "Consented to data processing on", c.consent_data_on),
        _f("consent_sharing_on", "Consented to sharing with partners on", c.consent_sharing_on),
        _f("notes", "Notes", c.notes), _f("anonymised_at", "Anonymised", c.anonymised_at),
        _f("created_at", "Record created", c.created_at), _f("updated_at", "Last changed", c.updated_at),
    ]


def _risk_flag(f):
    return [
        _f("id", "Id", f.pk), _f("kind", "Kind", f.get_kind_display()), _f("level", "Level", f.get_level_display()),
        _f("raised_on", "Raised on", f.raised_on), _f("review_on", "Review due", f.review_on),
        _f("active", "Active", f.active), _f("details", "Details", f.details),
    ]


def _referral(r):
    return [
        _f("id", "Id", r.pk), _f("referral_ref", "Reference", r.referral_ref),
        _f("programme", "Programme", r.programme.name), _f("received_on", "Received on", r.received_on),
        _f("source", "Source", r.source.name), _f("referrer_name", "Referrer", r.referrer_name),
        _f("referrer_organisation", "Referrer's organisation", r.referrer_organisation),
        _f("referrer_contact", "Referrer's phone or email", r.referrer_contact),
        _f("needs", "Needs identified", r.needs), _f("wants_help_with", "What they want help with", r.wants_help_with),
        _f("readiness", "Motivation check", r.get_readiness_display()),
        _f("readiness_notes", "Motivation notes", r.readiness_notes),
        _f("decision", "Decision", r.get_decision_display()), _f("decided_on", "Decided on", r.decided_on),
        _f("decision_reason", "Reason for the decision", r.decision_reason),
        _f("case_id", "Case", r.case_id),
    ]


def _case(c):
    return [
        _f("id", "Id", c.pk), _f("case_ref", "Reference", c.case_ref), _f("programme", "Programme", c.programme.name),
        _f("started_on", "Started on", c.started_on), _f("ended_on", "Ended on", c.ended_on),
        _f("status", "Status", c.get_status_display()), _f("paused_on", "Paused on", c.paused_on),
        _f("pause_reason", "Pause reason", c.pause_reason),
        _f("closure_reason", "Closure reason", c.closure_reason.name if c.closure_reason else ""),
        _f("closing_summary", "Closing summary", c.closing_summary),
        _f("previous_case_id", "Re-opens case", c.previous_case_id),
    ]


def _allocation(a):
    return [
        _f("id", "Id", a.pk), _f("case_id", "Case", a.case_id), _f("mentor", "Mentor", a.mentor.full_name),
        _f("role", "Role", a.get_role_display()), _f("started_on", "Started on", a.started_on),
        _f("ended_on", "Ended on", a.ended_on), _f("end_reason", "Why it ended", a.end_reason),
        _f("override_reason", "Why this mentor was chosen", a.override_reason),
    ]


def _contact(c):
    return [
        _f("id", "Id", c.pk), _f("case_id", "Case", c.case_id), _f("date", "Date", c.date),
        _f("start_time", "Time", c.start_time.strftime("%H:%M") if c.start_time else ""),
        _f("duration_minutes", "Minutes", c.duration_minutes), _f("mode", "Mode", c.get_mode_display()),
        _f("attendance", "Attendance", c.get_attendance_display()),
        _f("location", "Location", _display(c, "location")),
        _f("mentor", "Mentor", c.mentor.full_name if c.mentor else ""),
        _f("other_mentors", "Other mentors", [m.full_name for m in c.other_mentors.all()]),
        _f("activities", "Activities", [a.name for a in c.activities.all()]),
        _f("group_session", "Group session", str(c.group_session) if c.group_session else ""),
        _f("notes", "Notes", c.notes), _f("next_steps", "Next steps", c.next_steps),
        _f("follow_up_on", "Follow up on", c.follow_up_on),
    ]


def _group_session(g):
    # The notes of a group session are about everyone present: they are not the person's own.
    return [
        _f("id", "Id", g.pk), _f("title", "Title", g.title), _f("date", "Date", g.date),
        _f("location", "Location", _display(g, "location")), _f("duration_minutes", "Minutes", g.duration_minutes),
    ]


def _goal(g):
    return [
        _f("id", "Id", g.pk), _f("case_id", "Case", g.case_id), _f("description", "Goal", g.description),
        _f("area", "Area", g.area), _f("steps", "Steps", g.steps), _f("target_on", "Target date", g.target_on),
        _f("status", "Status", g.get_status_display()), _f("reviewed_on", "Reviewed on", g.reviewed_on),
    ]


def _spend(s):
    return [
        _f("id", "Id", s.pk), _f("case_id", "Case", s.case_id), _f("spent_on", "Date", s.spent_on),
        _f("category", "Category", s.get_category_display()), _f("amount", "Amount (£)", s.amount),
        _f("funding_source", "Paid from", s.funding_source), _f("notes", "Notes", s.notes),
    ]


def _assessment(a):
    scores = [
        [_f("domain", "Area", s.domain.label), _f("score", "Score", s.score), _f("comment", "Comment", s.comment)]
        for s in a.scores.all()
    ]
    return [
        _f("id", "Id", a.pk), _f("case_id", "Case", a.case_id), _f("template", "Assessment", a.template.name),
        _f("assessed_on", "Date", a.assessed_on), _f("stage", "Stage", a.get_stage_display()),
        _f("scores", "Scores", scores),
    ]


def _achievement(a):
    return [
        _f("id", "Id", a.pk), _f("case_id", "Case", a.case_id), _f("type", "Achievement", a.type.name),
        _f("achieved_on", "Date", a.achieved_on), _f("employer_or_course", "Employer or course", a.employer_or_course),
        _f("hours_per_week", "Hours a week", a.hours_per_week), _f("level", "Level", a.level),
        _f("in_work_13_weeks", "Still in work at 13 weeks", a.in_work_13_weeks),
        _f("in_work_26_weeks", "Still in work at 26 weeks", a.in_work_26_weeks), _f("notes", "Notes", a.notes),
    ]


def _offence(o):
    return [
        _f("id", "Id", o.pk), _f("offence_date", "Offence date", o.offence_date),
        _f("conviction_date", "Conviction date", o.conviction_date), _f("category", "Category", o.category.name),
        _f("description", "Description", o.description), _f("source", "Source", o.get_source_display()),
    ]


def _custody(c):
    return [
        _f("id", "Id", c.pk), _f("started_on", "From", c.started_on), _f("ended_on", "To", c.ended_on),
        _f("reason", "Reason", _display(c, "reason")),
    ]


def _questionnaire(q):
    answers = [[_f("question", "Question", a.question.text), _f("answer", "Answer (1-5)", a.answer)] for a in q.answers.all()]
    return [
        _f("id", "Id", q.pk), _f("case_id", "Case", q.case_id), _f("completed_on", "Completed on", q.completed_on),
        _f("comments", "Comments", q.comments), _f("answers", "Answers", answers),
    ]


def _case_study(s):
    return [
        _f("id", "Id", s.pk), _f("case_id", "Case", s.case_id), _f("title", "Title", s.title),
        _f("story", "Story", s.story), _f("consent_given_on", "Consent recorded on", s.consent_given_on),
        _f("approved_for_reports", "Used in reports", s.approved_for_reports),
    ]


def _audit_event(e):
    return [
        _f("at", "When", e.at), _f("by", "By", e.username or "system"), _f("action", "Action", e.get_action_display()),
        _f("event", "What", e.verb), _f("object", "Record", f"{e.object_type} {e.object_id}".strip()),
        # A list page's event names everyone it showed: the others are not this person's data.
        _f("detail", "Detail", {key: value for key, value in (e.detail or {}).items() if key != "client_ids"}),
    ]


def _change(entry):
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    return [
        _f("at", "When", entry.timestamp),
        _f("by", "By", entry.actor.get_username() if entry.actor else "system"),
        _f("action", "Action", entry.get_action_display()),
        _f("record", "Record", f"{entry.content_type.name} {entry.object_pk}"),
        _f("changes", "Changes", [
            [_f("field", "Field", name), _f("before", "Before", _pair(value, 0)), _f("after", "After", _pair(value, 1))]
            for name, value in changes.items()
        ]),
    ]


def _pair(value, index):
    if isinstance(value, (list, tuple)) and len(value) > index:
        return value[index]
    return json.dumps(value, cls=DjangoJSONEncoder) if index == 1 else ""


SECTION_TITLES = [
    ("client", "Personal details"),
    ("risk_flags", "Risk and safeguarding flags"),
    ("referrals", "Referrals"),
    ("cases", "Cases"),
    ("allocations", "Mentors allocated"),
    ("contacts", "Contacts (sessions)"),
    ("group_sessions", "Group sessions attended"),
    ("goals", "Goals"),
    ("support_spend", "Support spend"),
    ("assessments", "Assessments"),
    ("achievements", "Achievements"),
    ("offences", "Offences"),
    ("custody_periods", "Time in custody"),
    ("questionnaires", "Questionnaires"),
    ("case_studies", "Case studies"),
    ("audit_events", "Who looked at or acted on the record"),
    ("change_history", "Changes to the record"),
]


def subject_access_sections(client_pk):
    """Everything held about the client, as [(key, title, [record, ...])], in 22 queries."""
    contacts = Contact.objects.select_related("mentor", "group_session").prefetch_related("other_mentors", "activities")
    cases_qs = Case.objects.select_related("programme", "closure_reason").prefetch_related(
        Prefetch("allocations", queryset=Allocation.objects.select_related("mentor").order_by("started_on", "id")),
        Prefetch("contacts", queryset=contacts.order_by("date", "start_time", "id")),
        Prefetch("support_spend", queryset=SupportSpend.objects.order_by("spent_on", "id")),
        Prefetch("goals", queryset=Goal.objects.order_by("created_at", "id")),
        Prefetch("assessments", queryset=Assessment.objects.select_related("template").prefetch_related(
            Prefetch("scores", queryset=Score.objects.select_related("domain").order_by("domain__order", "id"))
        )),
        Prefetch("achievements", queryset=Achievement.objects.select_related("type").order_by("achieved_on", "id")),
        Prefetch("questionnaires", queryset=Questionnaire.objects.order_by("completed_on").prefetch_related(
            Prefetch("answers", queryset=Answer.objects.select_related("question").order_by("question__order", "id"))
        )),
        Prefetch("case_studies", queryset=CaseStudy.objects.order_by("created_at", "id")),
    ).order_by("started_on", "id")
    client = Client.objects.prefetch_related(
        Prefetch("risk_flags", queryset=RiskFlag.objects.order_by("raised_on", "id")),
        Prefetch("referrals", queryset=Referral.objects.select_related("programme", "source").order_by("received_on", "id")),
        Prefetch("cases", queryset=cases_qs),
        Prefetch("offences", queryset=Offence.objects.select_related("category").order_by("offence_date", "id")),
        Prefetch("custody_periods", queryset=CustodyPeriod.objects.order_by("started_on")),
    ).get(pk=client_pk)
    cases = list(client.cases.all())
    all_contacts = [contact for case in cases for contact in case.contacts.all()]
    sessions = {c.group_session.pk: c.group_session for c in all_contacts if c.group_session}
    events = AuditEvent.objects.about_client(client_pk).order_by("at", "id")
    pk_lists = {
        "client": [client.pk],
        "case": [c.pk for c in cases],
        "assessment": [a.pk for c in cases for a in c.assessments.all()],
        "questionnaire": [q.pk for c in cases for q in c.questionnaires.all()],
    }
    changes = LogEntry.objects.filter(change_history_q(client_pk, pk_lists=pk_lists)).select_related("actor", "content_type").order_by("timestamp", "id")
    records = {
        "client": [_client(client)],
        "risk_flags": [_risk_flag(f) for f in client.risk_flags.all()],
        "referrals": [_referral(r) for r in client.referrals.all()],
        "cases": [_case(c) for c in cases],
        "allocations": [_allocation(a) for c in cases for a in c.allocations.all()],
        "contacts": [_contact(c) for c in all_contacts],
        "group_sessions": [_group_session(g) for g in sorted(sessions.values(), key=lambda g: (g.date, g.pk))],
        "goals": [_goal(g) for c in cases for g in c.goals.all()],
        "support_spend": [_spend(s) for c in cases for s in c.support_spend.all()],
        "assessments": [_assessment(a) for c in cases for a in c.assessments.all()],
        "achievements": [_achievement(a) for c in cases for a in c.achievements.all()],
        "offences": [_offence(o) for o in client.offences.all()],
        "custody_periods": [_custody(p) for p in client.custody_periods.all()],
        "questionnaires": [_questionnaire(q) for c in cases for q in c.questionnaires.all()],
        "case_studies": [_case_study(s) for c in cases for s in c.case_studies.all()],
        "audit_events": [_audit_event(e) for e in events],
        "change_history": [_change(e) for e in changes],
    }
    return client, [(key, title, records[key]) for key, title in SECTION_TITLES]


def _as_json_value(value):
    if isinstance(value, list) and value and isinstance(value[0], list):
        return [{f.key: _as_json_value(f.value) for f in record} for record in value]
    return value


def subject_access_document(client_pk, *, generated_by=None):
    """The JSON document: one object, a section per kind of record."""
    client, sections = subject_access_sections(client_pk)
    document = {
        "generated_at": timezone.now(),
        "generated_by": generated_by.get_username() if generated_by else "",
        "organisation": settings.ORGANISATION_NAME,
        "client_id": client.pk,
    }
    for key, _title, records in sections:
        items = [{f.key: _as_json_value(f.value) for f in record} for record in records]
        document[key] = items[0] if key == "client" else items
    return json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
