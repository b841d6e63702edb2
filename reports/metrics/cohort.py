"""The report's cohort and the other selections every screen counts from the same way."""

from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Sum,
)

from clients.models import Case
from contacts.models import Contact, SupportSpend
from mentors.models import Allocation
from referrals.models import Referral

from .result import SpendFigures, pct
from .sql import age_band_q, age_expression

NOT_RECORDED = "not_recorded"  # a yes / no question left unanswered


def cohort(programmes, start, end, filters=None):
    """The report's cohort: cases of `programmes` open at any time from `start` to `end`, narrowed
    by the report's filters. Every screen that counts "cases worked with" starts here."""
    cases = Case.objects.filter(programme__in=programmes).open_during(start, end)
    return _narrowed(cases, filters, case="pk", source="referral__source__code", started="started_on")


def _referrals(programmes, start, end, filters):
    referrals = Referral.objects.filter(programme__in=programmes, received_on__gte=start, received_on__lte=end)
    return _narrowed(referrals, filters, case="case", source="source__code", started="received_on")


def _narrowed(queryset, filters, *, case, source, started):
    """`queryset` (of cases or referrals) narrowed by the report's filters: `case` is the path to the
    case (for its lead mentor), `source` to the referral source's code, `started` to the date the
    client's age band is taken on."""
    filters = filters or {}
    if filters.get("mentor"):
        queryset = queryset.filter(Exists(Allocation.objects.filter(
            case=OuterRef(case), role=Allocation.Role.LEAD, mentor=filters["mentor"])))
    if filters.get("gender"):
        queryset = queryset.filter(client__gender=filters["gender"])
    if filters.get("ethnicity"):
        queryset = queryset.filter(client__ethnicity=filters["ethnicity"])
    for flag in ("care_experienced", "parent_in_prison"):
        if filters.get(flag):
            queryset = queryset.filter(**yes_no_lookup(f"client__{flag}", filters[flag]))
    if filters.get("area"):
        queryset = queryset.filter(client__area__iexact=filters["area"])
    if filters.get("source"):
        queryset = queryset.filter(**{source: filters["source"]})
    if filters.get("age_band"):
        queryset = queryset.alias(age=age_expression("client__date_of_birth", started)).filter(
            age_band_q(filters["age_band"]))
    return queryset


def yes_no_lookup(field, code):
    """The filter keyword arguments for a yes / no / not recorded choice on `field`."""
    if code == NOT_RECORDED:
        return {f"{field}__isnull": True}
    return {field: code == "yes"}


def attended_contacts(as_of):
    """Attended contacts (contacts' own rule, `Contact.objects.attended()`) dated on or before `as_of`."""
    return Contact.objects.attended().on_or_before(as_of)


def target_figures(programmes, cases_worked_with):
    """`target_clients` (the programmes' targets summed; None when none is set) and `target_progress`."""
    targets = [p.target_clients for p in programmes if p.target_clients is not None]
    target = sum(targets) if targets else None
    return {"target_clients": target, "target_progress": pct(cases_worked_with, target)}


def programme_figures(programmes, start, end):
    """Per programme: `cases_worked_with`, `target_clients` and `target_progress` over the period,
    counted exactly as the report counts them, in one grouped query (for the manager's home)."""
    programmes = list(programmes)
    counts = dict(cohort([p.pk for p in programmes], start, end).order_by().values_list("programme_id")
                  .annotate(n=Count("pk")))
    return {p.pk: {"cases_worked_with": counts.get(p.pk, 0), **target_figures([p], counts.get(p.pk, 0))}
            for p in programmes}


def support_spend(cases, start, end):
    """Support spend on `cases` dated from `start` to `end`: (overall, {programme id: figures}), as
    `SpendFigures`. Two grouped queries (by programme and category, by programme); a case belongs
    to one programme, so the overall case counts are sums of the programmes' counts."""
    spend = SupportSpend.objects.filter(case__in=cases.values("pk"), spent_on__gte=start, spent_on__lte=end).order_by()
    figures = {"total": Sum("amount"), "items": Count("pk"), "cases": Count("case", distinct=True)}
    labels = dict(SupportSpend.Category.choices)
    by_programme = {row["case__programme_id"]: SpendFigures(total=row["total"], items=row["items"], cases=row["cases"])
                    for row in spend.values("case__programme_id").annotate(**figures)}
    overall = SpendFigures(total=sum((p.total for p in by_programme.values()), Decimal("0")),
                           items=sum(p.items for p in by_programme.values()),
                           cases=sum(p.cases for p in by_programme.values()))
    merged = {}
    for row in spend.values("case__programme_id", "category").annotate(**figures):
        item = {"category": row["category"], "label": labels.get(row["category"], row["category"]),
                "total": row["total"], "items": row["items"], "cases": row["cases"]}
        by_programme[row["case__programme_id"]].categories.append(item)
        into = merged.setdefault(row["category"], {**item, "total": Decimal("0"), "items": 0, "cases": 0})
        for name in ("total", "items", "cases"):
            into[name] += item[name]
    order = {"key": lambda item: (-item["total"], item["label"])}
    overall.categories = sorted(merged.values(), **order)
    for figures_of_one in by_programme.values():
        figures_of_one.categories.sort(**order)
    return overall, by_programme

