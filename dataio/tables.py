"""Tables of the privacy screens: the audit trail (events and changes) and retention."""

import django_tables2 as tables
from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from clients.models import Client
from mentoring import audit
from mentoring.models import AuditEvent

from .audit_words import CHANGE_KINDS, DATETIME, AuditWords, humanise, person_name, words
from .privacy import display_value


def client_url(pk):
    return reverse("clients:client_detail", kwargs={"pk": pk})


class AuditEventTable(tables.Table):
    """The events in words: what happened, to whom, with names the viewer may see."""

    at = tables.DateTimeColumn(DATETIME, verbose_name="When")
    username = tables.Column(verbose_name="Who", empty_values=())
    action = tables.Column(verbose_name="Kind")
    verb = tables.Column(verbose_name="What happened")
    object = tables.Column(verbose_name="About", empty_values=(), orderable=False, accessor="object_type")
    client_id = tables.Column(verbose_name="Client")
    detail = tables.Column(verbose_name="Detail", orderable=False)
    ip_address = tables.Column(verbose_name="IP address")

    class Meta:
        model = AuditEvent
        fields = ("at", "username", "action", "verb", "object", "client_id", "detail", "ip_address")
        order_by = "-at"
        empty_text = "No audit events match these filters."

    @property
    def words(self):
        # The names of the page's rows, looked up once when the first cell asks.
        if getattr(self, "_words", None) is None:
            rows = self.page.object_list if getattr(self, "page", None) else self.rows
            self._words = AuditWords(self.request.user, [row.record for row in rows])
        return self._words

    def render_username(self, record):
        if record.user is not None:
            name = person_name(record.user)
            return name if name == record.username else f"{name} ({record.username})"
        return record.username or "System"

    def render_verb(self, record):
        return audit.event_label(record.verb, record.action)

    def render_object(self, record):
        return self.words.target(record) or "—"

    def render_client_id(self, value):
        return format_html('<a href="{}">{}</a>', client_url(value), self.words.client(value))

    def render_detail(self, value):
        parts = self.words.detail(value)
        if not parts:
            return "—"
        return format_html('<ul class="list-unstyled mb-0 small">{}</ul>', format_html_join("", "<li>{}</li>", ((p,) for p in parts)))


def _field(model, name):
    try:
        return model._meta.get_field(name) if model is not None else None
    except FieldDoesNotExist:
        return None


def field_label(model, name):
    """A changed field as its form labels it ("Risk level"), not its column (`risk_level`)."""
    field = _field(model, name)
    label = str(getattr(field, "verbose_name", "") or "") or humanise(name)
    return label[:1].upper() + label[1:]


def change_value(model, name, value):
    """A value of the change history (auditlog keeps text) in words: a choice by its label."""
    if value in (None, "", "None"):
        return "—"
    field = _field(model, name)
    choices = dict(field.flatchoices) if field is not None and getattr(field, "choices", None) else {}
    if value in choices:
        return str(choices[value])
    return words(value) if isinstance(value, str) else display_value(value)


def changes_html(changes, model=None):
    if not isinstance(changes, dict) or not changes:
        return "—"
    rows = []
    for field, value in changes.items():
        if isinstance(value, (list, tuple)) and len(value) == 2:
            before, after = value
        else:
            before, after = "", value
        rows.append((field_label(model, field), change_value(model, field, before), change_value(model, field, after)))
    return format_html(
        '<ul class="list-unstyled mb-0">{}</ul>',
        format_html_join(
            "", '<li><span class="fw-semibold">{}</span>: <del>{}</del> <span aria-hidden="true">→</span>'
            '<span class="visually-hidden">changed to</span> <ins>{}</ins></li>', rows
        ),
    )


class ChangeTable(tables.Table):
    timestamp = tables.DateTimeColumn(DATETIME, verbose_name="When")
    actor = tables.Column(verbose_name="Who", empty_values=(), order_by=("actor__username",))
    action = tables.Column(verbose_name="Kind")
    content_type = tables.Column(verbose_name="Record type", order_by=("content_type__model",))
    object_repr = tables.Column(verbose_name="Record")
    changes = tables.Column(verbose_name="Before → after", orderable=False, empty_values=())

    class Meta:
        model = LogEntry
        fields = ("timestamp", "actor", "action", "content_type", "object_repr", "changes")
        order_by = "-timestamp"
        empty_text = "No changes match these filters."

    def render_actor(self, record):
        if record.actor is None:
            return "System"
        name = person_name(record.actor)
        return name if name == record.actor.get_username() else f"{name} ({record.actor.get_username()})"

    def render_action(self, record):
        return CHANGE_KINDS.get(record.action, record.get_action_display())

    def render_content_type(self, value):
        return value.name[:1].upper() + value.name[1:]

    def render_object_repr(self, record):
        # Rows about a client are described by kind and id (mentoring.audit): "Client 12".
        if record.object_repr == f"{record.content_type.name} {record.object_pk}":
            return f"{record.content_type.name[:1].upper()}{record.content_type.name[1:]} {record.object_pk}"
        return f"{record.object_repr} (#{record.object_pk})"

    def render_changes(self, record):
        return changes_html(record.changes if isinstance(record.changes, dict) else None, record.content_type.model_class())


class DueClientTable(tables.Table):
    pk = tables.Column(verbose_name="Client id", linkify=lambda record: reverse("dataio:client_export", kwargs={"pk": record.pk}))
    client_ref = tables.Column(verbose_name="Reference")
    last_case_closed_on = tables.DateColumn("j M Y", verbose_name="Last case closed")
    last_activity_on = tables.DateColumn("j M Y", verbose_name="Due since (last activity)")

    class Meta:
        model = Client
        fields = ("pk", "client_ref", "last_case_closed_on", "last_activity_on")
        order_by = "last_activity_on"
        empty_text = "Nobody is past the retention period."
