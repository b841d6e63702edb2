"""The report's figures against the targets funders set (`reports.Target`), pro rata.

One query, whatever the number of targets, programmes or cases: the targets of the report's
programmes whose period overlaps the report's are read once, and set against figures already
computed. The rules (docs/metrics.md, "Targets"):

- A count target is pro-rated to the part of its period the report covers: target x days of
  overlap / days of the target's period (both ends included), per programme and per target, then
  added up over the report's programmes. `pro_rata` says whether any part was cut down.
- A rate target is not pro-rated: a rate is not a quantity that builds up over time. With several
  programmes (or several target periods overlapping the report's), it is shown only when every
  programme of the report has a target for that rate and they all have the same value; otherwise
  no one target applies and none is shown.
- The share met is the actual as a percentage of the target as shown (1 decimal place, half away
  from zero, `pct`); None when the target is 0.
"""

from decimal import Decimal

from .definitions import DEFINITIONS
from .result import pct, round_half_up


def _days(first, last):
    return (last - first).days + 1


def _count_target(rows, start, end):
    """Pro-rated count target over `rows` (targets overlapping start..end): (value, pro_rata)."""
    total, cut = Decimal(0), False
    for row in rows:
        overlap = _days(max(row.starts_on, start), min(row.ends_on, end))
        whole = _days(row.starts_on, row.ends_on)
        cut = cut or overlap < whole
        total += row.value * overlap / whole
    return total, cut


def _rate_target(rows, programme_ids):
    """The one rate target every programme shares, or None when they differ or one has none."""
    values = {row.value for row in rows}
    if len(values) != 1 or {row.programme_id for row in rows} != set(programme_ids):
        return None
    return values.pop()


def share_met(actual, target):
    """The actual as a percentage of the target (None when either is not a number, or the target is 0)."""
    if not isinstance(actual, (int, float)) or isinstance(actual, bool) or target is None:
        return None
    return pct(Decimal(str(actual)), Decimal(str(target)))


def target_rows(programmes, start, end, figures):
    """Each figure with a target over the report's period: {figure, target, actual, share_met,
    pro_rata, programmes}, in the order of the report's definitions. `figures` are the report's
    raw figures; `reports.suppression.suppress_targets` gives them as a reader outside sees them."""
    from reports.models import Target, target_figure_choices

    figure_ids = [figure for figure, _label in target_figure_choices()]
    programme_ids = [p.pk for p in programmes]
    codes = {p.pk: p.code for p in programmes}
    by_figure = {}
    for row in Target.objects.filter(programme_id__in=programme_ids, starts_on__lte=end, ends_on__gte=start,
                                     figure__in=figure_ids).order_by("programme_id", "starts_on"):
        by_figure.setdefault(row.figure, []).append(row)
    out = []
    for figure in figure_ids:
        rows = by_figure.get(figure)
        if not rows:
            continue
        if DEFINITIONS[figure].kind == "rate":
            value, pro_rata = _rate_target(rows, programme_ids), False
            if value is None:
                continue
        else:
            value, pro_rata = _count_target(rows, start, end)
        target = round_half_up(value)
        actual = figures.get(figure)
        out.append({"figure": figure, "target": target, "actual": actual,
                    "share_met": share_met(actual, target),
                    "pro_rata": pro_rata,
                    "programmes": sorted({codes[row.programme_id] for row in rows})})
    return out
