"""Recording audit events: the explicit calls state changes, reads and exports make.

Change history of model fields comes from django-auditlog (registered in each app's
models); this module records what a plain save does not show: who read a client's record,
who closed a case, who exported what, who signed in.

Reads are not recorded by views one by one: loading a client's record through the access
door (mentoring.access) notes the read on the request, and `ReadAuditMiddleware` writes
every read of the request in one INSERT once the response is ready. A detail carries ids
and codes only, never a name, a reference or words someone typed: audit rows cannot be
changed afterwards (a database trigger refuses it), so nothing in them could be erased.
"""

from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.db.models.signals import pre_save
from django.dispatch import receiver

from . import personal_fields
from .models import AuditEvent

Action = AuditEvent.Action

# ---- What each event is called ------------------------------------------------------------
# Every verb the code base records (the `verb` of record(), record_export(), a view's
# `audit_verb` or `list_audit_verb`, a read through mentoring.access) and the words the audit
# trail shows for it. mentoring/tests/test_audit_words.py collects the verbs from the code and
# fails for one without words here.

EVENTS = {
    # Signing in and accounts
    "user.signed_in": "Signed in",
    "user.signed_out": "Signed out",
    "user.sign_in_failed": "Sign-in failed",
    "user.sign_in_refused_locked": "Sign-in refused: account locked",
    "user.two_factor_failed": "Two-factor code failed",
    "user.created": "Added a user account",
    "user.deleted": "Deleted a user account",
    "user.activated": "Reactivated a user account",
    "user.deactivated": "Deactivated a user account",
    "user.superuser_granted": "Gave a user every permission (superuser)",
    "user.superuser_removed": "Took away a user's superuser permissions",
    "user.staff_granted": "Gave a user access to the administration pages",
    "user.staff_removed": "Took away a user's access to the administration pages",
    "user.password_changed": "Changed a password",
    "user.groups_changed": "Changed a user's roles",
    "role.grant_requested": "Asked for a role to be given",
    "role.granted": "Gave a role",
    "role.grant_cancelled": "Cancelled a role request",
    "role.revoked": "Took away a role",
    "home.viewed": "Viewed the home page",
    # Clients, referrals and cases
    "client.created": "Added a client",
    "client.updated": "Changed a client's details",
    "client.duplicate_check_closed": "Closed a duplicate check",
    "client.offences_viewed": "Viewed a client's offences",
    "client_search.viewed": "Searched for a client",
    "risk_flag.raised": "Raised a risk flag",
    "risk_flag.updated": "Changed a risk flag",
    "referral.received": "Received a referral",
    "referral.accepted": "Accepted a referral",
    "referral.accepted_by_override": "Accepted a referral that does not meet the programme's rules",
    "referral.declined": "Declined a referral",
    "referral.withdrawn": "Withdrew a referral",
    "case.opened": "Opened a case",
    "case.activated": "Made a case active",
    "case.back_to_allocate": "Sent a case back to be allocated",
    "case.paused": "Paused a case",
    "case.resumed": "Resumed a case",
    "case.closed": "Closed a case",
    "case.reopened": "Reopened a case",
    "case.allocation_viewed": "Viewed a case's mentor allocation",
    "case.contacts_viewed": "Viewed a case's contacts",
    "case.contacts_exported": "Downloaded a case's contacts",
    "case.questionnaire_printed": "Printed a questionnaire",
    # Mentors and allocations
    "allocation.created": "Allocated a mentor",
    "allocation.ended": "Ended a mentor's allocation",
    "allocation_board.viewed": "Viewed the allocation board",
    "allocation_proposal.viewed": "Viewed suggested mentors",
    "mentor.allocations_viewed": "Viewed a mentor's cases",
    "mentor.reallocation_viewed": "Viewed a mentor's cases to move",
    "mentor.cases_reallocated": "Moved a mentor's cases to other mentors",
    "mentor.left": "Recorded a mentor leaving",
    "mentor.sign_in_changed": "Changed a mentor's sign-in account",
    "mentor.dbs_status_checked": "Checked a mentor's DBS status",
    "mentor.dbs_status_reviewed": "Reviewed a mentor's DBS status",
    # Contacts and support
    "contact.logged": "Logged a contact",
    "contact.missed": "Recorded a missed contact",
    "contact.edited": "Changed a contact",
    "group_session.recorded": "Recorded a group session",
    "group_session_form.viewed": "Opened the group session form",
    "support_spend.recorded": "Recorded support spending",
    "appointment.booked": "Booked a session",
    "appointment.edited": "Changed a booked session",
    "appointment.cancelled": "Cancelled a booked session",
    "appointment.attended": "Logged a booked session",
    "appointment.missed": "Recorded a booked session as not attended",
    "calendar_feed.created": "Made a calendar feed URL",
    "calendar_feed.revoked": "Revoked a calendar feed URL",
    "goal.added": "Added a goal",
    "goal.updated": "Changed a goal",
    # Outcomes
    "assessment.recorded": "Recorded an assessment",
    "assessment.updated": "Changed an assessment",
    "questionnaire.recorded": "Recorded a questionnaire",
    "achievement.recorded": "Recorded an achievement",
    "achievement.updated": "Changed an achievement",
    "achievement.employment_checked": "Checked sustained employment",
    "offence.recorded": "Recorded an offence",
    "custody.recorded": "Recorded a custody period",
    # Reports
    "report.viewed_unsuppressed": "Viewed a report with every number shown",
    "report.csv": "Downloaded a report (CSV)",
    "report.pdf": "Downloaded a report (PDF)",
    "report.jdl_export": "Downloaded the Justice Data Lab file",
    "case_study.written": "Wrote a case study",
    "case_study.included": "Included a case study in reports",
    "case_study.excluded": "Left a case study out of reports",
    # Data in and out, privacy
    "data.imported": "Imported data",
    "client.privacy_viewed": "Viewed a client's subject-access page",
    "client.exported": "Downloaded a client's data (subject access)",
    "client.erasure_form_viewed": "Opened the erasure request form",
    "erasure.requested": "Asked for a client's record to be erased",
    "erasure.approved": "Approved an erasure request",
    "erasure.cancelled": "Cancelled an erasure request",
    "client.anonymised": "Anonymised a client",
    "retention.viewed": "Viewed clients due for anonymisation",
    "retention.applied": "Anonymised clients past the retention period",
    "audit.exported": "Downloaded the audit trail",
}

