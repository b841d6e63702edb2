"""Small-number suppression: how a report for outside the organisation shows its numbers.

docs/metrics.md ("Small numbers") states the rules; they are applied here and nowhere else.
`suppress_result()` takes every number a report prints (the figures, their bases, the
engagement-span summary and the support spend) and returns them as a reader outside the
organisation may see them. The JSON (`--suppress`), the CSV, the page and the PDF all print what
it returns, so no output can show a number that another one hides.

- A count from 1 to 4 is shown as "<5" (the threshold is `REPORT_SUPPRESS_COUNT_BELOW`):
  headline figures, bases, breakdown cells, answer counts, item counts. 0 stays 0.
- A rate or mean whose base is under 10 (`REPORT_SUPPRESS_BASE_BELOW`) is shown as "n/a"; so is
  a rate whose base is hidden or whose numerator is a count from 1 to 4, because rate x base
  would give that count back.
- Money and hours (estimated cost avoided, support spend, contact hours) worked out from fewer
  than 5 cases are shown as "n/a".
- Secondary suppression: where a hidden count could be worked out from a breakdown's total (or,
  for overlapping cells, bounded so tightly that only one value is left), the next smallest
  non-zero cell is hidden too ("hidden"), then the next, until none can; if hiding every non-zero
  cell is not enough, the whole breakdown is hidden.
"""

from dataclasses import dataclass, field

from django.conf import settings

from .metrics import DEFINITIONS, ETE_CATEGORIES, SpendFigures

NA = "n/a"
HIDDEN = "hidden"  # a number hidden so that a smaller hidden one cannot be worked out

# Breakdowns whose cells add up to another figure the report prints. `cases_closed` adds up to
# the cases that ended in the period: the report does not print that total, but a reader can
# work it out (cases worked with in this period and the next, earlier reports), so it is
# treated as known.
ADDITIVE = {
    "referrals_by_source": "referrals_received",
    "referrals_by_referrer_organisation": "referrals_received",
    "cases_by_age_band": "cases_worked_with",
    "cases_closed": None,
    # Each contact has one mode; each case one client, with one answer (or none) to each question.
    "contacts_by_mode": "contacts_attended",
    "cases_by_care_experience": "cases_worked_with",
    "cases_by_parent_in_prison": "cases_worked_with",
    "cases_by_gender": "cases_worked_with",
    "cases_by_ethnicity": "cases_worked_with",
}
# Hours breakdowns whose cells add up (but for rounding) to an hours figure the report prints:
# a single hidden cell is the total less the others, so the next smallest is hidden too.
ADDITIVE_HOURS = {"contact_hours_by_mode": "contact_hours"}
# Breakdowns left to the count rule alone, because no total pins their cells:
# - sessions_by_activity: a contact counts once for each of its activities and a contact with
#   none counts nowhere, so the cells neither add up to contacts_attended nor are bounded by it;
# - assessment_change_by_domain (improved): each domain is a separate question over the same
#   cases; questionnaire answers per statement: a questionnaire may skip statements.
# Achievement categories and types count cases with at least one achievement of each, so a case
# can be in several cells: they do not add up. But the cases with any ETE achievement
# (clients_with_ete_outcome) are the union of the three ETE categories, and a category's cases
# the union of its types' cases; a union is no larger than the sum of its parts, which gives a
# hidden cell a lowest possible value (the union less the cells shown). `_achievements()`
# checks that this lowest value never pins a hidden count.

# The rate whose complement is itself a figure: 1 - reoffended_during_support / cases.
COMPLEMENT_SHOWN = {"no_reoffending_rate"}


@dataclass
class Shown:
    """The numbers a report prints: as computed (for internal use) or suppressed."""

    figures: dict
    bases: dict
    span: dict = field(default_factory=dict)
    spend: SpendFigures = field(default_factory=SpendFigures)
    suppressed: bool = False
    progress: list = field(default_factory=list)  # a Shown per progress section
    targets: list = field(default_factory=list)  # the figures with a target, actual against it


def _is_count(value):
    return isinstance(value, int) and not isinstance(value, bool)


