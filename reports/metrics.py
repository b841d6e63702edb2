"""Every figure a Waymark report prints, computed once, by database aggregation.

The definitions are those of METRICS.md (repeated in `DEFINITIONS` for the report's appendix).
`compute_report()` runs a fixed number of queries whatever the size of the data: per-case
values (attended contacts, engagement span, offences in the pre and post windows...) are
correlated subqueries of one cohort query, aggregated in the database; breakdowns are
grouped queries. Nothing is counted in a Python loop over cases or contacts.

Date arithmetic differs between PostgreSQL and SQLite, so dates become integer day numbers
through `DayNumber` and the windows are integer arithmetic on those.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Case as SqlCase  # SQL CASE, not clients.Case
from django.db.models import (
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear, Least

from clients.models import Case, ClosureReason, RiskFlag
from contacts.models import Activity, Attendance, Contact, Mode, SupportSpend
from mentors.models import Allocation
from outcomes.models import (
    Achievement,
    AchievementType,
    Answer,
    Assessment,
    AssessmentTemplate,
    Domain,
    Offence,
    OffenceCategory,
    Question,
    Questionnaire,
    Score,
)
from referrals.models import Referral, ReferralSource

AGE_BANDS = [
    ("under_18", "Under 18", None, 17),
    ("18_21", "18 to 21", 18, 21),
    ("22_25", "22 to 25", 22, 25),
    ("26_35", "26 to 35", 26, 35),
    ("36_49", "36 to 49", 36, 49),
    ("50_plus", "50 and over", 50, None),
]
AGE_BAND_CODES = [code for code, *_ in AGE_BANDS]
ACHIEVEMENT_CATEGORIES = [c.value for c in AchievementType.Category]
ETE_CATEGORIES = [c.value for c in AchievementType.ETE_CATEGORIES]
MAX_WINDOW_DAYS = 730
THREE_MONTHS_DAYS = 91
SIX_MONTHS_DAYS = 182
DEFAULT_TEMPLATE = "progress_wheel"
UNFLATTEN_LIMIT = 2**62

# id -> (section, label, kind, definition). kind: count, rate, mean, hours, money, target, breakdown kinds.
SECTIONS = [
    ("referrals", "Referrals"),
    ("engagement", "Engagement"),
    ("outcomes", "Outcomes"),
    ("reoffending", "Re-offending"),
    ("assessments", "Progress wheel"),
    ("questionnaire", "Exit questionnaire"),
    ("targets", "Targets"),
]

DEFINITIONS = {
    "referrals_received": ("referrals", "Referrals received", "count",
                           "Referrals to the programmes with a received date in the period."),
    "referrals_by_source": ("referrals", "Referrals by source", "count_breakdown",
                            "The same referrals, counted by the kind of agency that referred."),
    "referrals_accepted": ("referrals", "Referrals accepted", "count",
                           "Of the referrals received, those accepted."),
    "referrals_engaged": ("referrals", "Referrals engaged", "count",
                          "Of the referrals received, those whose case is engaged (see 'Engaged')."),
    "referral_engagement_rate": ("referrals", "Referral engagement rate", "rate",
                                 "Referrals engaged as a percentage of referrals received."),
    "cases_worked_with": ("engagement", "Cases worked with", "count",
                          "Cases of the programmes open at any time in the period: started on or before its "
                          "last day and not ended before its first day."),
    "cases_by_age_band": ("engagement", "Cases by age band", "count_breakdown",
                          "Cases worked with, by the client's age in whole years on the day the case started."),
    "engaged": ("engagement", "Engaged", "count",
                "Cases worked with that have at least the programme's minimum number of attended contacts "
                "(2 unless the programme says otherwise). An attended contact is one marked attended, not a "
                "text message, dated on or before the last day of the period."),
    "engagement_rate": ("engagement", "Engagement rate", "rate",
                        "Engaged cases as a percentage of cases worked with."),
    "engagement_span_days": ("engagement", "Engagement span", "span",
                             "For each case, the days from its first to its last attended contact "
                             "(0 with one contact)."),
    "engaged_3_months": ("engagement", "Engaged for 3 months", "count",
                         "Engaged cases whose engagement span is at least 91 days."),
    "engaged_3_months_rate": ("engagement", "Engaged for 3 months, rate", "rate",
                              "Cases engaged for 3 months as a percentage of cases worked with."),
    "engaged_6_months": ("engagement", "Engaged for 6 months", "count",
                         "Engaged cases whose engagement span is at least 182 days."),
    "engaged_6_months_rate": ("engagement", "Engaged for 6 months, rate", "rate",
                              "Cases engaged for 6 months as a percentage of cases worked with."),
    "engaged_6_months_rate_by_age_band": ("engagement", "Engaged for 6 months, rate by age band", "rate_breakdown",
                                          "For each age band, cases engaged for 6 months as a percentage of the "
                                          "band's cases worked with."),
    "risk_to_others_rate": ("engagement", "Flagged risk to others", "rate",
                            "Cases worked with whose client has an active 'risk to others' flag, as a percentage "
                            "of cases worked with."),
    "contacts_attended": ("engagement", "Contacts attended", "count",
                          "Attended contacts of the cases worked with, dated in the period."),
    "contact_hours": ("engagement", "Contact hours", "hours",
                      "The sum of those contacts' durations, in hours."),
    "sessions_by_activity": ("engagement", "Sessions by activity", "count_breakdown",
                             "Those contacts counted by activity; a contact with two activities counts once for each."),
    "cases_closed": ("engagement", "Cases closed", "count_breakdown",
                     "Cases worked with that ended in the period, by closure reason."),
    "clients_with_ete_outcome": ("outcomes", "Cases with an ETE outcome", "count",
                                 "Cases worked with that have at least one achievement in employment, education "
                                 "and training or qualifications, dated from the case's start to the end of the period."),
    "ete_outcome_rate": ("outcomes", "ETE outcome rate", "rate",
                         "Cases with an ETE outcome as a percentage of engaged cases."),
    "clients_by_achievement_category": ("outcomes", "Cases by achievement category", "count_breakdown",
                                        "For each category, cases worked with that have at least one achievement of "
                                        "that category, dated from the case's start to the end of the period."),
    "clients_by_achievement_type": ("outcomes", "Cases by achievement type", "count_breakdown",
                                    "For each type, cases worked with that have at least one achievement of that "
                                    "type, dated from the case's start to the end of the period."),
    "reoffended_during_support": ("reoffending", "Re-offended during support", "count",
                                  "Cases worked with whose client has a proven offence (convicted on or before the "
                                  "end of the period) committed from the case's start to its end (or the end of the "
                                  "period, whichever is earlier)."),
    "no_reoffending_rate": ("reoffending", "No proven re-offending during support", "rate",
                            "Cases worked with that did not re-offend during support, as a percentage of cases "
                            "worked with."),
    "trajectory_cases": ("reoffending", "Cases with offending before support", "count",
                         "Engaged cases with at least one proven offence in the pre window: the W days before the "
                         "case started, where W is the days from the start to the end of the period (both "
                         "included), at most 730."),
    "reduced_frequency": ("reoffending", "Reduced frequency", "count",
                          "Of those, cases with fewer proven offences in the post window (the W days from the "
                          "start) than in the pre window."),
    "reduced_seriousness": ("reoffending", "Reduced seriousness", "count",
                            "Of those, cases whose summed severity in the post window is lower than in the pre window."),
    "reduced_frequency_rate": ("reoffending", "Reduced frequency, rate", "rate",
                               "Cases with reduced frequency as a percentage of cases with offending before support."),
    "reduced_frequency_and_seriousness_rate": ("reoffending", "Reduced frequency and seriousness, rate", "rate",
                                               "Cases with both reductions as a percentage of cases with offending "
                                               "before support."),
    "reduced_frequency_rate_engaged_6_months": ("reoffending", "Reduced frequency, rate, engaged 6 months", "rate",
                                                "Among cases with offending before support that were engaged for 6 "
                                                "months, the percentage with reduced frequency."),
    "estimated_cost_avoided": ("reoffending", "Estimated cost of crime avoided (£)", "money",
                               "Over cases with offending before support, the sum of (offences before - offences "
                               "after) x unit cost, per offence category; an estimate, may be negative. Categories "
                               "without a unit cost are left out."),
    "assessment_followups": ("assessments", "Cases with a follow-up assessment", "count",
                             "Cases worked with that have at least two progress wheel assessments dated on or "
                             "before the end of the period."),
    "assessment_change_by_domain": ("assessments", "Change by domain", "domain_breakdown",
                                    "For each domain, over those cases, the mean score at the first and the latest "
                                    "assessment, and the cases whose latest score is higher than their first."),
    "questionnaires_completed": ("questionnaire", "Exit questionnaires completed", "count",
                                 "Questionnaires of the cases worked with, completed in the period."),
    "questionnaire_agree_rate": ("questionnaire", "Agree or strongly agree", "rate_breakdown",
                                 "For each statement, answers of 4 or 5 as a percentage of the answers to it."),
    "target_clients": ("targets", "Target (clients)", "target",
                       "The sum of the programmes' targets for clients worked with."),
    "target_progress": ("targets", "Progress towards target", "rate",
                        "Cases worked with as a percentage of the target."),
}

JSON_IDS = [key for key in DEFINITIONS if key != "engagement_span_days"]

REOFFENDING_CAVEAT = (
    "These re-offending figures are local, descriptive measures with no comparison group: they do not "
    "show what would have happened without the programme. For an estimate of impact, submit the cohort "
    "to the Ministry of Justice's Justice Data Lab once the programme has enough participants."
)


# ---- Small helpers -------------------------------------------------------------------------


class DayNumber(Func):
    """A date as an integer day number, so windows and spans are integer arithmetic."""

    output_field = IntegerField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s - DATE '1970-01-01')", **extra)

    def as_sql(self, compiler, connection, template=None, **extra):
        if template is None:  # other backends: days since an epoch via the same idea as SQLite
            template = "CAST(julianday(%(expressions)s) AS INTEGER)"
        return super().as_sql(compiler, connection, template=template, **extra)


def _agg_sub(queryset, expression, output_field=None):
    """A correlated scalar subquery returning `expression` aggregated over `queryset`'s rows."""
    qs = queryset.order_by().annotate(_v=expression).values("_v")
    return Subquery(qs, output_field=output_field or IntegerField())


