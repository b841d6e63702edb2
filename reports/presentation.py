"""Turn a ReportResult into what the page and the PDF show: tiles, sections, tables, charts.

Both the web page and the PDF render these structures with the same template partial, so
the two always agree. Numbers are shown with their base ("22 of 27 referrals, 81.5%"). Every
number comes from `result.shown()`, suppressed or not: nothing here reads a raw figure.
"""

from decimal import Decimal

from django.utils.safestring import mark_safe

from outcomes.charts import legend_name, radar_svg

from .charts import bar_chart
from .metrics import DEFINITIONS, REOFFENDING_CAVEAT


def show(value, unit=""):
    """A figure for reading: None as a dash, rates with one decimal place."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}{unit}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def show_pct(value):
    if isinstance(value, (int, float)):
        return f"{value:.1f}%"
    return show(value)


def money(value):
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, (int, float)):
        sign = "-" if value < 0 else ""
        return f"{sign}£{abs(value):,.0f}"
    return show(value)


def of(numerator, base, noun, rate):
    """'22 of 27 referrals, 81.5%'."""
    text = f"{show(numerator)} of {show(base)} {noun}"
    return f"{text}, {show_pct(rate)}" if rate is not None else text


def _row(metric_id, value, base=""):
    return {"id": metric_id, "label": DEFINITIONS[metric_id].label, "value": value, "base": base}


def headline_tiles(result, data):
    figures = data
    target = figures["target_clients"]
    return [
        {"label": "Cases worked with", "value": show(figures["cases_worked_with"]), "id": "cases_worked_with",
         "base": (f"Target {show(target)} ({show_pct(figures['target_progress'])})" if target is not None
                  else "No target set")},
        {"label": "Referrals engaged", "value": show_pct(figures["referral_engagement_rate"]),
         "id": "referral_engagement_rate",
         "base": of(figures["referrals_engaged"], figures["referrals_received"], "referrals", None)},
        {"label": "Engaged", "value": show_pct(figures["engagement_rate"]), "id": "engagement_rate",
         "base": of(figures["engaged"], figures["cases_worked_with"], "cases", None)},
        {"label": "Engaged for 6 months", "value": show_pct(figures["engaged_6_months_rate"]),
         "id": "engaged_6_months_rate",
         "base": of(figures["engaged_6_months"], figures["cases_worked_with"], "cases", None)},
        {"label": "Education, training or work outcome", "value": show_pct(figures["ete_outcome_rate"]),
         "id": "ete_outcome_rate",
         "base": of(figures["clients_with_ete_outcome"], figures["engaged"], "engaged cases", None)},
        {"label": "No proven re-offending during support", "value": show_pct(figures["no_reoffending_rate"]),
         "id": "no_reoffending_rate",
         "base": f"{show(figures['cases_worked_with'])} cases; local measure, no comparison group"},
    ]


def target_tiles(targets):
    """One tile per figure with a target: the share met, then actual against target, as
    `targets` (`ReportResult.targets_json`, suppressed or not) gives them."""
    tiles = []
    for row in targets:
        metric = DEFINITIONS[row["figure"]]
        shown = show_pct if metric.kind == "rate" else show
        target = show_pct(row["target"]) if metric.kind == "rate" else show(row["target"])
        tiles.append({
            "label": f"{metric.label}: share of target met", "value": show_pct(row["share_met"]), "id": "targets",
            "base": f"{shown(row['actual'])} against a target of {target}{' (pro rata)' if row['pro_rata'] else ''}",
        })
    return tiles


def _breakdown(result, data, metric_id, *, value_heading="Cases", rate=False, extra=None):
    labels = result.labels.get(metric_id, {})
    rows = []
    for code, value in data[metric_id].items():
        cells = [labels.get(code, code), show_pct(value) if rate else show(value)]
        if extra:
            cells += extra(code)
        rows.append(cells)
    return rows, [(labels.get(code, code), value) for code, value in data[metric_id].items()]


def days(value):
    return f"{show(value)} days" if isinstance(value, (int, float)) else show(value)


def _span_row(span):
    value = f"mean {days(span['mean'])}, median {days(span['median'])}"
    base = f"over {show(span['cases'])} cases with an attended contact"
    if "max" in span:  # left out when suppressed (reports.suppression._span)
        base += (f"; longest {days(span['max'])}; engaged cases: {show(span['engaged_under_91'])} under 91 days, "
                 f"{show(span['engaged_91_181'])} from 91 to 181, {show(span['engaged_182_plus'])} 182 or more")
    return _row("engagement_span_days", value, base)


def build_sections(result, *, suppress=False):
    """The report's sections in order, each with its rows, tables and charts, from `result.shown()`."""
    shown = result.shown(suppress=suppress)
    sections = [section(result, shown) for section in (
        _referrals_section, _engagement_section, _activity_section, _outcomes_section, _reoffending_section)]
    sections += _assessments_sections(result, shown)
    return sections + [section(result, shown) for section in (_questionnaire_section, _spend_section)]