class Rules:
    """The thresholds of the settings, and the rules applied to one number or one breakdown."""

    def __init__(self):
        self.below = settings.REPORT_SUPPRESS_COUNT_BELOW
        self.base_below = settings.REPORT_SUPPRESS_BASE_BELOW
        self.small = f"<{self.below}"

    def is_small(self, value):
        return _is_count(value) and 0 < value < self.below

    def count(self, value):
        return self.small if self.is_small(value) else value

    def rate(self, value, base, *, numerator=None, shown_base=None, complement=False):
        if value is None:
            return None
        if not _is_count(base) or base < self.base_below:
            return NA
        if shown_base is not None and not _is_count(shown_base):
            return NA  # its base is hidden (secondary suppression): the rate would help recover it
        if self.is_small(numerator) or (complement and _is_count(numerator) and self.is_small(base - numerator)):
            return NA
        return value

    def mean(self, value, people):
        if value is None:
            return None
        return value if _is_count(people) and people >= self.base_below else NA

    def money(self, value, people):
        """Money (and hours) from fewer than `below` cases."""
        if value is None:
            return None
        return value if _is_count(people) and people >= self.below else NA

    def recoverable(self, raw, bounds, low, high):
        """Whether a reader could work out one of the hidden counts from 1 to 4 among `raw`'s cells.

        The reader knows the shown cells exactly, that each hidden cell lies in its `bounds`
        (lowest, highest), and that the cells add up to `low`..`high` (`high` None: no upper
        limit, for overlapping cells whose union is `low`). With one sum and a range per cell,
        the values a cell can still take form one range, worked out here; a range of one value
        gives the cell away.
        """
        known = sum(value for code, value in raw.items() if code not in bounds)
        for code, (least, most) in bounds.items():
            if not self.is_small(raw[code]):
                continue
            others = [bound for other, bound in bounds.items() if other != code]
            lowest = max(least, low - known - sum(top for _, top in others))
            highest = most if high is None else min(most, high - known - sum(bottom for bottom, _ in others))
            if lowest >= highest:
                return True
        return False

    def protect(self, raw, hidden, low, high, *, cap):
        """The cells to hide besides `hidden` ({code: (lowest, highest)}) so that no hidden count
        can be worked out: the next smallest non-zero cell, then the next; None if hiding every
        non-zero cell is not enough. A reader who knows this rule knows each extra hidden cell is
        at least `below` (every shown cell is) and no larger than the smallest cell still shown."""
        extra = []
        while True:
            still_shown = [(value, i, code) for i, (code, value) in enumerate(raw.items())
                           if value and code not in hidden and code not in extra]
            ceiling = min((value for value, _, _ in still_shown), default=cap)
            bounds = {**hidden, **dict.fromkeys(extra, (self.below, ceiling))}
            if not self.recoverable(raw, bounds, low, high):
                return extra
            if not still_shown:
                return None
            extra.append(min(still_shown)[2])

    def breakdown(self, raw, shown, total, shown_total, *, union=False):
        """Secondary suppression of one breakdown of counts (already through the count rule)
        whose cells add up to `total` (`union`: whose cells overlap and have `total` as union)."""
        hidden = {code: (1, self.below - 1) for code, value in shown.items() if value == self.small}
        if not hidden or not _is_count(total):
            return shown
        if _is_count(shown_total):
            low = high = total
        else:  # the total is hidden itself: the reader knows only that it is from 1 to 4
            low, high = 1, self.below - 1
        extra = self.protect(raw, hidden, low, None if union else high, cap=high)
        if extra is None:
            return dict.fromkeys(raw, HIDDEN)
        return {**shown, **dict.fromkeys(extra, HIDDEN)}


def suppress_result(result):
    shown = suppress(result.figures, result.bases, numerators=result.numerators, people=result.people,
                     span=result.span_summary, spend=result.spend, type_categories=result.type_categories)
    shown.progress = [suppress_progress(section) for section in result.progress_sections]
    shown.targets = suppress_targets(result.targets, shown.figures)
    return shown


def suppress_targets(targets, shown_figures):
    """Each target row with its actual as the report shows it. The target is a number the funder
    set, not people, so it is shown; but the share met is actual / target, and target x share
    would give a hidden actual back: when the actual is hidden ("<5", "n/a", "hidden"), so is
    the share met ("n/a")."""
    out = []
    for row in targets:
        actual = shown_figures.get(row["figure"], row["actual"])
        hidden = actual != row["actual"] or isinstance(actual, str)
        out.append({**row, "actual": actual, "share_met": NA if hidden else row["share_met"]})
    return out


