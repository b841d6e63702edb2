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

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
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
    Min,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear, Least
from django.db.models.lookups import GreaterThanOrEqual, LessThan, LessThanOrEqual

from clients.models import Case, ClosureReason, RiskFlag
from contacts.models import Activity, Contact, SupportSpend
from mentors.models import Allocation
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
    Score,
    proven_q,
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
UNFLATTEN_LIMIT = 2**62
DEFAULT_TEMPLATE = "progress_wheel"

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
    "engagement_span_days": ("engagement", "Engagement span (days)", "span",
                             "For each case, the days from its first to its last attended contact (0 with one "
                             "contact); the mean and the median over the cases worked with that have at least "
                             "one attended contact."),
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

JSON_IDS = list(DEFINITIONS)

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
class SpendFigures:
    """Support spend over a period: per category (largest total first) and overall, each with
    its total, the items recorded and the number of cases the money was spent on."""

    categories: list = field(default_factory=list)
    total: Decimal = Decimal("0")
    items: int = 0
    cases: int = 0


@dataclass
class ReportResult:
    programmes: list
    start: date
    end: date
    filters: dict
    figures: dict
    bases: dict
    labels: dict = field(default_factory=dict)
    # What small-number suppression needs beyond the figures: the count behind each rate (its
    # numerator) and the number of cases behind each mean, hours or money figure.
    numerators: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)
    type_categories: dict = field(default_factory=dict)  # achievement type code -> its category
    offence_categories: list = field(default_factory=list)
    left_out_of_cost: list = field(default_factory=list)
    span_summary: dict = field(default_factory=dict)
    spend: SpendFigures = field(default_factory=SpendFigures)
    template_name: str = ""

    @property
    def as_of(self):
        return self.end

    def shown(self, *, suppress=False):
        """Every number the outputs print, suppressed for sharing outside the organisation or not."""
        from .suppression import Shown, suppress_result

        if suppress:
            return suppress_result(self)
        return Shown(figures=self.figures, bases=self.bases, span=self.span_summary, spend=self.spend)

    def as_json(self, *, suppress=False):
        figures = self.shown(suppress=suppress).figures
        return {key: figures[key] for key in JSON_IDS}

    def definitions(self):
        return [
            {"id": key, "section": dict(SECTIONS)[section], "label": label, "definition": text}
            for key, (section, label, _kind, text) in DEFINITIONS.items()
        ]

    def rows(self, *, suppress=False):
        """One row per figure (breakdowns as `id.code`): section, id, label, value, base."""
        shown = self.shown(suppress=suppress)
        rows = []
        for key in JSON_IDS:
            section, label, kind, _text = DEFINITIONS[key]
            section_name = dict(SECTIONS)[section]
            value, base = shown.figures[key], shown.bases.get(key)
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


def suppress_figures(data, bases, **extra):
    """The figures of `data` as a report for outside the organisation shows them (see
    `reports.suppression`, where every rule lives)."""
    from .suppression import suppress

    return suppress(data, bases, **extra).figures


# ---- The computation ---------------------------------------------------------------------


def cohort(programmes, start, end, filters=None):
    """The report's cohort: cases of `programmes` open at any time from `start` to `end`, narrowed
    by the report's filters. Every screen that counts "cases worked with" starts here."""
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


def _count_if(condition):
    """Portable SQL: the rows for which `condition` (SQL text of our own, no user input) holds."""
    return f"COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"


def _compiled(queryset):
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, list(params)


def _flag_sql(condition):
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def _median_sql(column, vendor=None):
    """The median of a per-case column (NULLs left out) as an aggregate over `per_case`.

    PostgreSQL: `percentile_cont(0.5)`. SQLite has no percentile function: the mean of the
    middle one (odd count) or two (even count) values ranked by ROW_NUMBER(), which is the same
    number; it reads `per_case` again, so on SQLite `per_case` is a common table expression.
    """
    if (vendor or connection.vendor) == "postgresql":
        return f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {column})"
    # Our own column name and constant SQL: no value of anyone's.
    return (f"(SELECT AVG(m.{column}) FROM (SELECT {column}, ROW_NUMBER() OVER (ORDER BY {column}) AS rn, "  # noqa: S608
            f"COUNT(*) OVER () AS cnt FROM per_case WHERE {column} IS NOT NULL) m "
            "WHERE m.rn IN ((m.cnt + 1) / 2, (m.cnt + 2) / 2))")