def _referrals_section(result, shown):
    """Referrals."""
    data = shown.figures
    source_rows, source_items = _breakdown(result, data, "referrals_by_source", value_heading="Referrals")
    return {
        "id": "referrals", "title": "Referrals",
        "rows": [
            _row("referrals_received", show(data["referrals_received"])),
            _row("referrals_accepted", show(data["referrals_accepted"]),
                 of(data["referrals_accepted"], data["referrals_received"], "referrals", None)),
            _row("referrals_not_eligible", show(data["referrals_not_eligible"]),
                 of(data["referrals_not_eligible"], data["referrals_received"], "referrals", None)),
            _row("referrals_accepted_by_override", show(data["referrals_accepted_by_override"]),
                 of(data["referrals_accepted_by_override"], data["referrals_accepted"], "accepted", None)),
            _row("referrals_engaged", show(data["referrals_engaged"]),
                 of(data["referrals_engaged"], data["referrals_received"], "referrals", None)),
            _row("referral_engagement_rate", show_pct(data["referral_engagement_rate"])),
        ],
        "tables": [{"caption": "Referrals by source", "id": "referrals_by_source",
                    "columns": ["Source", "Referrals"], "rows": source_rows},
                   {"caption": "Referrals by referrer organisation", "id": "referrals_by_referrer_organisation",
                    "columns": ["Organisation", "Referrals"],
                    "rows": _breakdown(result, data, "referrals_by_referrer_organisation")[0]}],
        "charts": [mark_safe(bar_chart(source_items, title="Referrals by source"))],
    }


def _engagement_section(result, shown):
    """Engagement."""
    data = shown.figures
    n = data["cases_worked_with"]
    bands = result.labels["cases_by_age_band"]
    band_rows = [
        [bands[code], show(data["cases_by_age_band"][code]),
         show_pct(data["engaged_6_months_rate_by_age_band"][code])]
        for code in bands
    ]
    closed_rows, _ = _breakdown(result, data, "cases_closed")
    return {
        "id": "engagement", "title": "Engagement",
        "rows": [
            _row("cases_worked_with", show(n)),
            _row("engaged", show(data["engaged"]), of(data["engaged"], n, "cases", data["engagement_rate"])),
            _row("engaged_3_months", show(data["engaged_3_months"]),
                 of(data["engaged_3_months"], n, "cases", data["engaged_3_months_rate"])),
            _row("engaged_6_months", show(data["engaged_6_months"]),
                 of(data["engaged_6_months"], n, "cases", data["engaged_6_months_rate"])),
            _span_row(shown.span),
            _row("risk_to_others_rate", show_pct(data["risk_to_others_rate"]), f"of {show(n)} cases"),
            _row("contacts_attended", show(data["contacts_attended"])),
            _row("contact_hours", show(data["contact_hours"])),
        ],
        "tables": [
            {"caption": "Cases by age band (age when the case started)", "id": "cases_by_age_band",
             "columns": ["Age band", "Cases", "Engaged for 6 months"], "rows": band_rows},
            {"caption": "Cases closed in the period, by reason", "id": "cases_closed",
             "columns": ["Reason", "Cases"], "rows": closed_rows},
            *_characteristic_tables(result, data),
        ],
        "charts": [],
    }