def suppress_progress(section):
    """A progress section's figures under exactly the rules of the report's own assessment
    figures (the same function, on the same kinds of figure): a follow-up count from 1 to 4 is
    hidden, a domain's means and improved rate need 10 follow-ups behind them. The sections are
    separate questions, like the domains: no section's figures add up to another's or to a
    figure the report prints, so no secondary suppression is needed between them."""
    return suppress(section.figures, section.bases, numerators=section.numerators, people=section.people)


def suppress(figures, bases, *, numerators=None, people=None, span=None, spend=None, type_categories=None):
    """Every number of a report as a reader outside the organisation may see it (see the module's docstring)."""
    rules = Rules()
    numerators, people = numerators or {}, people or {}
    kinds = {key: DEFINITIONS[key].kind for key in figures}
    out = _shown_counts(rules, figures, kinds)
    _achievements(rules, figures, out, type_categories or {})
    shown_bases = _shown_bases(rules, bases, out)
    for key, value in figures.items():
        shown = _shown_rate_or_mean(rules, key, kinds[key], value, bases.get(key), shown_bases.get(key),
                                    numerators.get(key), people)
        if shown is not _AS_IS:
            out[key] = shown
    _rates_by_age_band(rules, figures, bases, numerators, out)
    _hours_breakdowns(rules, figures, people, out)

    return Shown(figures=out, bases=shown_bases, span=_span(rules, span, out), spend=_spend(rules, spend),
                 suppressed=True)


def _shown_counts(rules, figures, kinds):
    """Every figure, its counts (and count breakdowns, kept adding up) suppressed; the rest as they are."""
    out = {}
    for key, value in figures.items():
        if kinds[key] == "count":
            out[key] = rules.count(value)
        elif kinds[key] == "count_breakdown":
            out[key] = {code: rules.count(cell) for code, cell in value.items()}
        else:
            out[key] = value
    for key, total_key in ADDITIVE.items():
        if key in figures:
            total = figures.get(total_key) if total_key else sum(figures[key].values())
            shown_total = out.get(total_key) if total_key else total
            out[key] = rules.breakdown(figures[key], out[key], total, shown_total)
    return out


def _shown_bases(rules, bases, out):
    """The bases as shown: counts of people suppressed like any count."""
    shown_bases = {}
    for key, base in bases.items():
        if key == "engaged_6_months_rate_by_age_band" and "cases_by_age_band" in out:
            shown_bases[key] = out["cases_by_age_band"]
        elif key == "target_progress":
            shown_bases[key] = base  # the programmes' target: a number they set, not people
        elif isinstance(base, dict):
            shown_bases[key] = {code: rules.count(value) for code, value in base.items()}
        else:
            shown_bases[key] = rules.count(base)
    return shown_bases


_AS_IS = object()  # a figure _shown_rate_or_mean leaves as _shown_counts gave it


def _shown_rate_or_mean(rules, key, kind, value, base, shown_base, numerator, people):
    """A rate, mean, span or money figure as shown; _AS_IS for a figure of another kind."""
    if kind == "rate":
        return rules.rate(value, base, numerator=numerator, shown_base=shown_base,
                          complement=key in COMPLEMENT_SHOWN)
    if kind == "rate_breakdown":
        return {code: rules.rate(rate, (base or {}).get(code), numerator=(numerator or {}).get(code),
                                 shown_base=(shown_base or {}).get(code))
                for code, rate in value.items()}
    if kind == "domain_breakdown":
        scores = people.get(key, {})
        return {
            code: {
                # A mean's base is the number of scores it averages, at most the follow-up cases.
                "first_mean": rules.mean(item["first_mean"], scores.get(code, {}).get("first_mean", base)),
                "latest_mean": rules.mean(item["latest_mean"], scores.get(code, {}).get("latest_mean", base)),
                "improved": rules.count(item["improved"]),
                "improved_rate": rules.rate(item["improved_rate"], base, numerator=item["improved"],
                                            shown_base=shown_base),
            }
            for code, item in value.items()
        }
    if kind == "span":
        return {part: rules.mean(mean_value, people.get(key)) for part, mean_value in value.items()}
    if kind in ("money", "hours"):
        return rules.money(value, people.get(key))
    return _AS_IS