class _RawAgg(Func):
    """An aggregate function the ORM does not treat as one (so no GROUP BY is added)."""

    contains_aggregate = False
    output_field = IntegerField()


def count_of(queryset):
    return Coalesce(_agg_sub(queryset, _RawAgg(Value(1), function="COUNT")), 0)


def sum_of(queryset, expression):
    return Coalesce(_agg_sub(queryset, _RawAgg(expression, function="SUM")), 0)


def span_of(queryset):
    """Days from the first to the last row's date (NULL when there are none)."""
    return _agg_sub(
        queryset,
        ExpressionWrapper(
            _RawAgg(DayNumber("date"), function="MAX") - _RawAgg(DayNumber("date"), function="MIN"),
            output_field=IntegerField(),
        ),
    )


def flag(condition):
    """A boolean condition as 1 or 0, so an aggregate over the annotated rows can filter on it."""
    return SqlCase(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def age_expression(birth_field, on_field):
    """Whole years between a date of birth and another date, both columns (or expressions)."""
    return ExpressionWrapper(
        ExtractYear(on_field) - ExtractYear(birth_field)
        - SqlCase(
            When(
                Q(**{f"{on_field}__month__lt": ExtractMonth(birth_field)})
                | Q(**{f"{on_field}__month": ExtractMonth(birth_field), f"{on_field}__day__lt": ExtractDay(birth_field)}),
                then=Value(1),
            ),
            default=Value(0),
            output_field=IntegerField(),
        ),
        output_field=IntegerField(),
    )


def age_band_q(band, field_name="age"):
    for code, _label, low, high in AGE_BANDS:
        if code == band:
            q = Q()
            if low is not None:
                q &= Q(**{f"{field_name}__gte": low})
            if high is not None:
                q &= Q(**{f"{field_name}__lte": high})
            return q
    raise ValueError(f"Unknown age band {band!r}")


def unflattened(queryset):
    """Aggregate over `queryset` as a derived table its per-row subqueries are computed in once.

    A LIMIT (far above any real row count) stops PostgreSQL from pulling the derived table up
    into the aggregate, which would evaluate each correlated subquery once per reference.
    """
    return queryset.order_by()[:UNFLATTEN_LIMIT]


def round_half_up(value, places=1):
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP))