def _aggregate_joined(columns, per_case, joins, *, fractional=()):
    """One row of `columns` (SQL aggregates) over `per_case` values of derived tables joined on case_id.

    `joins` is [(alias, queryset, join kind)], the first being the cohort (one row per case),
    each other one grouped by case_id. Each queryset is compiled by the ORM with its own
    parameters, so the statement is parameterised on every backend; the derived tables are
    computed once each instead of once per case. The per-case select is kept a derived table
    (a LIMIT far above any row count stops it being merged into the aggregate), so each value
    is computed once per case however many aggregates use it. Columns named in `fractional`
    keep their fractions; every other one is an integer.
    """
    parts, params = [], []
    for alias, queryset, kind in joins:
        sql, part_params = _compiled(queryset)
        params += part_params
        if kind is None:
            parts.append(f"({sql}) {alias}")
        else:
            parts.append(f"{kind} JOIN ({sql}) {alias} ON {alias}.case_id = c.case_id")
    quote = connection.ops.quote_name
    inner = ", ".join(f"{expression} AS {name}" for name, expression in per_case.items())
    names = list(columns)
    select = ", ".join(f"{columns[name]} AS {quote(name)}" for name in names)
    # Built from compiled querysets and our own constant SQL; every value is a parameter.
    rows = f"SELECT {inner} FROM {' '.join(parts)} LIMIT {UNFLATTEN_LIMIT}"  # noqa: S608
    if connection.vendor == "postgresql":
        statement = f"SELECT {select} FROM ({rows}) per_case"  # noqa: S608
    else:  # SQLite's median reads per_case twice (see _median_sql)
        statement = f"WITH per_case AS ({rows}) SELECT {select} FROM per_case"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    return {name: None if value is None else (float(value) if name in fractional else int(value))
            for name, value in zip(names, row, strict=True)}


def _domain_changes(followup_rows, template):
    """{domain id: (latest scores, their sum, first scores, their sum, improved)} over the
    follow-up cases of `followup_rows` (case_id, first_on, latest_on per case)."""
    sql, params = _compiled(followup_rows)
    quote = connection.ops.quote_name
    assessment, score = (quote(m._meta.db_table) for m in (Assessment, Score))
    # Built from a compiled queryset and table names; every value is a parameter.
    statement = f"""
        SELECT l.domain_id, COUNT(l.score), SUM(l.score), SUM(f.score), COUNT(f.score),
               SUM(CASE WHEN l.score > f.score THEN 1 ELSE 0 END)
        FROM ({sql}) pc
        JOIN {assessment} la ON la.case_id = pc.case_id AND la.template_id = %s AND la.assessed_on = pc.latest_on
        JOIN {score} l ON l.assessment_id = la.id
        JOIN {assessment} fa ON fa.case_id = pc.case_id AND fa.template_id = %s AND fa.assessed_on = pc.first_on
        LEFT JOIN {score} f ON f.assessment_id = fa.id AND f.domain_id = l.domain_id
        GROUP BY l.domain_id"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, template.pk, template.pk])
        return {domain_id: (int(n or 0), int(latest or 0), int(first or 0), int(n_first or 0), int(improved or 0))
                for domain_id, n, latest, first, n_first, improved in cursor.fetchall()}


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


__all__ = ["AGE_BANDS", "DEFINITIONS", "JSON_IDS", "REOFFENDING_CAVEAT", "ReportResult", "SpendFigures", "cohort",
           "compute_report", "programme_figures", "support_spend", "target_figures"]
