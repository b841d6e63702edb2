"""The manager's home panel of programme figures, from the report's own functions.

It lives in reports (not referrals, which it used to) because reports sits above every other
app: `cases_worked_with`, `target_clients` and `target_progress` come from
`reports.metrics.programme_figures()`, so the home and the report cannot disagree.
"""

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from clients.models import Case
from mentoring import access
from mentoring.dashboard import panel
from referrals.models import Referral

from .forms import quick_period
from .metrics import programme_figures
from .presentation import show_pct


def _count(queryset):
    return Coalesce(Subquery(queryset.values("programme").annotate(n=Count("pk")).values("n")[:1]), 0)


@panel(roles=[access.MANAGER], order=10, template="reports/panels/programme_summary.html")
def programme_summary(request):
    """Per programme: open cases, referrals this month and awaiting a decision, and the report's
    cases worked with this financial year against the target. Two queries."""
    today = timezone.localdate()
    fy_start, _ = quick_period("financial_year_to_date", today)
    month_start = today.replace(day=1)
    referrals = Referral.objects.restrict(request.user, "view")
    programmes = list(
        access.reportable_programmes(request.user).filter(active=True)
        .annotate(
            open_cases=_count(Case.objects.restrict(request.user, "view").open().filter(programme=OuterRef("pk")).order_by()),
            referrals_this_month=_count(
                referrals.filter(programme=OuterRef("pk"), received_on__gte=month_start, received_on__lte=today).order_by()
            ),
            pending=_count(referrals.awaiting_decision().filter(programme=OuterRef("pk")).order_by()),
        )
        .order_by("name")
    )
    figures = programme_figures(programmes, fy_start, today)
    rows = []
    for programme in programmes:
        figure = figures[programme.pk]
        progress = figure["target_progress"]
        rows.append({
            "programme": programme,
            **figure,
            "progress": show_pct(progress),
            "bar": f"{min(progress, 100):.1f}" if progress is not None else None,
        })
    return {"rows": rows, "fy_start": fy_start, "today": today, "month_start": month_start}