# A read through the access door with no verb of its own is "<model>.viewed"; a list page of
# a client's records without `list_audit_verb` is "<model>_list.viewed" (mentoring.tables).
# Each model whose rows belong to a client (`audit_client_id`): what one is, and what many are.
READ_WORDS = {
    "client": ("a client's record", "clients"),
    "case": ("a case", "cases"),
    "riskflag": ("a risk flag", "risk flags"),
    "referral": ("a referral", "referrals"),
    "referralcriterion": ("a referral's eligibility finding", "referrals' eligibility findings"),
    "allocation": ("a mentor allocation", "mentor allocations"),
    "casematchpreference": ("a case's matching preferences", "cases' matching preferences"),
    "mentorconflict": ("a mentor conflict", "mentor conflicts"),
    "contact": ("a contact", "contacts"),
    "supportspend": ("support spending", "support spending"),
    "goal": ("a goal", "goals"),
    "appointment": ("a booked session", "booked sessions"),
    "assessment": ("an assessment", "assessments"),
    "achievement": ("an achievement", "achievements"),
    "offence": ("an offence", "offences"),
    "custodyperiod": ("a custody period", "custody periods"),
    "questionnaire": ("a questionnaire", "questionnaires"),
    "casestudy": ("a case study", "case studies"),
    "erasurerequest": ("an erasure request", "erasure requests"),
}
for _model, (_one, _many) in READ_WORDS.items():
    EVENTS.setdefault(f"{_model}.viewed", f"Viewed {_one}")
    EVENTS.setdefault(f"{_model}_list.viewed", f"Listed {_many}")


def event_label(verb, action=None):
    """The words for an event; a verb nobody labelled falls back on its kind, never the code."""
    if verb in EVENTS:
        return EVENTS[verb]
    return Action(action).label if action in Action.values else "Something else"


def event_choices():
    """The events as filter choices, in the order of their words."""
    return sorted(EVENTS.items(), key=lambda item: item[1])


# Responses that show nothing of what the view loaded: a refusal, or a redirect after a
# change (the page it leads to records its own read).
NOT_SHOWN = {401, 403, 404, 405}


def _client_ip(request):
    # The same rule as the sign-in limits: X-Forwarded-For only as far as TRUSTED_PROXY_COUNT says.
    from .auth import client_ip

    return client_ip(request)


def _event(user, verb, obj=None, *, action, client_id=None, request=None, **detail):
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if client_id is None and obj is not None:
        client_id = getattr(obj, "audit_client_id", None)
    return AuditEvent(
        user=user,
        username=user.get_username() if user else "",
        action=action,
        verb=verb,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        client_id=client_id,
        detail=detail,
        ip_address=_client_ip(request),
    )


def record(user, verb, obj=None, *, action=Action.STATE, client_id=None, request=None, **detail):
    """Add one audit event; `client_id` ties it to a person's record for the audit screen."""
    event = _event(user, verb, obj, action=action, client_id=client_id, request=request, **detail)
    event.save()
    return event


def record_export(request, verb, obj=None, **detail):
    """An export, written at once; it also stands for the read of the client it is about."""
    event = record(request.user, verb, obj, action=Action.EXPORT, request=request, **detail)
    if event.client_id is not None:
        reads_of(request).exported(event.client_id)
    return event


