"""The per-case values of the report: one derived table grouped by case per source (contacts,
offences, referrals), each computed once, joined to the cohort and aggregated in
one statement (`per_case_totals`). The assessments' per-case table (`assessment_rows`) is
read by each progress section on its own (reports.metrics.progress)."""

from django.db.models import Count, DateField, F, Max, Min, Q, Sum, Value
from django.db.models.functions import Coalesce, Least
from django.db.models.lookups import GreaterThanOrEqual, LessThan, LessThanOrEqual

from clients.models import RiskFlag
from outcomes.models import Assessment, proven_q

from .cohort import attended_contacts
from .definitions import AGE_BANDS, MAX_WINDOW_DAYS, SIX_MONTHS_DAYS, THREE_MONTHS_DAYS
from .sql import DayNumber, _aggregate_joined, _count_if, _flag_sql, _median_sql, age_expression, flag


def _windowed(cases, as_of):
    """The cohort with each case's start day and window W (days from its start to `as_of`, at most 730)."""
    as_of_day = DayNumber(Value(as_of, output_field=DateField()))
    return cases.order_by().annotate(start_day=DayNumber("started_on")).annotate(
        window=Least(as_of_day - F("start_day") + 1, Value(MAX_WINDOW_DAYS)))


def _case_rows(windowed):
    return windowed.values(
        case_id=F("pk"),
        min_contacts=F("programme__engagement_min_contacts"),
        age=age_expression("client__date_of_birth", "started_on"),
        # IN (uncorrelated subquery): one hashed lookup table, not a probe per case.
        risk=flag(Q(client_id__in=RiskFlag.objects.filter(kind=RiskFlag.Kind.TO_OTHERS, active=True)
                    .values("client_id"))),
    )


def _contact_rows(cohort_ids, start, as_of):
    in_period = Q(date__gte=start)
    return (
        attended_contacts(as_of).filter(case__in=cohort_ids).order_by().values("case_id")
        # Only columns of the partial index contact_attended_case_date, so an index-only scan serves it.
        .annotate(attended=Count("*"), first_day=Min(DayNumber("date")), last_day=Max(DayNumber("date")),
                  period_n=Count("date", filter=in_period), period_minutes=Sum("duration_minutes", filter=in_period))
    )


def _offence_rows(windowed, as_of):
    offence = "client__offences"
    off_day = DayNumber(f"{offence}__offence_date")
    proven = proven_q(as_of, prefix=f"{offence}__")
    pre = proven & Q(GreaterThanOrEqual(off_day, F("start_day") - F("window")), LessThan(off_day, F("start_day")))
    post = proven & Q(GreaterThanOrEqual(off_day, F("start_day")),
                      LessThanOrEqual(off_day, F("start_day") + F("window") - 1))
    during = proven & Q(**{f"{offence}__offence_date__gte": F("started_on"),
                           f"{offence}__offence_date__lte": Least(Coalesce("ended_on", Value(as_of)), Value(as_of))})
    return (
        windowed.filter(**{f"{offence}__isnull": False}).values(case_id=F("pk"))
        .annotate(
            pre_n=Count(f"{offence}__pk", filter=pre),
            post_n=Count(f"{offence}__pk", filter=post),
            pre_sev=Sum(f"{offence}__category__severity", filter=pre),
            post_sev=Sum(f"{offence}__category__severity", filter=post),
            pre_cost=Sum(f"{offence}__category__unit_cost", filter=pre),
            post_cost=Sum(f"{offence}__category__unit_cost", filter=post),
            during=Count(f"{offence}__pk", filter=during),
        )
    )


def assessment_rows(cohort_ids, as_of, template):
    """Per case: the template's assessments dated on or before `as_of`, the first and latest date."""
    return (
        Assessment.objects.filter(template=template, assessed_on__lte=as_of, case__in=cohort_ids)
        .order_by().values("case_id")
        .annotate(n=Count("*"), first_on=Min("assessed_on"), latest_on=Max("assessed_on"))  # index-only
    )


