"""Every figure a Waymark report prints, computed once, by database aggregation.

The definitions are those of docs/metrics.md (repeated in `DEFINITIONS` for the report's appendix).
Other screens that show one of these figures (the manager's home, the support spend page, the
Justice Data Lab file) call the functions here too: `cohort()`, `programme_figures()`,
`support_spend()`. Small numbers are hidden by `reports.suppression`, and nowhere else.
`compute_report()` runs a fixed number of queries whatever the size of the data: per-case
values (attended contacts, engagement span, offences in the pre and post windows...) come
from derived tables grouped by case (one per source: contacts, offences, assessments,
referrals), each computed once and joined to the cohort, then aggregated in one statement;
breakdowns are grouped queries. Nothing is counted in a Python loop over cases or contacts.

Date arithmetic differs between PostgreSQL and SQLite, so dates become integer day numbers
through `DayNumber` and the windows are integer arithmetic on those. The median engagement span
is PostgreSQL's `percentile_cont`; SQLite (for `make run`) has none, so there it is the mean of
the middle one or two spans ranked by a window function (`_median_sql`): the same value.
"""

from decimal import Decimal

from django.db.models import Count, DateField, F, Max, Min, Q, Sum, Value
from django.db.models.functions import Coalesce, Least
from django.db.models.lookups import GreaterThanOrEqual, LessThan, LessThanOrEqual

from clients.models import Case, ClosureReason, RiskFlag
from contacts.models import Activity
from outcomes.models import (
    Achievement,
    AchievementType,
    Answer,
    Assessment,
    AssessmentTemplate,
    Domain,
    OffenceCategory,
    Question,
    Questionnaire,
    proven_q,
)
from referrals.models import Referral, ReferralSource

from .cohort import _referrals, attended_contacts, cohort, programme_figures, support_spend, target_figures
from .definitions import (
    ACHIEVEMENT_CATEGORIES,
    AGE_BAND_CODES,
    AGE_BANDS,
    DEFAULT_TEMPLATE,
    DEFINITIONS,
    ETE_CATEGORIES,
    JSON_IDS,
    MAX_WINDOW_DAYS,
    REOFFENDING_CAVEAT,
    SECTIONS,
    SIX_MONTHS_DAYS,
    THREE_MONTHS_DAYS,
)
from .result import ReportResult, SpendFigures, mean, pct, round_half_up, suppress_figures
from .sql import DayNumber, _aggregate_joined, _count_if, _domain_changes, _flag_sql, _median_sql, age_expression, flag


