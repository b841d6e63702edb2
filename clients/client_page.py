"""What clients adds to the client page: case and risk-flag events, and the Details section.

Found by clients.registry.autodiscover(); each source runs a fixed number of queries.
"""

from django.urls import reverse

from mentoring import access
from mentoring.models import AuditEvent

from .registry import TimelineEvent, client_section, timeline_source


@timeline_source
def case_events(request, client, cases):
    """Cases opened, closed and re-opened (from the case rows) and pauses (from the audit trail)."""
    events = []
    url = reverse("clients:client_detail", args=[client.pk])
    for case in cases:
        if case.previous_case_id:
            title = f"Case re-opened in {case.programme.name}"
            detail = f"Re-engagement after the case that closed on {case.previous_case.ended_on:%-d %b %Y}."
        else:
            title = f"Case opened in {case.programme.name}"
            detail = "Waiting for a mentor." if case.status == case.Status.TO_ALLOCATE else ""
        events.append(TimelineEvent(on=case.started_on, kind="case", title=title, detail=detail, url=url, icon="case"))
        if case.ended_on:
            reason = case.closure_reason.name if case.closure_reason_id else "no reason given"
            events.append(TimelineEvent(on=case.ended_on, kind="closure", title=f"Case closed: {reason}",
                                        detail=case.closing_summary, url=url, icon="closed"))
    case_ids = {str(case.pk) for case in cases}
    state_events = AuditEvent.objects.filter(
        client_id=client.pk, object_type="clients.case", object_id__in=case_ids,
        verb__in=["case.paused", "case.resumed"],
    ).only("at", "verb", "detail", "object_id").order_by("at", "id")
    # The audit trail keeps no typed reason (it cannot be erased from there): the reason shown
    # is the case's own, for the pause still in force.
    latest_pause = {event.object_id: event.pk for event in state_events if event.verb == "case.paused"}
    by_id = {str(case.pk): case for case in cases}
    for event in state_events:
        local = event.at
        if event.verb == "case.paused":
            case = by_id[event.object_id]
            current = case.status == case.Status.PAUSED and latest_pause[event.object_id] == event.pk
            title, detail = "Case paused", case.pause_reason if current else ""
        else:
            title, detail = "Case resumed", ""
        on = _date(event.detail.get("on")) or local.date()
        events.append(TimelineEvent(on=on, at=local, kind="case", title=title, detail=detail, icon="paused" if event.verb == "case.paused" else "resumed"))
    return events


@timeline_source
def risk_flag_events(request, client, cases):
    events = []
    for flag in client.risk_flags.all():
        events.append(TimelineEvent(on=flag.raised_on, kind="risk", title=f"Flag raised: {flag.get_kind_display()}",
                                    detail=f"Level {flag.get_level_display().lower()}" + ("" if flag.active else " (no longer current)"),
                                    icon="flag"))
    return events


def _date(text):
    from datetime import date

    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@client_section(order=90, title="Details", template="clients/sections/details.html")
def details(request, client, cases):
    return {"client": client, "can_change": access.changeable_clients(request.user).filter(pk=client.pk).exists()}