def _per_case_values():
    """Per case (the inner select, evaluated once per row): flags as 0/1 and figures with NULLs made 0."""
    engaged_sql = "COALESCE(k.attended, 0) >= c.min_contacts"
    traj_sql = f"{engaged_sql} AND COALESCE(o.pre_n, 0) >= 1"
    rf_sql = f"{traj_sql} AND COALESCE(o.post_n, 0) < o.pre_n"
    return {
        "age": "c.age",
        "risk": "c.risk",
        "attended": "COALESCE(k.attended, 0)",
        "span": "k.last_day - k.first_day",
        "engaged": _flag_sql(engaged_sql),
        "during": _flag_sql("o.during > 0"),
        "traj": _flag_sql(traj_sql),
        "rf": _flag_sql(rf_sql),
        "less_severe": _flag_sql("COALESCE(o.post_sev, 0) < COALESCE(o.pre_sev, 0)"),
        "cost_delta": "COALESCE(o.pre_cost, 0) - COALESCE(o.post_cost, 0)",
        "period_n": "k.period_n",
        "period_minutes": "k.period_minutes",
        "referrals": "r.n",
    }


E3_SQL = f"engaged = 1 AND span >= {THREE_MONTHS_DAYS}"
E6_SQL = f"engaged = 1 AND span >= {SIX_MONTHS_DAYS}"


def _columns():
    """The aggregates over the per-case values: one row of every total the report needs."""
    columns = {
        "n": "COUNT(*)",
        "engaged": "COALESCE(SUM(engaged), 0)",
        "e3": _count_if(E3_SQL),
        "e6": _count_if(E6_SQL),
        "n_risk": "COALESCE(SUM(risk), 0)",
        "n_during": "COALESCE(SUM(during), 0)",
        "traj": "COALESCE(SUM(traj), 0)",
        "rf": "COALESCE(SUM(rf), 0)",
        "rs": _count_if("traj = 1 AND less_severe = 1"),
        "rfs": _count_if("rf = 1 AND less_severe = 1"),
        "traj_e6": _count_if(f"traj = 1 AND span >= {SIX_MONTHS_DAYS}"),
        "rf_e6": _count_if(f"rf = 1 AND span >= {SIX_MONTHS_DAYS}"),
        "cost": "SUM(CASE WHEN traj = 1 THEN cost_delta END)",
        "span_cases": _count_if("attended >= 1"),
        "span_total": "SUM(span)",
        "span_median": _median_sql("span"),
        "span_max": "MAX(span)",
        "period_cases": _count_if("period_n > 0"),
        "span_0_90": _count_if(f"engaged = 1 AND span < {THREE_MONTHS_DAYS}"),
        "span_91_181": _count_if(f"{E3_SQL} AND span < {SIX_MONTHS_DAYS}"),
        "contacts": "SUM(period_n)",
        "minutes": "SUM(period_minutes)",
        "referrals_engaged": "SUM(CASE WHEN engaged = 1 THEN referrals END)",
    }
    for code, _label, low, high in AGE_BANDS:
        band = " AND ".join([*([f"age >= {int(low)}"] if low is not None else []),
                             *([f"age <= {int(high)}"] if high is not None else [])])
        columns[f"age_{code}"] = _count_if(band)
        columns[f"e6_{code}"] = _count_if(f"{band} AND {E6_SQL}")
    return columns


def per_case_totals(cases, start, as_of, referrals):
    """Every total over the cohort's per-case values, in one statement (see the module's docstring)."""
    cohort_ids = cases.values("pk")
    windowed = _windowed(cases, as_of)
    referral_rows = referrals.filter(case__isnull=False).order_by().values("case_id").annotate(n=Count("pk"))
    joins = [("c", _case_rows(windowed), None), ("k", _contact_rows(cohort_ids, start, as_of), "LEFT"),
             ("o", _offence_rows(windowed, as_of), "LEFT"), ("r", referral_rows, "LEFT")]
    return _aggregate_joined(_columns(), _per_case_values(), joins, fractional={"span_median"})
