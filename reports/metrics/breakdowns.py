"""The breakdowns funders ask for (issue 16, point 6): contacts and hours by mode, and the
cohort by client characteristics. Each is one grouped query, whatever the number of cases, and
counts exactly what the report's own totals count, so the cells add up to them (and
`reports.suppression.ADDITIVE` can stop a hidden cell being worked out by subtraction)."""

from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Lower, Trim

from clients.models import Case, Ethnicity, Gender
from contacts.models import Mode

from .cohort import NOT_RECORDED, attended_contacts
from .result import round_half_up
from .sections import Part

YES_NO = [("yes", "Yes"), ("no", "No"), (NOT_RECORDED, "Not recorded")]
# The client booleans a report breaks the cohort down by (and may be filtered to).
CHARACTERISTIC_FLAGS = {"care_experienced": "cases_by_care_experience",
                        "parent_in_prison": "cases_by_parent_in_prison"}


def yes_no_code(value):
    """A nullable boolean as a breakdown code: unanswered is "not recorded", not "no"."""
    return NOT_RECORDED if value is None else ("yes" if value else "no")


def breakdowns_part(cohort_ids, start, end):
    """Contacts and hours by mode, and the cohort by client characteristics (two queries)."""
    by_mode = mode_figures(cohort_ids, start, end)
    characteristics = characteristic_figures(cohort_ids)
    modes = dict(Mode.choices)
    return Part(
        figures={"contacts_by_mode": by_mode["contacts"], "contact_hours_by_mode": by_mode["hours"],
                 **characteristics},
        people={"contact_hours_by_mode": by_mode["cases"]},
        labels={"contacts_by_mode": modes, "contact_hours_by_mode": modes,
                "cases_by_care_experience": dict(YES_NO), "cases_by_parent_in_prison": dict(YES_NO),
                "cases_by_gender": dict(Gender.choices),
                "cases_by_ethnicity": {**dict(Ethnicity.choices), NOT_RECORDED: "Not recorded"}},
    )


def mode_figures(cohort_ids, start, end):
    """Per mode: the attended contacts in the period (the contacts `contacts_attended` counts),
    their hours (rounded as `contact_hours` is) and the cases they were with (the people the
    hours rule needs). One grouped query."""
    rows = (attended_contacts(end).filter(case__in=cohort_ids, date__gte=start).order_by().values_list("mode")
            .annotate(n=Count("pk"), minutes=Sum("duration_minutes"), cases=Count("case", distinct=True)))
    found = {mode: (n, minutes or 0, cases) for mode, n, minutes, cases in rows}
    codes = [code for code, _ in Mode.choices]
    return {
        "contacts": {code: found.get(code, (0, 0, 0))[0] for code in codes},
        "hours": {code: round_half_up(Decimal(found.get(code, (0, 0, 0))[1]) / 60) for code in codes},
        "cases": {code: found.get(code, (0, 0, 0))[2] for code in codes},
    }


def characteristic_figures(cohort_ids):
    """Cases worked with by care experience, parent in prison, gender and ethnicity: one query
    grouped by the four columns (at most a few hundred groups, never a row per case)."""
    flags = list(CHARACTERISTIC_FLAGS)
    rows = (Case.objects.filter(pk__in=cohort_ids).order_by()
            .values_list(*[f"client__{name}" for name in flags], "client__gender", "client__ethnicity")
            .annotate(n=Count("pk")))
    out = {figure: dict.fromkeys([code for code, _ in YES_NO], 0) for figure in CHARACTERISTIC_FLAGS.values()}
    out["cases_by_gender"] = dict.fromkeys([code for code, _ in Gender.choices], 0)
    out["cases_by_ethnicity"] = dict.fromkeys([code for code, _ in Ethnicity.choices] + [NOT_RECORDED], 0)
    for *values, gender, ethnicity, n in rows:
        for figure, value in zip(CHARACTERISTIC_FLAGS.values(), values, strict=True):
            out[figure][yes_no_code(value)] += n
        out["cases_by_gender"][gender] = out["cases_by_gender"].get(gender, 0) + n
        ethnicity = ethnicity or NOT_RECORDED
        out["cases_by_ethnicity"][ethnicity] = out["cases_by_ethnicity"].get(ethnicity, 0) + n
    return out


TOP_ORGANISATIONS = 10
OTHER_ORGANISATIONS = "other_organisations"


def referrer_organisations_part(referrals):
    """Referrals received by the organisation that referred (free text), one grouped query by
    spelling. Spellings that differ only in case or surrounding spaces are one organisation,
    named by its most common spelling; a blank is "Not recorded". The 10 organisations with the
    most referrals are shown, the rest summed as "Other organisations", so the cells add up to
    referrals received."""
    rows = (referrals.order_by().annotate(key=Lower(Trim("referrer_organisation")))
            .values_list("key", Trim("referrer_organisation")).annotate(n=Count("pk")))
    totals, spellings = {}, {}
    for key, spelling, n in rows:
        key = key or NOT_RECORDED
        totals[key] = totals.get(key, 0) + n
        spellings.setdefault(key, []).append((-n, spelling))
    blank = totals.pop(NOT_RECORDED, 0)
    ranked = sorted(totals, key=lambda key: (-totals[key], min(spellings[key])[1]))
    top, tail = ranked[:TOP_ORGANISATIONS], ranked[TOP_ORGANISATIONS:]
    counts = {**{key: totals[key] for key in top}, NOT_RECORDED: blank,
              OTHER_ORGANISATIONS: sum(totals[key] for key in tail)}
    labels = {**{key: min(spellings[key])[1] for key in top}, NOT_RECORDED: "Not recorded",
              OTHER_ORGANISATIONS: "Other organisations"}
    key = "referrals_by_referrer_organisation"
    return Part(figures={key: counts}, labels={key: labels})
