"""One last rewrite of the audit trail before it becomes append-only (0006).

Rows written before this release may hold what erasure has to remove: change history with
names, references and notes as values, rows described by the person's name, and event
details with typed text (a decline reason, a search for a police reference). Once 0006 is in
place nothing can change them, so they are brought in line with what the application writes
from now on (settings.AUDITLOG_MASK_TRACKING_FIELDS, mentoring.audit): values of personal
fields masked, client rows described by kind and id, event details keeping ids, codes,
numbers and dates only. Who did what, when, to which record, stays.

The lists are copied here, not imported, so this migration means the same thing whatever the
settings say later.
"""

import re

from django.db import migrations

MASKED = "[personal data]"
PERSONAL_FIELDS = {
    "first_name", "last_name", "preferred_name", "date_of_birth", "client_ref", "probation_ref", "police_ref",
    "phone", "email", "address", "postcode", "first_language", "disability_details", "notes", "details",
    "case_ref", "pause_reason", "closing_summary", "referral_ref", "referrer_name", "referrer_organisation",
    "referrer_contact", "needs", "wants_help_with", "readiness_notes", "decision_reason", "end_reason",
    "override_reason", "next_steps", "import_key", "description", "steps", "comment", "comments",
    "employer_or_course", "title", "story",
}
# Models whose rows are about a client (they have `audit_client_id`): described by kind and id.
CLIENT_RECORDS = {
    ("clients", "client"): "client", ("clients", "riskflag"): "risk flag", ("clients", "case"): "case",
    ("referrals", "referral"): "referral", ("mentors", "allocation"): "allocation",
    ("mentors", "casematchpreference"): "case match preference", ("contacts", "contact"): "contact",
    ("contacts", "supportspend"): "support spend", ("contacts", "goal"): "goal",
    ("outcomes", "assessment"): "assessment", ("outcomes", "achievement"): "achievement",
    ("outcomes", "offence"): "offence", ("outcomes", "custodyperiod"): "custody period",
    ("outcomes", "questionnaire"): "questionnaire", ("reports", "casestudy"): "case study",
}
REMOVED = "[removed]"
_CODE = re.compile(r"^[a-z0-9_.:\-]{0,60}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][\d:.+\-Z]+)?$")
# Event details whose free text is kept: an erasure's reason, refused when it names the person.
KEPT_TEXT = {("erasure.requested", "reason"), ("client.anonymised", "reason"), ("mentor.cases_reallocated", "reason")}


def _mask(value):
    return "" if value in ("", "None", None) else MASKED


def _masked_changes(changes):
    if not isinstance(changes, dict):
        return changes
    masked = {}
    for field, value in changes.items():
        if field in PERSONAL_FIELDS and isinstance(value, (list, tuple)) and len(value) == 2:
            value = [_mask(value[0]), _mask(value[1])]
        masked[field] = value
    return masked


def _scrubbed(value):
    if isinstance(value, dict):
        return {key: _scrubbed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item) for item in value]
    if isinstance(value, str):
        return value if (_CODE.match(value) or _ISO_DATE.match(value)) else REMOVED
    return value


def mask_history(apps, schema_editor):
    LogEntry = apps.get_model("auditlog", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEvent = apps.get_model("mentoring", "AuditEvent")
    db = schema_editor.connection.alias
    labels = {ct.pk: CLIENT_RECORDS.get((ct.app_label, ct.model)) for ct in ContentType.objects.using(db).all()}
    batch = []
    for entry in LogEntry.objects.using(db).order_by("pk").iterator(chunk_size=1000):
        label = labels.get(entry.content_type_id)
        changes = _masked_changes(entry.changes)
        repr_ = f"{label} {entry.object_pk}" if label else entry.object_repr
        if changes != entry.changes or repr_ != entry.object_repr or entry.serialized_data is not None:
            entry.changes, entry.object_repr, entry.serialized_data, entry.changes_text = changes, repr_, None, ""
            batch.append(entry)
        if len(batch) >= 1000:
            LogEntry.objects.using(db).bulk_update(batch, ["changes", "object_repr", "serialized_data", "changes_text"])
            batch = []
    if batch:
        LogEntry.objects.using(db).bulk_update(batch, ["changes", "object_repr", "serialized_data", "changes_text"])

    events = []
    for event in AuditEvent.objects.using(db).exclude(detail={}).order_by("pk").iterator(chunk_size=1000):
        detail = event.detail if isinstance(event.detail, dict) else {}
        cleaned = {
            key: value if (event.verb, key) in KEPT_TEXT or key == "login" else _scrubbed(value)
            for key, value in detail.items()
        }
        if cleaned != detail:
            event.detail = cleaned
            events.append(event)
    AuditEvent.objects.using(db).bulk_update(events, ["detail"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("mentoring", "0005_add_version"),
        ("auditlog", "0017_add_actor_email"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(mask_history, migrations.RunPython.noop)]
