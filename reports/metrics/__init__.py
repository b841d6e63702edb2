"""Every figure a Waymark report prints, computed once, by database aggregation.

The definitions are those of docs/metrics.md (repeated in `DEFINITIONS` for the report's appendix).
Other screens that show one of these figures (the manager's home, the support spend page, the
Justice Data Lab file) call the functions here too: `cohort()`, `programme_figures()`,
`support_spend()`. Small numbers are hidden by `reports.suppression`, and nowhere else.
`compute_report()` runs a fixed number of queries whatever the size of the data: per-case
values (attended contacts, engagement span, offences in the pre and post windows...) come
from derived tables grouped by case (one per source: contacts, offences,
referrals), each computed once and joined to the cohort, then aggregated in one statement;
breakdowns are grouped queries. Nothing is counted in a Python loop over cases or contacts.

Date arithmetic differs between PostgreSQL and SQLite, so dates become integer day numbers
through `DayNumber` and the windows are integer arithmetic on those. The median engagement span
is PostgreSQL's `percentile_cont`; SQLite (for `make run`) has none, so there it is the mean of
the middle one or two spans ranked by a window function (`_median_sql`): the same value.
"""

from outcomes.models import OffenceCategory

from .breakdowns import breakdowns_part, referrer_organisations_part
from .cohort import _referrals, cohort, programme_figures, support_spend, target_figures
from .definitions import (
    AGE_BANDS,
    DEFINITIONS,
    ETE_CATEGORIES,
    JSON_IDS,
    REOFFENDING_CAVEAT,
    SECTIONS,
)
from .per_case import per_case_totals
from .progress import default_template, progress_sections
from .result import ProgressSection, ReportResult, SpendFigures, mean, pct, round_half_up, suppress_figures
from .sections import (
    Part,
    engagement_part,
    outcomes_part,
    questionnaire_part,
    referrals_part,
    reoffending_part,
    span_summary,
    targets_part,
)
from .sql import _median_sql
from .targets import target_rows


def compute_report(programmes, start, end, *, filters=None, template=None):
    """Compute every figure of docs/metrics.md for `programmes` over `start`..`end` (as_of = end).

    The progress figures are one section per assessment template the programmes use (see
    `progress`), or one over the whole cohort for `template` when it is given; the flat
    `assessment_*` figures are the first section's, so a report of one template reads as before.
    """
    programmes = list(programmes)
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    programme_ids = [p.pk for p in programmes]
    cases = cohort(programme_ids, start, end, filters)
    cohort_ids = cases.values("pk")
    referrals = _referrals(programme_ids, start, end, filters)
    totals = per_case_totals(cases, start, end, referrals)
    achievements, type_categories = outcomes_part(cohort_ids, end, totals["engaged"])
    progress = progress_sections(cases, programmes, end, template)
    first = progress[0]
    assessments = Part(figures=first.figures, bases=first.bases, numerators=first.numerators, people=first.people,
                       labels=first.labels)
    parts = [referrals_part(referrals, totals), engagement_part(cohort_ids, start, end, totals), achievements,
             reoffending_part(totals), assessments, questionnaire_part(cohort_ids, start, end, programmes),
             targets_part(programmes, totals["n"]), breakdowns_part(cohort_ids, start, end),
             referrer_organisations_part(referrals)]
    merged = {name: {k: v for part in parts for k, v in getattr(part, name).items()}
              for name in ("figures", "bases", "numerators", "people", "labels")}
    categories = list(OffenceCategory.objects.order_by("-severity", "order", "code").values(
        "code", "name", "severity", "unit_cost", "source", "price_year"))
    spend, _by_programme = support_spend(cases, start, end)
    return ReportResult(
        programmes=programmes, start=start, end=end, filters=filters, **merged, type_categories=type_categories,
        offence_categories=categories, left_out_of_cost=[c for c in categories if c["unit_cost"] is None],
        span_summary=span_summary(totals, merged["figures"]), spend=spend,
        template_name=first.template_name, scale_max=first.scale_max, progress_sections=progress,
        targets=target_rows(programmes, start, end, merged["figures"]),
    )


__all__ = ["AGE_BANDS", "DEFINITIONS", "ETE_CATEGORIES", "JSON_IDS", "REOFFENDING_CAVEAT", "SECTIONS", "ProgressSection", "ReportResult",
           "SpendFigures", "_median_sql", "cohort", "compute_report", "default_template", "mean", "pct", "programme_figures",
           "round_half_up", "support_spend", "suppress_figures", "target_figures"]