def compute_report(programmes, start, end, *, filters=None, template=None):
    """Compute every figure of docs/metrics.md for `programmes` over `start`..`end` (as_of = end)."""
    programmes = list(programmes)
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    as_of = end
    programme_ids = [p.pk for p in programmes]
    cases = cohort(programme_ids, start, end, filters)
    cohort_ids = cases.values("pk")

    # Reference data (one query each).
    sources = list(ReferralSource.objects.order_by("order", "code").values_list("code", "name"))
    activities = list(Activity.objects.order_by("order", "code").values_list("code", "name"))
    reasons = list(ClosureReason.objects.order_by("order", "code").values_list("code", "name"))
    types = list(AchievementType.objects.order_by("order", "code").values_list("code", "name", "category"))
    questions = list(Question.objects.order_by("order", "code").values_list("code", "text"))
    categories = list(OffenceCategory.objects.order_by("-severity", "order", "code").values(
        "code", "name", "severity", "unit_cost", "source", "price_year"))
    if template is None:
        template = (AssessmentTemplate.objects.filter(code=DEFAULT_TEMPLATE).first()
                    or AssessmentTemplate.objects.filter(active=True).order_by("pk").first())
    domain_rows = list(Domain.objects.filter(template=template).order_by("order", "code")
                       .values_list("pk", "code", "label")) if template else []
    domains = [(code, label) for _pk, code, label in domain_rows]

    # Per-case values: one grouped derived table per source (contacts, offences, assessments,
    # referrals), each computed once and joined to the cohort by case id, then aggregated.
    as_of_day = DayNumber(Value(as_of, output_field=DateField()))
    windowed = cases.order_by().annotate(start_day=DayNumber("started_on")).annotate(
        window=Least(as_of_day - F("start_day") + 1, Value(MAX_WINDOW_DAYS)))
    case_rows = windowed.values(
        case_id=F("pk"),
        min_contacts=F("programme__engagement_min_contacts"),
        age=age_expression("client__date_of_birth", "started_on"),
        # IN (uncorrelated subquery): one hashed lookup table, not a probe per case.
        risk=flag(Q(client_id__in=RiskFlag.objects.filter(kind=RiskFlag.Kind.TO_OTHERS, active=True)
                    .values("client_id"))),
    )
    in_period = Q(date__gte=start)
    contact_rows = (
        attended_contacts(as_of).filter(case__in=cohort_ids).order_by().values("case_id")
        # Only columns of the partial index contact_attended_case_date, so an index-only scan serves it.
        .annotate(attended=Count("*"), first_day=Min(DayNumber("date")), last_day=Max(DayNumber("date")),
                  period_n=Count("date", filter=in_period), period_minutes=Sum("duration_minutes", filter=in_period))
    )
    offence = "client__offences"
    off_day = DayNumber(f"{offence}__offence_date")
    proven = proven_q(as_of, prefix=f"{offence}__")
    pre = proven & Q(GreaterThanOrEqual(off_day, F("start_day") - F("window")), LessThan(off_day, F("start_day")))
    post = proven & Q(GreaterThanOrEqual(off_day, F("start_day")),
                      LessThanOrEqual(off_day, F("start_day") + F("window") - 1))
    during = proven & Q(**{f"{offence}__offence_date__gte": F("started_on"),
                           f"{offence}__offence_date__lte": Least(Coalesce("ended_on", Value(as_of)), Value(as_of))})
    offence_rows = (
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
    assessment_rows = (
        Assessment.objects.filter(template=template, assessed_on__lte=as_of, case__in=cohort_ids)
        .order_by().values("case_id")
        .annotate(n=Count("*"), first_on=Min("assessed_on"), latest_on=Max("assessed_on"))  # index-only
    ) if template else None
    referrals = _referrals(programme_ids, start, end, filters)
    referral_rows = referrals.filter(case__isnull=False).order_by().values("case_id").annotate(n=Count("pk"))

    # Per case (the inner select, evaluated once per row): flags as 0/1 and figures with
    # NULLs made 0; then `columns` aggregate those plain columns.
    engaged_sql = "COALESCE(k.attended, 0) >= c.min_contacts"
    traj_sql = f"{engaged_sql} AND COALESCE(o.pre_n, 0) >= 1"
    rf_sql = f"{traj_sql} AND COALESCE(o.post_n, 0) < o.pre_n"
    per_case = {
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
        "followup": _flag_sql("a.n >= 2") if template else "0",
        "period_n": "k.period_n",
        "period_minutes": "k.period_minutes",
        "referrals": "r.n",
    }
    e3_sql = f"engaged = 1 AND span >= {THREE_MONTHS_DAYS}"
    e6_sql = f"engaged = 1 AND span >= {SIX_MONTHS_DAYS}"
    columns = {
        "n": "COUNT(*)",
        "engaged": "COALESCE(SUM(engaged), 0)",
        "e3": _count_if(e3_sql),
        "e6": _count_if(e6_sql),
        "n_risk": "COALESCE(SUM(risk), 0)",
        "n_during": "COALESCE(SUM(during), 0)",
        "traj": "COALESCE(SUM(traj), 0)",
        "rf": "COALESCE(SUM(rf), 0)",
        "rs": _count_if("traj = 1 AND less_severe = 1"),
        "rfs": _count_if("rf = 1 AND less_severe = 1"),
        "traj_e6": _count_if(f"traj = 1 AND span >= {SIX_MONTHS_DAYS}"),
        "rf_e6": _count_if(f"rf = 1 AND span >= {SIX_MONTHS_DAYS}"),
        "cost": "SUM(CASE WHEN traj = 1 THEN cost_delta END)",
        "followups": "COALESCE(SUM(followup), 0)",
        "span_cases": _count_if("attended >= 1"),
        "span_total": "SUM(span)",
        "span_median": _median_sql("span"),
        "span_max": "MAX(span)",
        "period_cases": _count_if("period_n > 0"),
        "span_0_90": _count_if(f"engaged = 1 AND span < {THREE_MONTHS_DAYS}"),
        "span_91_181": _count_if(f"{e3_sql} AND span < {SIX_MONTHS_DAYS}"),
        "contacts": "SUM(period_n)",
        "minutes": "SUM(period_minutes)",
        "referrals_engaged": "SUM(CASE WHEN engaged = 1 THEN referrals END)",
    }
    for code, _label, low, high in AGE_BANDS:
        band = " AND ".join([*([f"age >= {int(low)}"] if low is not None else []),
                             *([f"age <= {int(high)}"] if high is not None else [])])
        columns[f"age_{code}"] = _count_if(band)
        columns[f"e6_{code}"] = _count_if(f"{band} AND {e6_sql}")
    joins = [("c", case_rows, None), ("k", contact_rows, "LEFT"), ("o", offence_rows, "LEFT"),
             ("r", referral_rows, "LEFT")]
    if template:
        joins.append(("a", assessment_rows, "LEFT"))
    totals = _aggregate_joined(columns, per_case, joins, fractional={"span_median"})
    referral_totals = referrals.aggregate(
        received=Count("pk"), accepted=Count("pk", filter=Q(decision=Referral.Decision.ACCEPTED)))
    referral_totals["engaged"] = totals["referrals_engaged"] or 0
    by_source = dict(referrals.order_by().values_list("source__code").annotate(n=Count("pk")))

    # Contacts in the period, by activity.
    period_contacts = attended_contacts(as_of).filter(case__in=cohort_ids, date__gte=start)
    contact_totals = {"n": totals["contacts"] or 0, "minutes": totals["minutes"] or 0}
    by_activity = dict(
        period_contacts.filter(activities__isnull=False).order_by().values_list("activities__code")
        .annotate(n=Count("pk"))
    )
    closed = dict(
        Case.objects.filter(pk__in=cohort_ids, ended_on__gte=start, ended_on__lte=end, closure_reason__isnull=False)
        .order_by().values_list("closure_reason__code").annotate(n=Count("pk"))
    )

    # Achievements dated from the case's start to as_of.
    achievements = Achievement.objects.filter(
        case__in=cohort_ids, achieved_on__gte=F("case__started_on"), achieved_on__lte=as_of
    )
    achievement_totals = achievements.aggregate(
        ete=Count("case", distinct=True, filter=Q(type__category__in=ETE_CATEGORIES)),
        **{f"cat_{c}": Count("case", distinct=True, filter=Q(type__category=c)) for c in ACHIEVEMENT_CATEGORIES},
    )
    by_type = dict(achievements.order_by().values_list("type__code").annotate(n=Count("case", distinct=True)))

    # Progress wheel: each follow-up case's latest scores against its first, per domain. An
    # assessment is unique per case, template and day, so the first and latest dates of the
    # per-case table identify the two assessments.
    domain_figures = {code: {"first_mean": None, "latest_mean": None, "improved": 0, "improved_rate": None}
                      for code, _ in domains}
    domain_scores = {code: {"first_mean": 0, "latest_mean": 0} for code, _ in domains}
    if template and domains:
        rows = _domain_changes(assessment_rows.filter(n__gte=2), template)
        for domain_id, code, _ in domain_rows:
            n_latest, latest_total, first_total, n_first, improved = rows.get(domain_id, (0, 0, 0, 0, 0))
            domain_figures[code] = {
                "first_mean": mean(first_total or 0, n_first),
                "latest_mean": mean(latest_total or 0, n_latest),
                "improved": improved,
                "improved_rate": pct(improved, totals["followups"]),
            }
            domain_scores[code] = {"first_mean": n_first, "latest_mean": n_latest}

    # Exit questionnaires completed in the period.
    questionnaires = Questionnaire.objects.filter(case__in=cohort_ids, completed_on__gte=start, completed_on__lte=end)
    questionnaire_count = questionnaires.count()
    answers = {
        code: (total, agree)
        for code, total, agree in Answer.objects.filter(questionnaire__in=questionnaires.values("pk"))
        .order_by().values_list("question__code").annotate(total=Count("pk"), agree=Count("pk", filter=Q(answer__gte=4)))
    }

    # Support spend in the period (not a figure of the JSON: shown on the report).
    spend, _by_programme = support_spend(cases, start, end)

    n = totals["n"]
    engaged = totals["engaged"]
    target = target_figures(programmes, n)
    minutes = contact_totals["minutes"] or 0
    age_counts = {code: totals[f"age_{code}"] for code in AGE_BAND_CODES}
    agree_base = {code: answers.get(code, (0, 0))[0] for code, _ in questions}

    figures = {
        "referrals_received": referral_totals["received"],
        "referrals_by_source": {code: by_source.get(code, 0) for code, _ in sources},
        "referrals_accepted": referral_totals["accepted"],
        "referrals_engaged": referral_totals["engaged"],
        "referral_engagement_rate": pct(referral_totals["engaged"], referral_totals["received"]),
        "cases_worked_with": n,
        "cases_by_age_band": age_counts,
        "engaged": engaged,
        "engagement_rate": pct(engaged, n),
        "engagement_span_days": {"mean": mean(totals["span_total"] or 0, totals["span_cases"]),
                                 "median": round_half_up(totals["span_median"])},
        "engaged_3_months": totals["e3"],
        "engaged_3_months_rate": pct(totals["e3"], n),
        "engaged_6_months": totals["e6"],
        "engaged_6_months_rate": pct(totals["e6"], n),
        "engaged_6_months_rate_by_age_band": {code: pct(totals[f"e6_{code}"], age_counts[code])
                                              for code in AGE_BAND_CODES},
        "risk_to_others_rate": pct(totals["n_risk"], n),
        "contacts_attended": contact_totals["n"],
        "contact_hours": round_half_up(Decimal(minutes) / 60),
        "sessions_by_activity": {code: by_activity.get(code, 0) for code, _ in activities},
        "cases_closed": {code: closed.get(code, 0) for code, _ in reasons},
        "clients_with_ete_outcome": achievement_totals["ete"],
        "ete_outcome_rate": pct(achievement_totals["ete"], engaged),
        "clients_by_achievement_category": {c: achievement_totals[f"cat_{c}"] for c in ACHIEVEMENT_CATEGORIES},
        "clients_by_achievement_type": {code: by_type.get(code, 0) for code, _, _ in types},
        "reoffended_during_support": totals["n_during"],
        "no_reoffending_rate": pct(n - totals["n_during"], n),
        "trajectory_cases": totals["traj"],
        "reduced_frequency": totals["rf"],
        "reduced_seriousness": totals["rs"],
        "reduced_frequency_rate": pct(totals["rf"], totals["traj"]),
        "reduced_frequency_and_seriousness_rate": pct(totals["rfs"], totals["traj"]),
        "reduced_frequency_rate_engaged_6_months": pct(totals["rf_e6"], totals["traj_e6"]),
        "estimated_cost_avoided": int(totals["cost"] or 0),
        "assessment_followups": totals["followups"],
        "assessment_change_by_domain": domain_figures,
        "questionnaires_completed": questionnaire_count,
        "questionnaire_agree_rate": {code: pct(answers.get(code, (0, 0))[1], agree_base[code])
                                     for code, _ in questions},
        **target,
    }
    bases = {
        "referral_engagement_rate": referral_totals["received"],
        "engagement_rate": n,
        "engaged_3_months_rate": n,
        "engaged_6_months_rate": n,
        "engagement_span_days": totals["span_cases"],
        "engaged_6_months_rate_by_age_band": age_counts,
        "risk_to_others_rate": n,
        "ete_outcome_rate": engaged,
        "no_reoffending_rate": n,
        "reduced_frequency_rate": totals["traj"],
        "reduced_frequency_and_seriousness_rate": totals["traj"],
        "reduced_frequency_rate_engaged_6_months": totals["traj_e6"],
        "assessment_change_by_domain": totals["followups"],
        "questionnaire_agree_rate": agree_base,
        "target_progress": target["target_clients"],
    }
    numerators = {
        "referral_engagement_rate": referral_totals["engaged"],
        "engagement_rate": engaged,
        "engaged_3_months_rate": totals["e3"],
        "engaged_6_months_rate": totals["e6"],
        "engaged_6_months_rate_by_age_band": {code: totals[f"e6_{code}"] for code in AGE_BAND_CODES},
        "risk_to_others_rate": totals["n_risk"],
        "ete_outcome_rate": achievement_totals["ete"],
        "no_reoffending_rate": n - totals["n_during"],
        "reduced_frequency_rate": totals["rf"],
        "reduced_frequency_and_seriousness_rate": totals["rfs"],
        "reduced_frequency_rate_engaged_6_months": totals["rf_e6"],
        "assessment_change_by_domain": {code: item["improved"] for code, item in domain_figures.items()},
        "questionnaire_agree_rate": {code: answers.get(code, (0, 0))[1] for code, _ in questions},
        "target_progress": n,
    }
    people = {
        "engagement_span_days": totals["span_cases"],
        "contact_hours": totals["period_cases"],
        "estimated_cost_avoided": totals["traj"],
        "assessment_change_by_domain": domain_scores,
    }
    labels = {
        "referrals_by_source": dict(sources),
        "cases_by_age_band": {code: label for code, label, *_ in AGE_BANDS},
        "engaged_6_months_rate_by_age_band": {code: label for code, label, *_ in AGE_BANDS},
        "sessions_by_activity": dict(activities),
        "cases_closed": dict(reasons),
        "clients_by_achievement_category": dict(AchievementType.Category.choices),
        "clients_by_achievement_type": {code: name for code, name, _ in types},
        "assessment_change_by_domain": dict(domains),
        "questionnaire_agree_rate": dict(questions),
    }
    span_cases = totals["span_cases"]
    span_summary = {
        "cases": span_cases,
        **figures["engagement_span_days"],
        "max": totals["span_max"],
        "engaged_under_91": totals["span_0_90"],
        "engaged_91_181": totals["span_91_181"],
        "engaged_182_plus": totals["e6"],
    }
    return ReportResult(
        programmes=programmes, start=start, end=end, filters=filters, figures=figures, bases=bases, labels=labels,
        numerators=numerators, people=people, type_categories={code: category for code, _, category in types},
        offence_categories=categories,
        left_out_of_cost=[c for c in categories if c["unit_cost"] is None],
        span_summary=span_summary, spend=spend, template_name=template.name if template else "",
    )


__all__ = ["AGE_BANDS", "DEFINITIONS", "ETE_CATEGORIES", "JSON_IDS", "REOFFENDING_CAVEAT", "SECTIONS", "ReportResult",
           "SpendFigures", "cohort", "compute_report", "mean", "pct", "programme_figures", "round_half_up",
           "support_spend", "suppress_figures", "target_figures"]
