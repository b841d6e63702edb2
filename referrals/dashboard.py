"""Home panels: the lead's pending referrals, and the manager's programme summary."""

from datetime import date

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from clients.models import Case
from mentoring import access
from mentoring.dashboard import panel

from .models import Referral

SHOWN = 10


@panel(roles=[access.LEAD], order=10, template="referrals/panels/pending.html")
def pending_referrals(request):
    referrals = (
        access.decidable_referrals(request.user).awaiting_decision()
        .select_related("client", "programme", "source").order_by("received_on", "id")
    )
    rows = list(referrals[: SHOWN + 1])
    return {
        "referrals": rows[:SHOWN],
        "more": len(rows) > SHOWN,
        "total": referrals.count() if len(rows) > SHOWN else len(rows),
    }


def financial_year_start(day):
    """UK financial years start on 1 April."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def _count(queryset):
    return Coalesce(Subquery(queryset.values("programme").annotate(n=Count("pk")).values("n")[:1]), 0)


@panel(roles=[access.MANAGER], order=10, template="referrals/panels/programme_summary.html")
def programme_summary(request):
    """Per programme: open cases, referrals this month, cases worked with this financial year vs target."""
    today = timezone.localdate()
    fy_start = financial_year_start(today)
    month_start = today.replace(day=1)
    programmes = (
        access.reportable_programmes(request.user).filter(active=True)
        .annotate(
            open_cases=_count(Case.objects.open().filter(programme=OuterRef("pk")).order_by()),
            referrals_this_month=_count(
                Referral.objects.filter(programme=OuterRef("pk"), received_on__gte=month_start, received_on__lte=today).order_by()
            ),
            # METRICS.md `cases_worked_with`: cases open at any time in the period.
            worked_with=_count(Case.objects.open_during(fy_start, today).filter(programme=OuterRef("pk")).order_by()),
            pending=_count(Referral.objects.awaiting_decision().filter(programme=OuterRef("pk")).order_by()),
        )
        .order_by("name")
    )
    rows = []
    for programme in programmes:
        target = programme.target_clients
        rows.append({
            "programme": programme,
            "percent": round(100 * programme.worked_with / target) if target else None,
        })
    return {"rows": rows, "fy_start": fy_start, "today": today, "month_start": month_start}



