"""What each figure of the report is: its section, label, kind and definition (docs/metrics.md)."""

from dataclasses import dataclass

from outcomes.models import AchievementType

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


@dataclass(frozen=True)
class Metric:
    """One figure of the report: its id (`name`, the JSON key), section, label, kind (count, rate,
    span, hours, money, target or a breakdown kind: how it is suppressed) and definition; `base` names what a rate or mean is taken over, for
    exactly the figures that `compute_report()` gives a base."""

    name: str
    section: str
    label: str
    kind: str
    definition: str
    base: str = ""


SECTIONS = [
    ("referrals", "Referrals"),
    ("engagement", "Engagement"),
    ("outcomes", "Outcomes"),
    ("reoffending", "Re-offending"),
    ("assessments", "Progress wheel"),
    ("questionnaire", "Exit questionnaire"),
    ("targets", "Targets"),
]

DEFINITIONS = {m.name: m for m in [
    Metric("referrals_received", "referrals", "Referrals received", "count",
           "Referrals to the programmes with a received date in the period."),
    Metric("referrals_by_source", "referrals", "Referrals by source", "count_breakdown",
           "The same referrals, counted by the kind of agency that referred."),
    Metric("referrals_by_referrer_organisation", "referrals", "Referrals by referrer organisation",
           "count_breakdown",
           "The same referrals, counted by the organisation that referred as recorded (spellings that differ only "
           "in capitals or surrounding spaces are one organisation, shown by its most common spelling): the 10 "
           "with the most referrals, then the rest together as 'Other organisations', and 'Not recorded' where "
           "none was given. The cells add up to referrals received."),
    Metric("referrals_accepted", "referrals", "Referrals accepted", "count",
           "Of the referrals received, those accepted."),
    Metric("referrals_not_eligible", "referrals", "Referrals not meeting the programme's rules", "count",
           "Of the referrals received, those decided (accepted, declined or withdrawn) while failing at "
           "least one of the programme's eligibility rules (age, area, required criteria, readiness to engage), "
           "as the lead recorded them at the decision. Referrals still waiting are not counted."),
    Metric("referrals_accepted_by_override", "referrals", "Accepted although not meeting the rules", "count",
           "Of those, the referrals accepted all the same, each with the reason recorded."),
    Metric("referrals_engaged", "referrals", "Referrals engaged", "count",
           "Of the referrals received, those whose case is engaged (see 'Engaged')."),
    Metric("referral_engagement_rate", "referrals", "Referral engagement rate", "rate",
           "Referrals engaged as a percentage of referrals received.",
           base="referrals received"),
    Metric("cases_worked_with", "engagement", "Cases worked with", "count",
           "Cases of the programmes open at any time in the period: started on or before its last day and "
           "not ended before its first day."),
    Metric("cases_by_age_band", "engagement", "Cases by age band", "count_breakdown",
           "Cases worked with, by the client's age in whole years on the day the case started."),
    Metric("engaged", "engagement", "Engaged", "count",
           "Cases worked with that have at least the programme's minimum number of attended contacts (2 "
           "unless the programme says otherwise). An attended contact is one marked attended, not a text "
           "message, dated on or before the last day of the period."),
    Metric("engagement_rate", "engagement", "Engagement rate", "rate",
           "Engaged cases as a percentage of cases worked with.",
           base="cases worked with"),
    Metric("engagement_span_days", "engagement", "Engagement span (days)", "span",
           "For each case, the days from its first to its last attended contact (0 with one contact); the "
           "mean and the median over the cases worked with that have at least one attended contact.",
           base="cases worked with that have an attended contact"),
    Metric("engaged_3_months", "engagement", "Engaged for 3 months", "count",
           "Engaged cases whose engagement span is at least 91 days."),
    Metric("engaged_3_months_rate", "engagement", "Engaged for 3 months, rate", "rate",
           "Cases engaged for 3 months as a percentage of cases worked with.",
           base="cases worked with"),
    Metric("engaged_6_months", "engagement", "Engaged for 6 months", "count",
           "Engaged cases whose engagement span is at least 182 days."),
    Metric("engaged_6_months_rate", "engagement", "Engaged for 6 months, rate", "rate",
           "Cases engaged for 6 months as a percentage of cases worked with.",
           base="cases worked with"),
    Metric("engaged_6_months_rate_by_age_band", "engagement", "Engaged for 6 months, rate by age band", "rate_breakdown",
           "For each age band, cases engaged for 6 months as a percentage of the band's cases worked with.",
           base="the band's cases worked with"),
    Metric("risk_to_others_rate", "engagement", "Flagged risk to others", "rate",
           "Cases worked with whose client has an active 'risk to others' flag, as a percentage of cases "
           "worked with.",
           base="cases worked with"),
    Metric("contacts_attended", "engagement", "Contacts attended", "count",
           "Attended contacts of the cases worked with, dated in the period."),
    Metric("contact_hours", "engagement", "Contact hours", "hours",
           "The sum of those contacts' durations, in hours."),
    Metric("sessions_by_activity", "engagement", "Sessions by activity", "count_breakdown",
           "Those contacts counted by activity; a contact with two activities counts once for each."),
    Metric("contacts_by_mode", "engagement", "Contacts attended by mode", "count_breakdown",
           "The contacts of 'Contacts attended', counted by mode (face to face, phone, video, message, group): "
           "each contact has one mode, so the cells add up to contacts attended."),
    Metric("contact_hours_by_mode", "engagement", "Contact hours by mode", "hours_breakdown",
           "The hours of those contacts, by mode, each rounded to one decimal place (so the cells may differ "
           "from 'Contact hours' by a rounding). Like contact hours, a mode's hours with fewer than 5 cases "
           "behind them are hidden."),
    Metric("cases_by_care_experience", "engagement", "Cases by care experience", "count_breakdown",
           "Cases worked with, by whether the client is care experienced: yes, no, or not recorded."),
    Metric("cases_by_parent_in_prison", "engagement", "Cases by parent in prison", "count_breakdown",
           "Cases worked with, by whether the client has or had a parent in prison: yes, no, or not recorded."),
    Metric("cases_by_gender", "engagement", "Cases by gender", "count_breakdown",
           "Cases worked with, by the client's gender as recorded."),
    Metric("cases_by_ethnicity", "engagement", "Cases by ethnicity", "count_breakdown",
           "Cases worked with, by the client's ethnic group (the 2021 Census groups), or not recorded."),
    Metric("cases_closed", "engagement", "Cases closed", "count_breakdown",
           "Cases worked with that ended in the period, by closure reason."),
    Metric("clients_with_ete_outcome", "outcomes", "Cases with an ETE outcome", "count",
           "Cases worked with that have at least one achievement in employment, education and training or "
           "qualifications, dated from the case's start to the end of the period."),
    Metric("ete_outcome_rate", "outcomes", "ETE outcome rate", "rate",
           "Cases with an ETE outcome as a percentage of engaged cases.",
           base="engaged cases"),
    Metric("clients_by_achievement_category", "outcomes", "Cases by achievement category", "count_breakdown",
           "For each category, cases worked with that have at least one achievement of that category, dated "
           "from the case's start to the end of the period."),
    Metric("clients_by_achievement_type", "outcomes", "Cases by achievement type", "count_breakdown",
           "For each type, cases worked with that have at least one achievement of that type, dated from the"
           " case's start to the end of the period."),
    Metric("reoffended_during_support", "reoffending", "Re-offended during support", "count",
           "Cases worked with whose client has a proven offence (convicted on or before the end of the "
           "period) committed from the case's start to its end (or the end of the period, whichever is "
           "earlier)."),
    Metric("no_reoffending_rate", "reoffending", "No proven re-offending during support", "rate",
           "Cases worked with that did not re-offend during support, as a percentage of cases worked with.",
           base="cases worked with"),
    Metric("trajectory_cases", "reoffending", "Cases with offending before support", "count",
           "Engaged cases with at least one proven offence in the pre window: the W days before the case "
           "started, where W is the days from the start to the end of the period (both included), at most "
           "730."),
    Metric("reduced_frequency", "reoffending", "Reduced frequency", "count",
           "Of those, cases with fewer proven offences in the post window (the W days from the start) than "
           "in the pre window."),
    Metric("reduced_seriousness", "reoffending", "Reduced seriousness", "count",
           "Of those, cases whose summed severity in the post window is lower than in the pre window."),
    Metric("reduced_frequency_rate", "reoffending", "Reduced frequency, rate", "rate",
           "Cases with reduced frequency as a percentage of cases with offending before support.",
           base="cases with offending before support"),
    Metric("reduced_frequency_and_seriousness_rate", "reoffending", "Reduced frequency and seriousness, rate", "rate",
           "Cases with both reductions as a percentage of cases with offending before support.",
           base="cases with offending before support"),
    Metric("reduced_frequency_rate_engaged_6_months", "reoffending", "Reduced frequency, rate, engaged 6 months", "rate",
           "Among cases with offending before support that were engaged for 6 months, the percentage with "
           "reduced frequency.",
           base="cases with offending before support engaged for 6 months"),
    Metric("estimated_cost_avoided", "reoffending", "Estimated cost of crime avoided (£)", "money",
           "Over cases with offending before support, the sum of (offences before - offences after) x unit "
           "cost, per offence category; an estimate, may be negative. Categories without a unit cost are "
           "left out."),
    Metric("assessment_followups", "assessments", "Cases with a follow-up assessment", "count",
           "Cases worked with that have at least two assessments of the template dated on or before the end "
           "of the period. Each programme uses the assessment templates it names, or else the progress wheel; "
           "the report has one progress section per template, over the cases of the programmes that use it "
           "(the figures without a section are the first section's)."),
    Metric("assessment_change_by_domain", "assessments", "Change by domain", "domain_breakdown",
           "For each domain, over those cases, the mean score at the first and the latest assessment, and "
           "the cases whose latest score is higher than their first.",
           base="cases with a follow-up assessment"),
    Metric("questionnaires_completed", "questionnaire", "Exit questionnaires completed", "count",
           "Questionnaires of the cases worked with, completed in the period."),
    Metric("questionnaire_agree_rate", "questionnaire", "Agree or strongly agree", "rate_breakdown",
           "For each statement, answers of 4 or 5 as a percentage of the answers rating it (an answer of "
           "'Not asked' rates nothing). The statements are those the programmes ask (each programme "
           "chooses its own from the organisation's bank, or asks every active one), and any other "
           "answered in the period.",
           base="the statement's answers"),
    Metric("target_clients", "targets", "Target (clients)", "target",
           "The sum of the programmes' targets for clients worked with."),
    Metric("target_progress", "targets", "Progress towards target", "rate",
           "Cases worked with as a percentage of the target.",
           base="the target"),
]}

JSON_IDS = list(DEFINITIONS)

# The appendix's entry for the targets funders set (`reports.Target`, `targets.target_rows`): not
# a figure of its own, so not among the JSON ids (the JSON carries them as the `targets` list).
TARGETS_DEFINITION = (
    "A funder's target for one of the counts or rates above, per programme and period (a financial year or a "
    "contract period). Target: for a count, each programme's target times the days of its period inside the "
    "report's period over the days of its whole period (both ends included; 'pro rata' when that is less than "
    "the whole), added up over the report's programmes that have one; the actual counts all the report's "
    "programmes. A rate target is not pro-rated, and with several programmes it is shown only when every "
    "programme has the same one; otherwise none is shown. Share met: the actual as a percentage of the target "
    "as shown. When the actual is hidden as a small number, so is the share met."
)

REOFFENDING_CAVEAT = (
    "These re-offending figures are local, descriptive measures with no comparison group: they do not "
    "show what would have happened without the programme. For an estimate of impact, submit the cohort "
    "to the Ministry of Justice's Justice Data Lab once the programme has enough participants."
)
