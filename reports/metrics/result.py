"""What `compute_report()` returns, and how its numbers are rounded."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .definitions import DEFINITIONS, JSON_IDS, SECTIONS, TARGETS_DEFINITION


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
class ProgressSection:
    """The progress figures of one assessment template over the cohort cases of the programmes
    that use it (`programmes`, their codes): `assessment_followups` and
    `assessment_change_by_domain`, with their bases, numerators, people and labels."""

    template: str  # its code; "" when there is no assessment template at all
    template_name: str
    scale_max: int
    programmes: list
    figures: dict
    bases: dict = field(default_factory=dict)
    numerators: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)

    @property
    def title(self):
        return f"Progress wheel{': ' + self.template_name if self.template_name else ''}"

    def as_json(self, figures):
        return {"template": self.template, "template_name": self.template_name, "programmes": self.programmes,
                **figures}


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
    # One per assessment template the programmes use; the flat assessment figures (and
    # template_name, scale_max) are the first one's.
    progress_sections: list = field(default_factory=list)
    # The figures with a target over the period, actual against target (`targets.target_rows`).
    targets: list = field(default_factory=list)

    @property
    def as_of(self):
        return self.end

    def shown(self, *, suppress=False):
        """Every number the outputs print, suppressed for sharing outside the organisation or not."""
        from reports.suppression import Shown, suppress_result

        if suppress:
            return suppress_result(self)
        return Shown(figures=self.figures, bases=self.bases, span=self.span_summary, spend=self.spend,
                     progress=[Shown(figures=s.figures, bases=s.bases) for s in self.progress_sections],
                     targets=self.targets)

    def as_json(self, *, suppress=False):
        figures = self.shown(suppress=suppress).figures
        return {key: figures[key] for key in JSON_IDS}

    def targets_json(self, *, suppress=False):
        """The figures with a target (`targets`): {figure, target, actual, share_met, pro_rata, programmes}."""
        return self.shown(suppress=suppress).targets

    def progress_json(self, *, suppress=False):
        """The progress sections as the JSON carries them (`progress_sections`)."""
        shown = self.shown(suppress=suppress).progress
        return [section.as_json(one.figures) for section, one in zip(self.progress_sections, shown, strict=True)]

    def definitions(self):
        return [
            {"id": m.name, "section": dict(SECTIONS)[m.section], "label": m.label, "definition": m.definition}
            for m in DEFINITIONS.values()
        ] + [{"id": "targets", "section": dict(SECTIONS)["targets"], "label": "Targets and share met",
              "definition": TARGETS_DEFINITION}]

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
        if len(self.progress_sections) > 1:
            rows += self._progress_rows(shown)
        return rows + self._target_rows(shown)

    def _target_rows(self, shown):
        """Two rows per figure with a target, in the Targets section: `targets.<id>.target` (the
        target that applies, "pro rata" in its label when cut to the period) and
        `targets.<id>.share_met` (the actual as a percentage of it, with the target as its base)."""
        rows, section = [], dict(SECTIONS)["targets"]
        for row in shown.targets:
            label = DEFINITIONS[row["figure"]].label
            rows.append((section, f"targets.{row['figure']}.target",
                         f"Target: {label}{' (pro rata)' if row['pro_rata'] else ''}", row["target"], None))
            rows.append((section, f"targets.{row['figure']}.share_met", f"Share of target met: {label}",
                         row["share_met"], row["target"]))
        return rows

    def _progress_rows(self, shown):
        """With more than one template, each progress section's rows, their ids prefixed
        `progress_sections.<template code>.` and their section named after the template."""
        rows = []
        for section, one in zip(self.progress_sections, shown.progress, strict=True):
            prefix = f"progress_sections.{section.template}"
            followups = one.figures["assessment_followups"]
            rows.append((section.title, f"{prefix}.assessment_followups",
                         DEFINITIONS["assessment_followups"].label, followups, None))
            key = "assessment_change_by_domain"
            for code, item in one.figures[key].items():
                item_label = f"{DEFINITIONS[key].label}: {section.labels.get(key, {}).get(code, code)}"
                for part, part_value in item.items():
                    rows.append((section.title, f"{prefix}.{key}.{code}.{part}",
                                 f"{item_label} ({part.replace('_', ' ')})", part_value, one.bases.get(key)))
        return rows


def suppress_figures(data, bases, **extra):
    """The figures of `data` as a report for outside the organisation shows them (see
    `reports.suppression`, where every rule lives)."""
    from reports.suppression import suppress

    return suppress(data, bases, **extra).figures
