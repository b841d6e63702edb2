import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from mentoring.tables import StackedTable

from .models import Contact


class ContactTable(StackedTable):
    """A case's contacts. Notes stay on the contact's own page (UX.md, privacy in lists)."""

    date = tables.Column(verbose_name="Date", order_by=("date", "start_time"))
    start_time = tables.TimeColumn(verbose_name="Time", format="H:i", default="—")
    duration_minutes = tables.Column(verbose_name="Minutes", default="—")
    mode = tables.Column(verbose_name="How")
    attendance = tables.Column(verbose_name="Attendance")
    activities = tables.Column(verbose_name="Activities", accessor="pk", orderable=False)
    mentor = tables.Column(verbose_name="Mentor", default="—", order_by=("mentor__first_name", "mentor__last_name"))
    follow_up_on = tables.DateColumn(verbose_name="Follow up", format="j M Y", default="—")

    class Meta:
        model = Contact
        fields = ["date", "start_time", "duration_minutes", "mode", "attendance", "activities", "mentor", "follow_up_on"]
        order_by = ("-date",)
        empty_text = "No contacts match. Contacts appear here once a mentor logs one."

    def render_date(self, record, value):
        return format_html('<a href="{}">{}</a>', reverse("contacts:contact_update", args=[record.pk]),
                           f"{value:%-d %b %Y}")

    def render_mode(self, record):
        if record.group_session_id:
            return f"Group: {record.group_session.title}"
        return record.get_mode_display()

    def render_attendance(self, record):
        return format_html('<span class="badge text-bg-{}">{}</span>', record.attendance_colour,
                           record.get_attendance_display())

    def render_activities(self, record):
        return ", ".join(a.name for a in record.activities.all()) or "—"
