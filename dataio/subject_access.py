"""Subject-access export: everything held about a person, by kind, as JSON or a PDF."""

import json
from datetime import date, datetime
from decimal import Decimal

from auditlog.models import LogEntry
from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.utils import dateformat, timezone

from clients.models import Case, Client, RiskFlag
from contacts.models import Contact, Goal, SupportSpend
from mentoring import audit, personal_fields
from mentoring.models import AuditEvent
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

from .records import change_history_q


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


def _with_declared(formatter):
    """A record's labelled fields, then any field its model declares personal that the
    formatter leaves out (a new notes field is exported before anyone writes its label)."""

    def fields(obj):
        found = formatter(obj)
        shown = {f.key for f in found}
        declaration = personal_fields.declaration_for(type(obj))
        for name in declaration.personal if declaration else ():
            model_field = obj._meta.get_field(name)
            if name not in shown and model_field.editable:
                found.append(_f(name, str(model_field.verbose_name).capitalize(), getattr(obj, name)))
        return found

    return fields


def _generic(obj):
    """A record of a client model no section presents: its own fields, labelled as the model names them."""
    found = [_f("id", "Id", obj.pk)]
    for model_field in obj._meta.concrete_fields:
        if model_field.primary_key or not model_field.editable:
            continue
        if model_field.is_relation:
            value = getattr(obj, model_field.attname)
        elif model_field.choices:
            value = _display(obj, model_field.name)
        else:
            value = getattr(obj, model_field.name)
        found.append(_f(model_field.name, str(model_field.verbose_name).capitalize(), value))
    return found


# Client models shown by the sections below; any other declared with client= gets a section of its own.
PRESENTED = {
    "clients.Client", "clients.RiskFlag", "clients.Case", "referrals.Referral", "mentors.Allocation",
    "contacts.Contact", "contacts.SupportSpend", "contacts.Goal", "outcomes.Assessment", "outcomes.Score",
    "outcomes.Achievement", "outcomes.Offence", "outcomes.CustodyPeriod", "outcomes.Questionnaire",
    "outcomes.Answer", "reports.CaseStudy",
}



@_with_declared
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


@_with_declared
def _risk_flag(f):
    return [
        _f("id", "Id", f.pk), _f("kind", "Kind", f.get_kind_display()), _f("level", "Level", f.get_level_display()),
        _f("raised_on", "Raised on", f.raised_on), _f("review_on", "Review due", f.review_on),
        _f("active", "Active", f.active), _f("details", "Details", f.details),
    ]


@_with_declared
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


@_with_declared
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


@_with_declared
def _allocation(a):
    return [
        _f("id", "Id", a.pk), _f("case_id", "Case", a.case_id), _f("mentor", "Mentor", a.mentor.full_name),
        _f("role", "Role", a.get_role_display()), _f("started_on", "Started on", a.started_on),
        _f("ended_on", "Ended on", a.ended_on), _f("end_reason", "Why it ended", a.end_reason),
        _f("override_reason", "Why this mentor was chosen", a.override_reason),
    ]


@_with_declared
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


@_with_declared
def _goal(g):
    return [
        _f("id", "Id", g.pk), _f("case_id", "Case", g.case_id), _f("description", "Goal", g.description),
        _f("area", "Area", g.area), _f("steps", "Steps", g.steps), _f("target_on", "Target date", g.target_on),
        _f("status", "Status", g.get_status_display()), _f("reviewed_on", "Reviewed on", g.reviewed_on),
    ]


@_with_declared
def _spend(s):
    return [
        _f("id", "Id", s.pk), _f("case_id", "Case", s.case_id), _f("spent_on", "Date", s.spent_on),
        _f("category", "Category", s.get_category_display()), _f("amount", "Amount (£)", s.amount),
        _f("funding_source", "Paid from", s.funding_source.name if s.funding_source else ""), _f("notes", "Notes", s.notes),
    ]


@_with_declared
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


@_with_declared
def _achievement(a):
    return [
        _f("id", "Id", a.pk), _f("case_id", "Case", a.case_id), _f("type", "Achievement", a.type.name),
        _f("achieved_on", "Date", a.achieved_on), _f("employer_or_course", "Employer or course", a.employer_or_course),
        _f("hours_per_week", "Hours a week", a.hours_per_week), _f("level", "Level", a.level),
        _f("in_work_13_weeks", "Still in work at 13 weeks", a.in_work_13_weeks),
        _f("in_work_26_weeks", "Still in work at 26 weeks", a.in_work_26_weeks), _f("notes", "Notes", a.notes),
    ]


@_with_declared
def _offence(o):
    return [
        _f("id", "Id", o.pk), _f("offence_date", "Offence date", o.offence_date),
        _f("conviction_date", "Conviction date", o.conviction_date), _f("category", "Category", o.category.name),
        _f("description", "Description", o.description), _f("source", "Source", o.get_source_display()),
    ]


@_with_declared
def _custody(c):
    return [
        _f("id", "Id", c.pk), _f("started_on", "From", c.started_on), _f("ended_on", "To", c.ended_on),
        _f("reason", "Reason", _display(c, "reason")),
    ]