def pct(numerator, base):
    """A percentage of its base, 1 decimal place, half away from zero; None when the base is 0."""
    if not base:
        return None
    return round_half_up(Decimal(numerator) * 100 / Decimal(base))


def mean(total, count):
    if not count:
        return None
    return round_half_up(Decimal(total) / Decimal(count))


# ---- The result --------------------------------------------------------------------------


@dataclass
class ReportResult:
    programmes: list
    start: date
    end: date
    filters: dict
    figures: dict
    bases: dict
    labels: dict = field(default_factory=dict)
    offence_categories: list = field(default_factory=list)
    left_out_of_cost: list = field(default_factory=list)
    span_summary: dict = field(default_factory=dict)
    support_spend: list = field(default_factory=list)
    support_spend_total: Decimal = Decimal("0")
    template_name: str = ""

    @property
    def as_of(self):
        return self.end

    def as_json(self, *, suppress=False):
        data = {key: self.figures[key] for key in JSON_IDS}
        return suppress_figures(data, self.bases) if suppress else data

    def definitions(self):
        return [
            {"id": key, "section": dict(SECTIONS)[section], "label": label, "definition": text}
            for key, (section, label, _kind, text) in DEFINITIONS.items()
        ]

    def rows(self, *, suppress=False):
        """One row per figure (breakdowns as `id.code`): section, id, label, value, base."""
        data = self.as_json(suppress=suppress)
        rows = []
        for key in JSON_IDS:
            section, label, kind, _text = DEFINITIONS[key]
            section_name = dict(SECTIONS)[section]
            value, base = data[key], self.bases.get(key)
            if isinstance(value, dict):
                for code, item in value.items():
                    item_label = f"{label}: {self.labels.get(key, {}).get(code, code)}"
                    item_base = base.get(code) if isinstance(base, dict) else base
                    if isinstance(item, dict):
                        for part, part_value in item.items():
                            rows.append((section_name, f"{key}.{code}.{part}", f"{item_label} ({part.replace('_', ' ')})",
                                         part_value, item_base))
                    else:
                        rows.append((section_name, f"{key}.{code}", item_label, item, item_base))
            else:
                rows.append((section_name, key, label, value, base))
        return rows


