"""Home panels: for leads, risk flags due a review; for managers, records waiting for a duplicate
check. (Cases waiting for a mentor are mentors' panel.)"""

from django.utils import timezone

from mentoring import access
from mentoring.dashboard import panel

from .models import RiskFlag

SHOWN = 10


@panel(roles=[access.LEAD], order=40, template="clients/panels/risk_reviews.html")
def risk_reviews_due(request):
    today = timezone.localdate()
    clients = access.managed_cases(request.user).open().values("client_id")
    flags = RiskFlag.objects.restrict(request.user, "view").review_due(today).filter(client__in=clients)
    flags = flags.select_related("client").order_by("review_on", "id")
    rows = list(flags[: SHOWN + 1])
    return {
        "flags": [{"flag": f, "overdue": f.review_on < today} for f in rows[:SHOWN]],
        "more": len(rows) > SHOWN,
        "total": flags.count() if len(rows) > SHOWN else len(rows),
    }


@panel(roles=[access.MANAGER], order=70, template="clients/panels/duplicate_checks.html")
def duplicate_checks_waiting(request):
    waiting = access.duplicate_checks(request.user).count()
    return {"waiting": waiting} if waiting else None
