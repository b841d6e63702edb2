"""Tables of the privacy screens: the audit trail (events and changes) and retention."""

import django_tables2 as tables
from auditlog.models import LogEntry
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

from clients.models import Client
from mentoring import audit
from mentoring.models import AuditEvent

from .audit_words import DATETIME, AuditWords, person_name
from .privacy import display_value


def client_url(pk):
    """The client's page if the clients app offers one, else the subject-access page."""
    try:
        return reverse("clients:client_detail", kwargs={"pk": pk})
    except NoReverseMatch:
        return reverse("dataio:client_export", kwargs={"pk": pk})


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


def changes_html(changes):
    if not isinstance(changes, dict) or not changes:
        return "—"
    rows = []
    for field, value in changes.items():
        if isinstance(value, (list, tuple)) and len(value) == 2:
            before, after = value
        else:
            before, after = "", value
        rows.append((field, display_value(before), display_value(after)))
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
        return record.actor.get_username() if record.actor else "system"

    def render_content_type(self, value):
        return value.name

    def render_object_repr(self, record):
        return f"{record.object_repr} (#{record.object_pk})"

    def render_changes(self, record):
        return changes_html(record.changes if isinstance(record.changes, dict) else None)


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