def suppress_figures(data, bases):
    """Small-number suppression for reports shared outside the organisation (METRICS.md)."""
    count_below = settings.REPORT_SUPPRESS_COUNT_BELOW
    base_below = settings.REPORT_SUPPRESS_BASE_BELOW

    def count(value):
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < count_below:
            return f"<{count_below}"
        return value

    def rate(value, base):
        if value is not None and base is not None and base < base_below:
            return "n/a"
        return value

    out = {}
    for key, value in data.items():
        kind = DEFINITIONS[key][2]
        base = bases.get(key)
        if kind == "count":
            out[key] = count(value)
        elif kind == "count_breakdown":
            out[key] = {code: count(v) for code, v in value.items()}
        elif kind == "rate":
            out[key] = rate(value, base)
        elif kind == "rate_breakdown":
            out[key] = {code: rate(v, (base or {}).get(code)) for code, v in value.items()}
        elif kind == "domain_breakdown":
            out[key] = {
                code: {
                    "first_mean": rate(item["first_mean"], base),
                    "latest_mean": rate(item["latest_mean"], base),
                    "improved": count(item["improved"]),
                    "improved_rate": rate(item["improved_rate"], base),
                }
                for code, item in value.items()
            }
        else:
            out[key] = value
    return out


# ---- The computation ---------------------------------------------------------------------


def _cohort(programmes, start, end, filters):
    cases = Case.objects.filter(programme__in=programmes).open_during(start, end)
    filters = filters or {}
    if filters.get("mentor"):
        cases = cases.filter(Exists(Allocation.objects.filter(
            case=OuterRef("pk"), role=Allocation.Role.LEAD, mentor=filters["mentor"])))
    if filters.get("gender"):
        cases = cases.filter(client__gender=filters["gender"])
    if filters.get("ethnicity"):
        cases = cases.filter(client__ethnicity=filters["ethnicity"])
    if filters.get("area"):
        cases = cases.filter(client__area__iexact=filters["area"])
    if filters.get("source"):
        cases = cases.filter(referral__source__code=filters["source"])
    if filters.get("age_band"):
        cases = cases.alias(age=age_expression("client__date_of_birth", "started_on")).filter(
            age_band_q(filters["age_band"]))
    return cases


