import django_tables2 as tables
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from .models import Mentor


class MentorTable(tables.Table):
    """The mentor list: caseload against capacity and what needs attention, in words."""

    name = tables.Column(accessor="first_name", verbose_name="Name", order_by=("first_name", "last_name"))
    mentor_type = tables.Column(verbose_name="Type")
    programmes = tables.Column(accessor="pk", verbose_name="Programmes", orderable=False)
    caseload = tables.Column(verbose_name="Caseload", order_by=("caseload", "max_caseload"))
    status = tables.Column(accessor="active", verbose_name="Status", orderable=False)
    warnings = tables.Column(accessor="pk", verbose_name="Needs attention", orderable=False)

    class Meta:
        model = Mentor
        fields = ["name", "mentor_type"]
        order_by = ("name",)
        empty_text = "No mentors match. Add a mentor to see their caseload and vetting here."

    def render_name(self, record):
        return format_html('<a href="{}">{}</a>', reverse("mentors:mentor_detail", args=[record.pk]), record.full_name)

    def render_programmes(self, record):
        return ", ".join(p.name for p in record.programmes.all()) or "—"

    def render_caseload(self, record):
        return render_to_string("mentors/_caseload_bar.html", {"mentor": record})

    def render_status(self, record):
        colour = "success" if record.status_in_words == "Active" else "secondary"
        return format_html('<span class="badge text-bg-{}">{}</span>', colour, record.status_in_words)

    def render_warnings(self, record):
        warnings = record.compliance_warnings()
        if not warnings:
            return "None"
        return format_html_join(" ", '<span class="badge text-bg-warning text-wrap">{}</span>', ((w,) for w in warnings))