@_with_declared
def _questionnaire(q):
    answers = [[_f("question", "Question", a.question.text), _f("answer", "Answer (1-5)", a.answer if a.answer is not None else "Not asked")] for a in q.answers.all()]
    return [
        _f("id", "Id", q.pk), _f("case_id", "Case", q.case_id), _f("completed_on", "Completed on", q.completed_on),
        _f("comments", "Comments", q.comments), _f("answers", "Answers", answers),
    ]


@_with_declared
def _case_study(s):
    return [
        _f("id", "Id", s.pk), _f("case_id", "Case", s.case_id), _f("title", "Title", s.title),
        _f("story", "Story", s.story), _f("consent_given_on", "Consent recorded on", s.consent_given_on),
        _f("approved_for_reports", "Used in reports", s.approved_for_reports),
    ]


def _record_kind(e):
    """The row an event was about, by its kind and id ("Case 12"), as the audit trail says it."""
    if not e.object_type:
        return ""
    try:
        kind = str(apps.get_model(e.object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        kind = "record"
    return f"{kind[:1].upper()}{kind[1:]} {e.object_id}".strip()


def _audit_event(e):
    return [
        _f("at", "When", e.at), _f("by", "By", e.username or "system"), _f("action", "Action", e.get_action_display()),
        _f("event", "What", audit.event_label(e.verb, e.action)), _f("object", "Record", _record_kind(e)),
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
    """Everything held about the client, as [(key, title, [record, ...])], in 22 queries
    and one for each client model no section presents (`PRESENTED`; today mentor conflicts)."""
    client = _client_with_history(client_pk)
    cases = list(client.cases.all())
    all_contacts = [contact for case in cases for contact in case.contacts.all()]
    sessions = {c.group_session.pk: c.group_session for c in all_contacts if c.group_session}
    events = AuditEvent.objects.about_client(client_pk).order_by("at", "id")
    changes = _change_history(client_pk, client, cases)
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
    sections = [(key, title, records[key]) for key, title in SECTION_TITLES]
    others = [d for d in personal_fields.client_declarations() if d.label not in PRESENTED]
    for declaration in others:
        meta = declaration.model._meta
        rows = [_generic(row) for row in declaration.rows_of(client_pk).order_by("pk")]
        sections.insert(-2, (meta.label_lower.replace(".", "_"), str(meta.verbose_name_plural).capitalize(), rows))
    return client, sections


def _client_with_history(client_pk):
    """The client with every record a section presents prefetched, each in the order it is listed."""
    contacts = Contact.objects.select_related("mentor", "group_session").prefetch_related("other_mentors", "activities")
    cases_qs = Case.objects.select_related("programme", "closure_reason").prefetch_related(
        Prefetch("allocations", queryset=Allocation.objects.select_related("mentor").order_by("started_on", "id")),
        Prefetch("contacts", queryset=contacts.order_by("date", "start_time", "id")),
        Prefetch("support_spend", queryset=SupportSpend.objects.select_related("funding_source").order_by("spent_on", "id")),
        Prefetch("goals", queryset=Goal.objects.order_by("created_at", "id")),
        Prefetch("assessments", queryset=Assessment.objects.select_related("template").prefetch_related(
            Prefetch("scores", queryset=Score.objects.select_related("domain").order_by("domain__order", "id"))
        )),
        Prefetch("achievements", queryset=Achievement.objects.select_related("type").order_by("achieved_on", "id")),
        Prefetch("questionnaires", queryset=Questionnaire.objects.order_by("completed_on").prefetch_related(
            Prefetch("answers", queryset=Answer.objects.select_related("question").order_by("question__order", "id"))
        )),
        # Case studies belong to reports, an app beside this one: reached through its declaration.
        Prefetch("case_studies", queryset=personal_fields.client_model("reports.CaseStudy").objects.order_by(
            "created_at", "id")),
    ).order_by("started_on", "id")
    return Client.objects.prefetch_related(
        Prefetch("risk_flags", queryset=RiskFlag.objects.order_by("raised_on", "id")),
        Prefetch("referrals", queryset=Referral.objects.select_related("programme", "source").order_by("received_on", "id")),
        Prefetch("cases", queryset=cases_qs),
        Prefetch("offences", queryset=Offence.objects.select_related("category").order_by("offence_date", "id")),
        Prefetch("custody_periods", queryset=CustodyPeriod.objects.order_by("started_on")),
    ).get(pk=client_pk)


def _change_history(client_pk, client, cases):
    """The change-history entries about the client and their cases, assessments and questionnaires (lazy)."""
    pk_lists = {
        "client": [client.pk],
        "case": [c.pk for c in cases],
        "assessment": [a.pk for c in cases for a in c.assessments.all()],
        "questionnaire": [q.pk for c in cases for q in c.questionnaires.all()],
    }
    return LogEntry.objects.filter(change_history_q(client_pk, pk_lists=pk_lists)).select_related(
        "actor", "content_type").order_by("timestamp", "id")


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
