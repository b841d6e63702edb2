"""Engagement by match: does the service's matching work? (docs/metrics.md, "Matching").

Self-contained: it takes the report's cohort (a queryset of cases) and its as-of day and
returns the figures with their bases, all counted in the database.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from contacts.models import Contact
from mentors.models import Allocation, Mentor

GROUPS = ("suggested", "overridden", "not_recorded")


def _first_lead(field):
    first = Allocation.objects.leads().filter(case=OuterRef("pk")).order_by("started_on", "id")
    return Subquery(first.values(field)[:1])


def _rates(rows, key, keys):
    counted = {row[key]: row for row in rows}
    result = {}
    for code in keys:
        row = counted.get(code, {"cases": 0, "engaged": 0})
        cases, engaged = row["cases"], row["engaged"]
        rate = float((Decimal(engaged) * 100 / cases).quantize(Decimal("0.1"), ROUND_HALF_UP)) if cases else None
        result[code] = {"engaged": engaged, "cases": cases, "rate": rate}
    return result


def engagement_by_match(cases, as_of):
    """Engagement of the cohort `cases` by how their first lead mentor was chosen, and by that mentor's type.

    {"by_choice": {"suggested"|"overridden"|"not_recorded": {"engaged", "cases", "rate"}},
     "by_mentor_type": {"paid"|"volunteer"|"peer": {...}}}; cases never allocated are left out.
    """
    attended = (
        Contact.objects.attended().on_or_before(as_of).filter(case=OuterRef("pk")).order_by()
        .values("case").annotate(n=Count("pk")).values("n")
    )
    rows = (
        cases.order_by()
        .annotate(
            first_lead=_first_lead("pk"), suggested=_first_lead("suggested"), overridden=_first_lead("overridden"),
            mentor_type=_first_lead("mentor__mentor_type"),
            attended=Coalesce(Subquery(attended, output_field=IntegerField()), Value(0)),
        )
        .filter(first_lead__isnull=False)
        .annotate(engaged_flag=ExpressionWrapper(
            Q(attended__gte=F("programme__engagement_min_contacts")), output_field=BooleanField()))
    )
    overridden = Exists(Allocation.objects.filter(pk=OuterRef("first_lead")).exclude(overridden=[]))
    choice = rows.annotate(is_overridden=overridden)
    by_choice = {
        "suggested": choice.filter(is_overridden=False, suggested=True),
        "overridden": choice.filter(is_overridden=True),
        "not_recorded": choice.filter(Q(suggested__isnull=True) | Q(suggested=False), is_overridden=False),
    }
    figures = {
        group: qs.aggregate(cases=Count("pk"), engaged=Count("pk", filter=Q(engaged_flag=True)))
        for group, qs in by_choice.items()
    }
    by_type = rows.values("mentor_type").annotate(cases=Count("pk"), engaged=Count("pk", filter=Q(engaged_flag=True)))
    return {
        "by_choice": _rates([{"group": g, **f} for g, f in figures.items()], "group", GROUPS),
        "by_mentor_type": _rates(list(by_type), "mentor_type", Mentor.Type.values),
    }
