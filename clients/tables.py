import django_tables2 as tables
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from .case_mentors import current_allocations
from .models import Client


class ClientTable(tables.Table):
    """The client list: no notes, no offence details (UX.md, privacy in the interface)."""

    name = tables.Column(accessor="last_name", verbose_name="Name", order_by=("last_name", "first_name"))
    date_of_birth = tables.DateColumn(verbose_name="Date of birth", format="j M Y")
    client_ref = tables.Column(verbose_name="Reference", default="—")
    cases = tables.Column(accessor="pk", verbose_name="Programme and status", orderable=False)
    mentors = tables.Column(accessor="pk", verbose_name="Mentor", orderable=False)
    last_attended = tables.Column(accessor="pk", verbose_name="Last attended contact", orderable=False)
    flags = tables.Column(accessor="pk", verbose_name="Flags", orderable=False)

    class Meta:
        model = Client
        fields = ["name", "date_of_birth", "client_ref"]
        order_by = ("name",)
        empty_text = "No clients match. Clients appear here once a referral for them is recorded."

    def render_name(self, record):
        return format_html('<a href="{}">{}</a> <span class="text-body-secondary small">({})</span>',
                           reverse("clients:client_detail", args=[record.pk]), record.name_for_header,
                           f"age {record.age}")

    def render_cases(self, record):
        cases = record.visible_case_list
        if not cases:
            return "No case yet"
        return format_html_join(
            ", ", '{} <span class="badge text-bg-{}">{}</span>',
            ((c.programme.name, c.status_colour, c.get_status_display()) for c in cases),
        )

    def render_mentors(self, record):
        names = sorted({str(a.mentor) for c in record.visible_case_list if c.is_open for a in current_allocations(c)})
        return ", ".join(names) or "—"

    def render_last_attended(self, record):
        dates = [c.last_attended_on for c in record.visible_case_list if getattr(c, "last_attended_on", None)]
        return date_format(max(dates), "j M Y") if dates else "None yet"

    def render_flags(self, record):
        flags = record.active_risk_flags
        if not flags:
            return "—"
        return format_html_join(", ", '<span class="badge text-bg-danger">{}</span>',
                                ((f"{f.get_kind_display()}: {f.get_level_display().lower()}",) for f in flags))