def _achievements(rules, figures, out, type_categories):
    """Secondary suppression where a union pins a hidden cell (see the note on ADDITIVE)."""
    categories, types = "clients_by_achievement_category", "clients_by_achievement_type"
    if categories not in figures:
        return
    ete = {code: figures[categories][code] for code in ETE_CATEGORIES if code in figures[categories]}
    shown = rules.breakdown(ete, {code: out[categories][code] for code in ete},
                            figures.get("clients_with_ete_outcome"), out.get("clients_with_ete_outcome"), union=True)
    for code, value in shown.items():
        if value == HIDDEN and out[categories][code] != HIDDEN:
            out[categories][code] = HIDDEN
            if types in out:
                # Its types would bound it (a category's cases are at most the sum of its types'
                # cases, and at least the largest): hide those that are shown.
                for type_code, category in type_categories.items():
                    if category == code and _is_count(out[types].get(type_code)) and out[types][type_code]:
                        out[types][type_code] = HIDDEN
    if types not in figures:
        return
    for category, count in figures[categories].items():
        members = {code: figures[types][code] for code, cat in type_categories.items()
                   if cat == category and code in figures[types]}
        if members and out[categories][category] != HIDDEN:
            out[types].update(rules.breakdown(members, {code: out[types][code] for code in members}, count,
                                              out[categories][category], union=True))


def _rates_by_age_band(rules, figures, bases, numerators, out):
    """The bands' engaged-6-months counts add up to `engaged_6_months`; a rate left shown gives
    its count back (rate x band), so one hidden count could be worked out by subtraction."""
    key = "engaged_6_months_rate_by_age_band"
    if key not in out or key not in numerators or key not in bases or "engaged_6_months" not in figures:
        return
    raw, shown_bands = numerators[key], out.get("cases_by_age_band", {})
    hidden = {}
    for code, rate in out[key].items():
        if rate == NA:
            band, shown_band = bases[key][code], shown_bands.get(code)
            most = band if _is_count(shown_band) else (rules.below - 1 if shown_band == rules.small
                                                       else figures.get("cases_worked_with", band))
            hidden[code] = (0, most)
    total, shown_total = figures["engaged_6_months"], out["engaged_6_months"]
    if not hidden:
        return
    low, high = (total, total) if _is_count(shown_total) else (1, rules.below - 1)
    extra = rules.protect(raw, hidden, low, high, cap=high)
    for code in raw if extra is None else extra:
        if out[key][code] is not None:
            out[key][code] = NA


def _hours_breakdowns(rules, figures, people, out):
    """Each cell of an hours breakdown under the hours rule (fewer than `below` cases behind it:
    "n/a"); where one hidden cell could be worked out from the total shown, the smallest other
    non-zero cell is hidden too, and with none to hide, every cell is."""
    for key, total_key in ADDITIVE_HOURS.items():
        if key not in figures:
            continue
        cases = people.get(key, {})
        cells = {code: rules.money(value, cases.get(code, 0)) if value else value
                 for code, value in figures[key].items()}
        hidden = [code for code, value in cells.items() if value == NA]
        if len(hidden) == 1 and out.get(total_key) not in (NA, None):
            others = [(value, code) for code, value in figures[key].items() if value and code not in hidden]
            if others:
                cells[min(others)[1]] = HIDDEN
            else:
                cells = dict.fromkeys(cells, NA)
        out[key] = cells


def _span(rules, span, out):
    """The span summary line. Only the number of cases and the mean and median are shown: the
    longest span is one person's, and the split of engaged cases by span (under 91 days, 91 to
    181, 182 or more) is engaged - engaged_3_months, engaged_3_months - engaged_6_months and
    engaged_6_months, which the headline figures already show under their own rules."""
    if not span:
        return {}
    figure = out.get("engagement_span_days", {})
    return {"cases": rules.count(span["cases"]), "mean": figure.get("mean"), "median": figure.get("median")}


def _spend(rules, spend):
    """Support spend: money from fewer than `below` cases is hidden; the categories add up to the
    total shown, so when one category's money is hidden the next smallest is hidden too (money
    is not a whole count: with two hidden, only their sum is known)."""
    if spend is None:
        return SpendFigures()
    categories = [{**row, "total": rules.money(row["total"], row["cases"]), "items": rules.count(row["items"]),
                   "cases": rules.count(row["cases"])} for row in spend.categories]
    total = rules.money(spend.total, spend.cases)
    hidden = [i for i, row in enumerate(categories) if row["total"] == NA]
    if total != NA and len(hidden) == 1:
        others = [(row["total"], i) for i, row in enumerate(spend.categories) if i not in hidden]
        if others:
            categories[min(others)[1]]["total"] = HIDDEN
        else:
            total = NA
    return SpendFigures(categories=categories, total=total, items=rules.count(spend.items),
                        cases=rules.count(spend.cases))
