import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from .models import Referral

DECISION_COLOURS = {"pending": "warning", "accepted": "success", "declined": "secondary", "withdrawn": "light"}


class ReferralTable(tables.Table):
    """The referral queue: pending first, oldest first (the queryset's default order)."""

    client = tables.Column(verbose_name="Client", order_by=("client__last_name", "client__first_name"))
    programme = tables.Column(accessor="programme__name", verbose_name="Programme")
    source = tables.Column(accessor="source__name", verbose_name="Referring agency")
    received_on = tables.DateColumn(verbose_name="Received", format="j M Y")
    waiting = tables.Column(accessor="received_on", verbose_name="Waiting", order_by=("-received_on",))
    decision = tables.Column(verbose_name="Decision")

    class Meta:
        model = Referral
        fields = ["client", "programme", "source", "received_on", "waiting", "decision"]
        empty_text = "No referrals match. New referrals appear here as soon as they are recorded."

    def render_client(self, record):
        return format_html('<a href="{}">{}</a>', reverse("referrals:referral_detail", args=[record.pk]),
                           record.client.name_for_header)

    def render_waiting(self, record):
        days = record.waiting_days
        text = f"{days} day{'s' if days != 1 else ''}"
        if record.decision == Referral.Decision.PENDING:
            return format_html('<span class="{}">{}</span>', "text-quiet" if days > 14 else "", text)
        return format_html('<span class="text-body-secondary">{} to decide</span>', text)

    def render_decision(self, record):
        return format_html('<span class="badge text-bg-{}">{}</span>', DECISION_COLOURS[record.decision],
                           record.get_decision_display())
