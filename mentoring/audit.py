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


__all__ = ["Action", "Reads", "ReadAuditMiddleware", "mask_personal", "reads_of", "record", "record_export", "set_actor"]
