"""What `compute_report()` returns, and how its numbers are rounded."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .definitions import DEFINITIONS, JSON_IDS, SECTIONS


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
    scale_max: int = 10  # the assessment template's highest score, the wheel's outer ring

    @property
    def as_of(self):
        return self.end

    def shown(self, *, suppress=False):
        """Every number the outputs print, suppressed for sharing outside the organisation or not."""
        from reports.suppression import Shown, suppress_result

        if suppress:
            return suppress_result(self)
        return Shown(figures=self.figures, bases=self.bases, span=self.span_summary, spend=self.spend)

    def as_json(self, *, suppress=False):
        figures = self.shown(suppress=suppress).figures
        return {key: figures[key] for key in JSON_IDS}

    def definitions(self):
        return [
            {"id": m.name, "section": dict(SECTIONS)[m.section], "label": m.label, "definition": m.definition}
            for m in DEFINITIONS.values()
        ]

    def rows(self, *, suppress=False):
        """One row per figure (breakdowns as `id.code`): section, id, label, value, base."""
        shown = self.shown(suppress=suppress)
        rows = []
        for key in JSON_IDS:
            label = DEFINITIONS[key].label
            section_name = dict(SECTIONS)[DEFINITIONS[key].section]
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
    from reports.suppression import suppress

    return suppress(data, bases, **extra).figures
