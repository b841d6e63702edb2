"""A case's wheel: its first and latest assessment as a chart and a distance-travelled table."""

from dataclasses import dataclass, field

from django.utils.safestring import mark_safe

from .charts import distance_travelled, legend_name, radar_svg


@dataclass
class Wheel:
    template: object
    first: object
    latest: object
    count: int
    svg: str
    rows: list = field(default_factory=list)

    @property
    def compared(self):
        return self.first.pk != self.latest.pk

    @property
    def improved(self):
        return sum(1 for row in self.rows if row.change is not None and row.change > 0)


def series_name(label, assessment):
    return f"{label}, {assessment.assessed_on:%-d %b %Y}"


def build_wheel(assessments, domains, *, chart_id=None, title=None):
    """The wheel for assessments of one case and one template, oldest first.

    `assessments` must have their scores prefetched; `domains` are the template's domains
    in order. Returns None when there is no assessment.
    """
    assessments = list(assessments)
    if not assessments:
        return None
    first, latest = assessments[0], assessments[-1]
    template = first.template
    axes = [(domain.code, domain.label) for domain in domains]

    def values(assessment):
        scores = assessment.scores_by_domain()
        return [scores[d.pk].score if d.pk in scores else None for d in domains]

    first_values, latest_values = values(first), values(latest)
    if first.pk == latest.pk:
        series = [(series_name("Only assessment", first), first_values)]
        title = title or f"{template.name}: assessment of {first.assessed_on:%-d %b %Y}"
    else:
        series = [(legend_name("first", f"{first.assessed_on:%-d %b %Y}"), first_values),
                  (legend_name("latest", f"{latest.assessed_on:%-d %b %Y}"), latest_values)]
        title = title or (
            f"{template.name}: first assessment ({first.assessed_on:%-d %b %Y}) "
            f"compared with the latest ({latest.assessed_on:%-d %b %Y})"
        )
    svg = radar_svg(axes, series, scale_max=template.scale_max, title=title, chart_id=chart_id)
    return Wheel(
        template=template, first=first, latest=latest, count=len(assessments), svg=mark_safe(svg),  # noqa: S308 - escaped by radar_svg
        rows=distance_travelled(axes, first_values, latest_values),
    )