CHARACTERISTIC_TABLES = [
    ("cases_by_care_experience", "Cases by care experience", "Care experienced"),
    ("cases_by_parent_in_prison", "Cases by parent in prison", "Has or had a parent in prison"),
    ("cases_by_gender", "Cases by gender", "Gender"),
    ("cases_by_ethnicity", "Cases by ethnicity", "Ethnicity"),
]


def _characteristic_tables(result, data):
    """The cohort by client characteristics, one table each (funders ask who the work reaches)."""
    return [{"caption": caption, "id": metric_id, "columns": [heading, "Cases"],
             "rows": _breakdown(result, data, metric_id)[0]}
            for metric_id, caption, heading in CHARACTERISTIC_TABLES]


def _activity_section(result, shown):
    """Activity."""
    data = shown.figures
    activity_rows, activity_items = _breakdown(result, data, "sessions_by_activity")
    mode_rows, _ = _breakdown(result, data, "contacts_by_mode",
                              extra=lambda code: [show(data["contact_hours_by_mode"][code])])
    return {
        "id": "activity", "title": "Activity",
        "rows": [_row("contacts_attended", show(data["contacts_attended"]))],
        "tables": [{"caption": "Sessions by activity", "id": "sessions_by_activity",
                    "columns": ["Activity", "Sessions"], "rows": activity_rows},
                   {"caption": "Contacts attended and their hours, by mode", "id": "contacts_by_mode",
                    "columns": ["Mode", "Contacts", "Hours"], "rows": mode_rows}],
        "charts": [mark_safe(bar_chart(activity_items, title="Sessions by activity"))],
    }


def _outcomes_section(result, shown):
    """Outcomes."""
    data = shown.figures
    category_rows, category_items = _breakdown(result, data, "clients_by_achievement_category")
    type_rows, _ = _breakdown(result, data, "clients_by_achievement_type")
    return {
        "id": "outcomes", "title": "Outcomes",
        "rows": [
            _row("clients_with_ete_outcome", show(data["clients_with_ete_outcome"]),
                 of(data["clients_with_ete_outcome"], data["engaged"], "engaged cases", data["ete_outcome_rate"])),
        ],
        "tables": [
            {"caption": "Cases by achievement category", "id": "clients_by_achievement_category",
             "columns": ["Category", "Cases"], "rows": category_rows},
            {"caption": "Cases by achievement type", "id": "clients_by_achievement_type",
             "columns": ["Achievement", "Cases"], "rows": type_rows},
        ],
        "charts": [mark_safe(bar_chart(category_items, title="Cases by achievement category"))],
    }


def _reoffending_section(result, shown):
    """Re-offending."""
    data = shown.figures
    n = data["cases_worked_with"]
    traj = data["trajectory_cases"]
    return {
        "id": "reoffending", "title": "Re-offending (local descriptive measures)",
        "notice": REOFFENDING_CAVEAT,
        "rows": [
            _row("reoffended_during_support", show(data["reoffended_during_support"]), f"of {show(n)} cases"),
            _row("no_reoffending_rate", show_pct(data["no_reoffending_rate"]), f"of {show(n)} cases"),
            _row("trajectory_cases", show(traj), "engaged cases with a proven offence in the pre window"),
            _row("reduced_frequency", show(data["reduced_frequency"]),
                 of(data["reduced_frequency"], traj, "cases", data["reduced_frequency_rate"])),
            _row("reduced_seriousness", show(data["reduced_seriousness"]), f"of {show(traj)} cases"),
            _row("reduced_frequency_and_seriousness_rate", show_pct(data["reduced_frequency_and_seriousness_rate"]),
                 f"of {show(traj)} cases"),
            _row("reduced_frequency_rate_engaged_6_months", show_pct(data["reduced_frequency_rate_engaged_6_months"])),
            _row("estimated_cost_avoided", money(data["estimated_cost_avoided"]),
                 "an estimate from unit costs; see the appendix for the values used"),
        ],
        "tables": [], "charts": [],
    }


