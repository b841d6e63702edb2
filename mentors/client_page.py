"""What mentors adds to the client page: allocation events on the timeline and a Mentors
section with the allocation history (and, for leads, the allocate and end actions).

Found by clients.registry.autodiscover(); each part runs one query however long the history.
"""

from django.urls import reverse

from clients.registry import Link, TimelineEvent, client_links, client_section, timeline_source
from mentoring import access

from .models import Allocation


def _allocations(request, cases):
    return list(
        Allocation.objects.restrict(request.user, "view").filter(case__in=[c.pk for c in cases]).select_related("mentor", "case__programme")
        .order_by("-started_on", "-id")
    )


@client_links("case", order=10)
def allocate(request, client, cases):
    """A case waiting for a mentor: its lead or a manager allocates one."""
    waiting = [case.pk for case in cases if case.status == case.Status.TO_ALLOCATE]
    if not waiting:
        return []
    managed = set(access.managed_cases(request.user).filter(pk__in=waiting).values_list("pk", flat=True))
    return [Link("Allocate a mentor", reverse("mentors:allocate", args=[pk]), case_id=pk) for pk in waiting if pk in managed]


@timeline_source
def allocation_events(request, client, cases):
    events = []
    for a in _allocations(request, cases):
        role = a.get_role_display().lower()
        events.append(TimelineEvent(
            on=a.started_on, kind="allocation", title=f"{a.mentor} allocated as {role}",
            detail=a.override_reason and f"Chosen over the suggestions: {a.override_reason}", icon="mentor",
        ))
        if a.ended_on:
            events.append(TimelineEvent(
                on=a.ended_on, kind="allocation", title=f"{a.mentor}'s allocation as {role} ended",
                detail=a.end_reason, icon="ended",
            ))
    return events


@client_section(order=20, title="Mentors", template="mentors/sections/mentors.html")
def mentors_section(request, client, cases):
    if not cases:
        return None
    managed = set(access.managed_cases(request.user).filter(pk__in=[c.pk for c in cases]).values_list("pk", flat=True))
    rows = []
    allocations = _allocations(request, cases)
    for case in cases:
        mine = [a for a in allocations if a.case_id == case.pk]
        rows.append({
            "case": case,
            "current": [a for a in mine if a.is_current()],
            "past": [a for a in mine if not a.is_current()],
            "can_allocate": case.pk in managed and case.is_open,
            "allocate_url": reverse("mentors:allocate", args=[case.pk]),
        })
    return {"rows": rows}
