"""Home-page panel: employment checks ('still in work at 13 / 26 weeks?') that are due."""

from dataclasses import dataclass
from datetime import date

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
    mine = Achievement.objects.restrict(user, "change")
    items = []
    for weeks in EMPLOYMENT_CHECK_WEEKS:
        due = mine.employment_check_due(weeks, on).order_by("achieved_on", "id")
        if limit:
            # The few oldest by id first, then their details: joining every due job's case and
            # client before sorting costs more than the sort.
            due = mine.filter(pk__in=due.values("pk")[:limit]).order_by("achieved_on", "id")
        items += [DueCheck(achievement, weeks) for achievement in due.select_related("type", "case__client")]
    items.sort(key=lambda item: (item.due_on, item.achievement.pk))
    return items[:limit] if limit else items


def employment_checks_count(user, on=None):
    """How many checks are due on the user's changeable cases: one query."""
    mine = Achievement.objects.restrict(user, "change")
    return mine.employment_checks_due_count(on or timezone.localdate())


@panel(roles=[access.MENTOR, access.LEAD], order=12, template="outcomes/panels/employment_checks.html")
def employment_checks(request):
    items = employment_checks_due(request.user, limit=SHOWN)
    if not items:
        return None
    # The oldest few first; a lead over a large programme may have hundreds due.
    total = employment_checks_count(request.user) if len(items) == SHOWN else len(items)
    return {"items": items, "total": total, "today": timezone.localdate()}
