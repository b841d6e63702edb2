"""Home-page panel: employment checks ('still in work at 13 / 26 weeks?') that are due."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from mentoring import access
from mentoring.dashboard import panel

from .models import EMPLOYMENT_CHECK_WEEKS, Achievement

SHOWN = 10


@dataclass
class DueCheck:
    achievement: Achievement
    weeks: int

    @property
    def due_on(self) -> date:
        return self.achievement.check_due_on(self.weeks)

    @property
    def client(self):
        return self.achievement.case.client


def employment_checks_due(user, on=None, limit=None):
    """Due checks on the user's changeable cases (a mentor's current cases, a lead's
    programmes), oldest first: at most `limit` of them, fetched with two queries.

    The 13-week and the 26-week checks are due a fixed time after the job started, so the
    oldest `limit` of each, merged, hold the oldest `limit` of all.
    """
    on = on or timezone.localdate()
    mine = Achievement.objects.filter(case__in=access.changeable_cases(user))
    items = []
    for weeks in EMPLOYMENT_CHECK_WEEKS:
        due = mine.employment_check_due(weeks, on).select_related("type", "case__client").order_by("achieved_on", "id")
        items += [DueCheck(achievement, weeks) for achievement in (due[:limit] if limit else due)]
    items.sort(key=lambda item: (item.due_on, item.achievement.pk))
    return items[:limit] if limit else items


def employment_checks_count(user, on=None):
    """How many checks are due on the user's changeable cases: one query."""
    on = on or timezone.localdate()
    mine = Achievement.objects.filter(case__in=access.changeable_cases(user))
    counts = mine.aggregate(**{
        f"due_{weeks}": Count("pk", filter=Q(pk__in=mine.employment_check_due(weeks, on).values("pk")))
        for weeks in EMPLOYMENT_CHECK_WEEKS
    })
    return sum(counts.values())


@panel(roles=[access.MENTOR, access.LEAD], order=12, template="outcomes/panels/employment_checks.html")
def employment_checks(request):
    items = employment_checks_due(request.user, limit=SHOWN)
    if not items:
        return None
    # The oldest few first; a lead over a large programme may have hundreds due.
    total = employment_checks_count(request.user) if len(items) == SHOWN else len(items)
    return {"items": items, "total": total, "today": timezone.localdate()}