def _assessments_sections(result, shown):
    """One progress section per assessment template (see reports.metrics.progress), each with
    its own heading, table and wheel. The first keeps the ids the report always had."""
    names = {p.code: p.name for p in result.programmes}
    several = len(result.progress_sections) > 1
    sections = []
    for number, (section, one) in enumerate(zip(result.progress_sections, shown.progress, strict=True)):
        suffix = "" if number == 0 else f"-{section.template}"
        cases_of = "cases of " + ", ".join(names.get(code, code) for code in section.programmes) if several else ""
        sections.append(_progress_section(section, one.figures, suffix, cases_of))
    return sections


def _progress_section(section, data, suffix, cases_of):
    """Progress wheel: one template's follow-ups and change by domain, with its radar chart."""
    domains = section.labels["assessment_change_by_domain"]
    change = data["assessment_change_by_domain"]
    domain_rows = [
        [domains[code], show(item["first_mean"]), show(item["latest_mean"]), show(item["improved"]),
         show_pct(item["improved_rate"])]
        for code, item in change.items()
    ]
    title = "Progress wheel: mean first and latest scores by domain"
    radar = radar_svg(
        [(code, domains[code]) for code in change],
        [(legend_name("first", "mean"), [item["first_mean"] for item in change.values()]),
         (legend_name("latest", "mean"), [item["latest_mean"] for item in change.values()])],
        scale_max=section.scale_max, title=f"{section.template_name}: mean first and latest scores by domain"
        if cases_of else title, chart_id=f"wheel-report{suffix}",
    )
    return {
        "id": f"assessments{suffix}", "title": section.title,
        "rows": [_row("assessment_followups", show(data["assessment_followups"]), cases_of)],
        "tables": [{"caption": "Change by domain", "id": "assessment_change_by_domain",
                    "columns": ["Domain", "First (mean)", "Latest (mean)", "Improved", "Improved (%)"],
                    "rows": domain_rows}],
        "charts": [mark_safe(radar)] if data["assessment_followups"] else [],
    }


def _questionnaire_section(result, shown):
    """Exit questionnaire."""
    data = shown.figures
    questions = result.labels["questionnaire_agree_rate"]
    bases = shown.bases["questionnaire_agree_rate"]
    question_rows = [
        [questions[code], show_pct(rate), show(bases.get(code, 0))]
        for code, rate in data["questionnaire_agree_rate"].items()
    ]
    return {
        "id": "questionnaire", "title": "Exit questionnaire",
        "rows": [_row("questionnaires_completed", show(data["questionnaires_completed"]))],
        "tables": [{"caption": "Agree or strongly agree", "id": "questionnaire_agree_rate",
                    "columns": ["Statement", "Agree", "Answers"], "rows": question_rows}],
        "charts": [mark_safe(bar_chart(
            [(questions[c], r) for c, r in data["questionnaire_agree_rate"].items()],
            title="Agree or strongly agree (%)", unit="%", maximum=100, label_width=260))]
        if data["questionnaires_completed"] else [],
    }


def _spend_section(result, shown):
    """Support spend."""
    spend = shown.spend
    return {
        "id": "spend", "title": "Support spend",
        "rows": [{"id": "", "label": "Total spent on clients' practical needs in the period",
                  "value": money(spend.total), "base": f"on {show(spend.cases)} cases" if spend.items else ""}],
        "tables": [{"caption": "Support spend by category", "id": "",
                    "columns": ["Category", "Items", "Total"],
                    "rows": [[row["label"], show(row["items"]), money(row["total"])] for row in spend.categories]}],
        "charts": [],
    }
