"""Home-page panel: employment checks ('still in work at 13 / 26 weeks?') that are due."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from mentoring import access
from mentoring.dashboard import panel

from .models import Achievement

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


def employment_checks_due(user, on=None):
    """Due checks on the user's changeable cases (a mentor's current cases, a lead's
    programmes), oldest first. Two queries' worth: the access subquery is inlined."""
    on = on or timezone.localdate()
    achievements = (
        Achievement.objects.filter(case__in=access.changeable_cases(user))
        .employment_checks_due(on)
        .select_related("type", "case__client")
        .order_by("achieved_on", "id")
    )
    items = [DueCheck(achievement, weeks) for achievement in achievements for weeks in achievement.checks_due(on)]
    return sorted(items, key=lambda item: (item.due_on, item.achievement.pk))


@panel(roles=[access.MENTOR, access.LEAD], order=12, template="outcomes/panels/employment_checks.html")
def employment_checks(request):
    items = employment_checks_due(request.user)
    if not items:
        return None
    # The oldest few first; a lead over a large programme may have hundreds due.
    return {"items": items[:SHOWN], "total": len(items), "today": timezone.localdate()}