def _referrals(programmes, start, end, filters):
    referrals = Referral.objects.filter(programme__in=programmes, received_on__gte=start, received_on__lte=end)
    filters = filters or {}
    if filters.get("mentor"):
        referrals = referrals.filter(Exists(Allocation.objects.filter(
            case=OuterRef("case"), role=Allocation.Role.LEAD, mentor=filters["mentor"])))
    if filters.get("gender"):
        referrals = referrals.filter(client__gender=filters["gender"])
    if filters.get("ethnicity"):
        referrals = referrals.filter(client__ethnicity=filters["ethnicity"])
    if filters.get("area"):
        referrals = referrals.filter(client__area__iexact=filters["area"])
    if filters.get("source"):
        referrals = referrals.filter(source__code=filters["source"])
    if filters.get("age_band"):
        referrals = referrals.alias(age=age_expression("client__date_of_birth", "received_on")).filter(
            age_band_q(filters["age_band"]))
    return referrals


def attended_contacts(as_of):
    return Contact.objects.filter(attendance=Attendance.ATTENDED, date__lte=as_of).exclude(mode=Mode.MESSAGE)


def compute_report(programmes, start, end, *, filters=None, template=None):
    """Compute every figure of METRICS.md for `programmes` over `start`..`end` (as_of = end)."""
    programmes = list(programmes)
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    as_of = end
    programme_ids = [p.pk for p in programmes]
    cohort = _cohort(programme_ids, start, end, filters)
    cohort_ids = cohort.values("pk")

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
    domains = list(Domain.objects.filter(template=template).order_by("order", "code").values_list("code", "label")) \
        if template else []

    # Per-case values, as correlated subqueries of the cohort query.
    as_of_day = DayNumber(Value(as_of, output_field=DateField()))
    contacts = attended_contacts(as_of).filter(case=OuterRef("pk"))
    proven = Offence.objects.filter(
        client=OuterRef("client_id"), conviction_date__isnull=False, conviction_date__lte=as_of
    ).annotate(day=DayNumber("offence_date"))
    pre = proven.filter(day__gte=OuterRef("pre_from"), day__lt=OuterRef("start_day"))
    post = proven.filter(day__gte=OuterRef("start_day"), day__lte=OuterRef("post_to"))
    cost = F("category__unit_cost")
    assessments = Assessment.objects.filter(case=OuterRef("pk"), template=template, assessed_on__lte=as_of)

    cases = (
        cohort.annotate(
            age=age_expression("client__date_of_birth", "started_on"),
            attended=count_of(contacts),
            span=span_of(contacts),
            min_contacts=F("programme__engagement_min_contacts"),
            start_day=DayNumber("started_on"),
        )
        .annotate(window=Least(as_of_day - F("start_day") + 1, Value(MAX_WINDOW_DAYS)))
        .annotate(
            pre_from=ExpressionWrapper(F("start_day") - F("window"), output_field=IntegerField()),
            post_to=ExpressionWrapper(F("start_day") + F("window") - 1, output_field=IntegerField()),
        )
        .annotate(
            risk=flag(Exists(RiskFlag.objects.filter(client=OuterRef("client_id"), kind=RiskFlag.Kind.TO_OTHERS,
                                                     active=True))),
            during=flag(Exists(Offence.objects.filter(
                client=OuterRef("client_id"), conviction_date__isnull=False, conviction_date__lte=as_of,
                offence_date__gte=OuterRef("started_on"),
                offence_date__lte=Least(Coalesce(OuterRef("ended_on"), Value(as_of)), Value(as_of)),
            ))),
            pre_n=count_of(pre),
            post_n=count_of(post),
            pre_sev=sum_of(pre, F("category__severity")),
            post_sev=sum_of(post, F("category__severity")),
            cost_delta=Coalesce(
                _agg_sub(pre, _RawAgg(cost, function="SUM")), 0
            ) - Coalesce(_agg_sub(post, _RawAgg(cost, function="SUM")), 0),
            n_assessments=count_of(assessments) if template else Value(0),
        )
    )
    engaged_q = Q(attended__gte=F("min_contacts"))
    e3_q = engaged_q & Q(span__gte=THREE_MONTHS_DAYS)
    e6_q = engaged_q & Q(span__gte=SIX_MONTHS_DAYS)
    traj_q = engaged_q & Q(pre_n__gte=1)
    rf_q = traj_q & Q(post_n__lt=F("pre_n"))
    rs_q = traj_q & Q(post_sev__lt=F("pre_sev"))
    aggregates = {
        "n": Count("pk"),
        "engaged": Count("pk", filter=engaged_q),
        "e3": Count("pk", filter=e3_q),
        "e6": Count("pk", filter=e6_q),
        "n_risk": Count("pk", filter=Q(risk=1)),
        "n_during": Count("pk", filter=Q(during=1)),
        "traj": Count("pk", filter=traj_q),
        "rf": Count("pk", filter=rf_q),
        "rs": Count("pk", filter=rs_q),
        "rfs": Count("pk", filter=rf_q & Q(post_sev__lt=F("pre_sev"))),
        "traj_e6": Count("pk", filter=traj_q & Q(span__gte=SIX_MONTHS_DAYS)),
        "rf_e6": Count("pk", filter=rf_q & Q(span__gte=SIX_MONTHS_DAYS)),
        "cost": Sum("cost_delta", filter=traj_q),
        "followups": Count("pk", filter=Q(n_assessments__gte=2)),
        "span_cases": Count("pk", filter=Q(attended__gte=1)),
        "span_total": Sum("span", filter=Q(attended__gte=1)),
        "span_max": Max("span"),
        "span_0_90": Count("pk", filter=engaged_q & Q(span__lt=THREE_MONTHS_DAYS)),
        "span_91_181": Count("pk", filter=engaged_q & Q(span__gte=THREE_MONTHS_DAYS, span__lt=SIX_MONTHS_DAYS)),
    }
    for code, *_ in AGE_BANDS:
        aggregates[f"age_{code}"] = Count("pk", filter=age_band_q(code))
        aggregates[f"e6_{code}"] = Count("pk", filter=age_band_q(code) & e6_q)
    totals = unflattened(cases).aggregate(**aggregates)

    # Referrals.
    referral_cases = cohort.annotate(attended=count_of(contacts), min_contacts=F("programme__engagement_min_contacts"))
    engaged_case_ids = referral_cases.filter(attended__gte=F("min_contacts")).values("pk")
    referrals = _referrals(programme_ids, start, end, filters)
    referral_totals = referrals.aggregate(
        received=Count("pk"),
        accepted=Count("pk", filter=Q(decision=Referral.Decision.ACCEPTED)),
        engaged=Count("pk", filter=Q(case__in=engaged_case_ids)),
    )
    by_source = dict(referrals.order_by().values_list("source__code").annotate(n=Count("pk")))

    # Contacts in the period.
    period_contacts = attended_contacts(as_of).filter(case__in=cohort_ids, date__gte=start, date__lte=end)
    contact_totals = period_contacts.aggregate(n=Count("pk"), minutes=Sum("duration_minutes"))
    by_activity = dict(
        Contact.activities.through.objects.filter(contact__in=period_contacts.values("pk"))
        .order_by().values_list("activity__code").annotate(n=Count("pk"))
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

    # Progress wheel: each follow-up case's latest scores against its first, per domain.
    domain_figures = {code: {"first_mean": None, "latest_mean": None, "improved": 0, "improved_rate": None}
                      for code, _ in domains}
    if template and domains:
        eligible = Assessment.objects.filter(template=template, assessed_on__lte=as_of)
        # The latest assessment of each follow-up case, and for each of its scores the same
        # domain's score in the case's first assessment (index lookups, one per score row).
        latest_ids = (
            cohort.annotate(n_assessments=count_of(assessments)).filter(n_assessments__gte=2)
            .annotate(latest=Subquery(eligible.filter(case=OuterRef("pk")).order_by("-assessed_on", "-pk")
                                      .values("pk")[:1]))
            .values("latest")
        )
        first_id = eligible.filter(case_id=OuterRef(OuterRef("assessment__case_id"))).order_by(
            "assessed_on", "pk").values("pk")[:1]
        first_score = Score.objects.filter(domain_id=OuterRef("domain_id"), assessment_id=Subquery(first_id)) \
            .values("score")[:1]
        scores = Score.objects.filter(assessment_id__in=latest_ids).annotate(
            first=Subquery(first_score, output_field=IntegerField()), code=F("domain__code"))
        domain_aggregates = {}
        for code, _ in domains:
            in_domain = Q(code=code)
            domain_aggregates[f"{code}__n"] = Count("pk", filter=in_domain)
            domain_aggregates[f"{code}__latest"] = Sum("score", filter=in_domain)
            domain_aggregates[f"{code}__first"] = Sum("first", filter=in_domain)
            domain_aggregates[f"{code}__first_n"] = Count("first", filter=in_domain)
            domain_aggregates[f"{code}__improved"] = Count("pk", filter=in_domain & Q(score__gt=F("first")))
        domain_totals = unflattened(scores).aggregate(**domain_aggregates)
        for code, _ in domains:
            improved = domain_totals[f"{code}__improved"]
            domain_figures[code] = {
                "first_mean": mean(domain_totals[f"{code}__first"] or 0, domain_totals[f"{code}__first_n"]),
                "latest_mean": mean(domain_totals[f"{code}__latest"] or 0, domain_totals[f"{code}__n"]),
                "improved": improved,
                "improved_rate": pct(improved, totals["followups"]),
            }

    # Exit questionnaires completed in the period.
    questionnaires = Questionnaire.objects.filter(case__in=cohort_ids, completed_on__gte=start, completed_on__lte=end)
    questionnaire_count = questionnaires.count()
    answers = {
        code: (total, agree)
        for code, total, agree in Answer.objects.filter(questionnaire__in=questionnaires.values("pk"))
        .order_by().values_list("question__code").annotate(total=Count("pk"), agree=Count("pk", filter=Q(answer__gte=4)))
    }

    # Support spend in the period (not a METRICS.md figure: shown on the report).
    spend = list(
        SupportSpend.objects.filter(case__in=cohort_ids, spent_on__gte=start, spent_on__lte=end)
        .order_by().values("category").annotate(total=Sum("amount"), n=Count("pk")).order_by("-total")
    )
    spend_labels = dict(SupportSpend.Category.choices)
    for row in spend:
        row["label"] = spend_labels.get(row["category"], row["category"])

    n = totals["n"]
    engaged = totals["engaged"]
    targets = [p.target_clients for p in programmes if p.target_clients is not None]
    target = sum(targets) if targets else None
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
        "engagement_span_days": None,
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
        "target_clients": target,
        "target_progress": pct(n, target),
    }
    bases = {
        "referral_engagement_rate": referral_totals["received"],
        "engagement_rate": n,
        "engaged_3_months_rate": n,
        "engaged_6_months_rate": n,
        "engaged_6_months_rate_by_age_band": age_counts,
        "risk_to_others_rate": n,
        "ete_outcome_rate": engaged,
        "no_reoffending_rate": n,
        "reduced_frequency_rate": totals["traj"],
        "reduced_frequency_and_seriousness_rate": totals["traj"],
        "reduced_frequency_rate_engaged_6_months": totals["traj_e6"],
        "assessment_change_by_domain": totals["followups"],
        "questionnaire_agree_rate": agree_base,
        "target_progress": target,
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
        "mean": mean(totals["span_total"] or 0, span_cases),
        "max": totals["span_max"],
        "engaged_under_91": totals["span_0_90"],
        "engaged_91_181": totals["span_91_181"],
        "engaged_182_plus": totals["e6"],
    }
    return ReportResult(
        programmes=programmes, start=start, end=end, filters=filters, figures=figures, bases=bases, labels=labels,
        offence_categories=categories,
        left_out_of_cost=[c for c in categories if c["unit_cost"] is None],
        span_summary=span_summary, support_spend=spend,
        support_spend_total=sum((row["total"] for row in spend), Decimal("0")),
        template_name=template.name if template else "",
    )


__all__ = ["AGE_BANDS", "DEFINITIONS", "JSON_IDS", "REOFFENDING_CAVEAT", "ReportResult", "compute_report"]
