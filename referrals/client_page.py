"""Referral events on the client page: received, then the decision. One query."""

from django.urls import reverse

from clients.registry import TimelineEvent, timeline_source
from mentoring import access


@timeline_source
def referral_events(request, client, cases):
    events = []
    referrals = access.visible_referrals(request.user).filter(client=client).select_related("programme", "source")
    for referral in referrals:
        url = reverse("referrals:referral_detail", args=[referral.pk])
        who = referral.referrer_organisation or referral.source.name
        events.append(TimelineEvent(on=referral.received_on, kind="referral",
                                    title=f"Referral received from {who}",
                                    detail=f"To {referral.programme.name}. {referral.wants_help_with}".strip(),
                                    url=url, icon="referral"))
        if referral.decided_on:
            events.append(TimelineEvent(on=referral.decided_on, kind="decision",
                                        title=f"Referral {referral.get_decision_display().lower()}",
                                        detail=referral.decision_reason, url=url, icon="decision"))
    return events
