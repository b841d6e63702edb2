"""Home panels for project leads: cases waiting for a mentor, mentors' caseloads against
capacity with the best-matched mentor for each case to allocate, and DBS checks."""

from django.conf import settings
from django.utils import timezone

from mentoring import access
from mentoring.dashboard import panel

from . import matching
from .models import Mentor, cases_needing_a_lead

SHOWN = 5
MENTORS_SHOWN = 12
TO_ALLOCATE_SHOWN = 10


@panel(roles=[access.LEAD], order=20, template="mentors/panels/to_allocate.html")
def cases_to_allocate(request):
    cases = access.managed_cases(request.user).to_allocate().select_related("client", "programme").order_by("started_on", "id")
    rows = list(cases[: TO_ALLOCATE_SHOWN + 1])
    today = timezone.localdate()
    return {
        "cases": [{"case": c, "waiting_days": (today - c.started_on).days} for c in rows[:TO_ALLOCATE_SHOWN]],
        "more": len(rows) > TO_ALLOCATE_SHOWN,
        "total": cases.count() if len(rows) > TO_ALLOCATE_SHOWN else len(rows),
    }


@panel(roles=[access.LEAD], order=25, template="mentors/panels/caseloads.html")
def caseloads_and_matches(request):
    user = request.user
    # Queries: cases (1), suggestions (fixed: mentors, strengths, programmes, allocations,
    # preferences), mentors with caseloads (1) and their compliance (same query).
    waiting = (
        cases_needing_a_lead(access.managed_cases(user)).select_related("client", "programme")
        .order_by("started_on", "id")
    )
    cases = list(waiting[: SHOWN + 1])
    suggestions = matching.suggestions_for_cases(cases[:SHOWN], limit=1)
    available = access.managed_mentors(user).available()
    # The busiest first, a screenful of them; the mentor list has everyone.
    mentors = list(
        available.with_caseload().with_compliance().order_by("-caseload", "first_name", "last_name")[:MENTORS_SHOWN]
    )
    return {
        "cases": [(case, (suggestions.get(case.pk) or [None])[0]) for case in cases[:SHOWN]],
        "more": len(cases) > SHOWN,
        "mentors": mentors,
        "mentor_total": available.count() if len(mentors) == MENTORS_SHOWN else len(mentors),
    }


@panel(roles=[access.LEAD], order=26, template="mentors/panels/dbs_checks.html")
def dbs_status_checks(request):
    """Mentors whose DBS status needs a lead: a change to review, or a check that is due."""
    mentors = access.managed_mentors(request.user).active()
    return {
        "to_review": list(mentors.filter(dbs_status_review_needed=True).order_by("first_name", "last_name")),
        "due": list(mentors.dbs_status_checks_due().order_by("dbs_status_checked_on", "first_name")[:MENTORS_SHOWN]),
        "enabled": settings.DBS_STATUS_CHECKS_ENABLED,
        "review_status": Mentor.DbsStatus,
    }