def filter_detail(form):
    """A filter form's choices for an event's detail: ids, codes and dates, never free text.

    What someone typed into a search box may be a name or a police reference; it stays out.
    """
    from django import forms

    if not form.is_valid():
        return {}
    detail = {}
    for name, value in form.cleaned_data.items():
        field = form.fields[name]
        if value in (None, "", [], ()) or isinstance(field, forms.CharField):
            continue
        if hasattr(value, "pk"):
            value = value.pk
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, (list, tuple)) or hasattr(value, "model"):
            value = [getattr(item, "pk", item) for item in value]
        elif not isinstance(value, (bool, int)):
            value = str(value)
        detail[name] = value
    return detail


class Reads:
    """The client records one request read: one event per record read, one per list shown.

    Each client's record is recorded once per request, under the first verb that read it; a
    list leaves out the clients whose record the same request already recorded.
    """

    def __init__(self, request):
        self.request = request
        self.records = {}  # client id -> (verb, object)
        self.lists = []  # (verb, client ids in the order shown)
        self.covered = set()  # clients an export of this request already recorded

    def read(self, obj, *, verb=None, client_id=None):
        client_id = client_id if client_id is not None else getattr(obj, "audit_client_id", None)
        if client_id is None:
            return
        self.records.setdefault(client_id, (verb or f"{obj._meta.model_name}.viewed", obj))

    def listed(self, client_ids, *, verb):
        ids = [int(pk) for pk in dict.fromkeys(client_ids) if pk is not None]
        if ids:
            self.lists.append((verb, ids))

    def exported(self, client_id):
        self.covered.add(client_id)

    def events(self):
        user, request = self.request.user, self.request
        events = [
            _event(user, verb, obj, action=Action.VIEW, client_id=client_id, request=request)
            for client_id, (verb, obj) in self.records.items()
            if client_id not in self.covered
        ]
        seen = set(self.records) | self.covered
        for verb, ids in self.lists:
            ids = [pk for pk in ids if pk not in seen]
            if ids:
                events.append(_event(user, verb, action=Action.VIEW, request=request, client_ids=ids))
        return events

    def flush(self):
        events = self.events()
        self.records, self.lists = {}, []
        if events:
            AuditEvent.objects.bulk_create(events)
        return events


def reads_of(request):
    """The request's read log; outside ReadAuditMiddleware, one that writes at once."""
    reads = getattr(request, "audit_reads", None)
    if reads is None:
        reads = _ImmediateReads(request)
    return reads


class _ImmediateReads(Reads):
    """For a request the middleware did not see (a test's RequestFactory): write each read now."""

    def read(self, obj, **kwargs):
        super().read(obj, **kwargs)
        self.flush()

    def listed(self, client_ids, **kwargs):
        super().listed(client_ids, **kwargs)
        self.flush()


class ReadAuditMiddleware:
    """Writes the reads a request noted (mentoring.access) when its response shows them.

    A failure to write the audit is a failure of the request: the page is not served.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.audit_reads = reads = Reads(request)
        response = self.get_response(request)
        if response.status_code not in NOT_SHOWN and not 300 <= response.status_code < 400:
            reads.flush()
        return response


# ---- Change history (django-auditlog) -------------------------------------------------------

MASKED = "[personal data]"
# Change history cannot be edited (a database trigger refuses it), so the values erasure must
# remove never reach it: for the fields each model declares personal (`<app>/personal_data.py`,
# mentoring.personal_fields), it records that the field was set or changed, not the value.
# Names, references, contact details, the date of birth and all free text; codes, dates of
# events, numbers and ids keep their before and after.


def __getattr__(name):
    # PERSONAL_FIELDS: every field name some model declares personal (read once the apps are ready).
    if name == "PERSONAL_FIELDS":
        return personal_fields.all_personal_names()
    raise AttributeError(name)


def mask_personal(value):
    return "" if value in ("", "None", None) else MASKED


@receiver(pre_save, sender=LogEntry, dispatch_uid="waymark_logentry_without_personal_data")
def _keep_personal_data_out_of_change_history(sender, instance, **kwargs):
    # Done here rather than with auditlog's mask_fields: that needs each app's register() call
    # to list its fields (or AUDITLOG_INCLUDE_ALL_MODELS), and a field missed there would be
    # kept for good. Every change entry passes through this one place before it is written.
    if instance.pk is not None:
        return
    model = instance.content_type.model_class() if instance.content_type_id else None
    if isinstance(instance.changes, dict):
        # A model nobody declared (there should be none: dataio/tests/test_personal_data.py)
        # has every name declared personal anywhere masked.
        personal = personal_fields.personal_names(model)
        instance.changes = {
            field: [mask_personal(value[0]), mask_personal(value[1])]
            if field in personal and isinstance(value, (list, tuple)) and len(value) == 2 else value
            for field, value in instance.changes.items()
        }
    instance.serialized_data = None
    # auditlog describes a row by str(row), which for a client, a case or a referral is the
    # person's name; rows about a client are described by their kind and id instead.
    if model is not None and hasattr(model, "audit_client_id"):
        instance.object_repr = f"{model._meta.verbose_name} {instance.object_pk}"


__all__ = ["EVENTS", "Action", "event_choices", "event_label", "Reads", "ReadAuditMiddleware", "mask_personal", "reads_of", "record", "record_export", "set_actor"]
