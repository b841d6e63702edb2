"""The manager's home panel of programme figures, from the report's own functions.

It lives in reports (not referrals, which it used to) because reports sits above every other
app: `cases_worked_with`, `target_clients` and `target_progress` come from
`reports.metrics.programme_figures()`, so the home and the report cannot disagree.
"""

from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from clients.models import Case
from mentoring import access
from mentoring.dashboard import panel
from referrals.models import Referral

from .forms import quick_period
from .metrics import DEFINITIONS, compute_report, programme_figures
from .models import Target
from .presentation import show, show_pct


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


@panel(roles=[access.MANAGER], order=11, template="reports/panels/programme_targets.html")
def programme_targets(request):
    """Per programme with a target this financial year (`reports.Target`): each figure against
    it, from the report over the year to date, so the home and that report agree (counts pro
    rata to today). For internal use, like the rest of the home: nothing suppressed. One query
    for the programmes, then the report's fixed number per programme that has a target."""
    today = timezone.localdate()
    fy_start, _ = quick_period("financial_year_to_date", today)
    overlapping = Target.objects.filter(programme=OuterRef("pk"), starts_on__lte=today, ends_on__gte=fy_start)
    programmes = access.reportable_programmes(request.user).filter(active=True).filter(Exists(overlapping)).order_by("name")
    rows = []
    for programme in programmes:
        result = compute_report([programme], fy_start, today)
        rows.append({"programme": programme, "targets": [_target_line(row) for row in result.targets_json()]})
    return {"rows": rows, "fy_start": fy_start, "today": today}


def _target_line(row):
    """One figure against its target, worded as the report's tile words it."""
    rate = DEFINITIONS[row["figure"]].kind == "rate"
    shown = show_pct if rate else show
    return {"label": DEFINITIONS[row["figure"]].label, "actual": shown(row["actual"]), "target": shown(row["target"]),
            "share_met": show_pct(row["share_met"]), "pro_rata": row["pro_rata"]}
