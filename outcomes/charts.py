"""The progress wheel as a radar chart: plain, server-rendered SVG.

No charting library: a few polygons, lines and text elements render the same in a browser
and in WeasyPrint (the report's page and PDF draw their wheel with `radar_svg` too), need no JavaScript and carry
their own accessible name and description. The numbers are always shown in a table beside
the chart as well (see `distance_travelled`).
"""

import math
from dataclasses import dataclass
from html import escape
from itertools import count

# Series styles, in order: the first assessment is a dashed outline, the latest a solid
# filled shape, so the two differ by more than colour.
SERIES_STYLES = [
    {"stroke": "#6c757d", "fill": "none", "dash": "6 4", "marker": "#6c757d"},
    {"stroke": "#0b5e55", "fill": "#0b5e55", "dash": "", "marker": "#0b5e55"},
    {"stroke": "#8a4b00", "fill": "none", "dash": "2 3", "marker": "#8a4b00"},
    {"stroke": "#3d2c8d", "fill": "none", "dash": "10 3 2 3", "marker": "#3d2c8d"},
]

# Sized so that on a 360 px phone the labels are still readable: the drawing is ~300 px
# wide there, so a 17-unit label shows at about 10 px.
WIDTH = 530
CENTRE_X = 265
CENTRE_Y = 185
RADIUS = 130
LABEL_GAP = 14
LABEL_WRAP = 12  # characters per line of an axis label
LABEL_SIZE = 17
LINE_HEIGHT = 19
LEGEND_TOP = CENTRE_Y + RADIUS + 82  # first legend line, below the lowest label
LEGEND_LINE = 24
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

_ids = count(1)


def _fmt(value):
    """Coordinates rounded to one decimal, without a trailing '.0'."""
    text = f"{round(value, 1):.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def axis_angle(index, total):
    """Angle in radians of spoke `index`: the first points straight up, then clockwise."""
    return -math.pi / 2 + 2 * math.pi * index / total


def point_for(index, total, score, scale_max=10):
    """The (x, y) of a score on spoke `index`, as the chart draws it (rounded to 0.1)."""
    angle = axis_angle(index, total)
    distance = RADIUS * score / scale_max
    return (round(CENTRE_X + distance * math.cos(angle), 1), round(CENTRE_Y + distance * math.sin(angle), 1))


def _wrap(label):
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > LABEL_WRAP:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return lines or [""]


def _label(index, total, label):
    angle = axis_angle(index, total)
    x = CENTRE_X + (RADIUS + LABEL_GAP) * math.cos(angle)
    y = CENTRE_Y + (RADIUS + LABEL_GAP) * math.sin(angle)
    cos = math.cos(angle)
    anchor = "middle" if abs(cos) < 0.2 else ("start" if cos > 0 else "end")
    lines = _wrap(label)
    line_height = LINE_HEIGHT
    sin = math.sin(angle)
    if sin < -0.2:  # above the centre: the block of lines ends at the spoke
        first_y = y - (len(lines) - 1) * line_height
    elif sin > 0.2:  # below: it starts just under it
        first_y = y + 14
    else:
        first_y = y + 5 - (len(lines) - 1) * line_height / 2
    spans = "".join(
        f'<tspan x="{_fmt(x)}" y="{_fmt(first_y + n * line_height)}">{escape(text)}</tspan>'
        for n, text in enumerate(lines)
    )
    return f'<text class="wheel-axis-label" text-anchor="{anchor}" font-size="{LABEL_SIZE}" fill="#212529">{spans}</text>'


def _is_score(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _description(domains, series, scale_max):
    parts = []
    for name, scores in series:
        values = ", ".join(
            f"{label} {'not scored' if score is None else score}" for (_, label), score in zip(domains, scores, strict=True)
        )
        parts.append(f"{name}: {values}.")
    return f"Scores out of {scale_max} on each spoke. " + " ".join(parts)


def radar_svg(domains, series, scale_max=10, *, title="Progress wheel", chart_id=None):
    """An SVG radar chart: one spoke per domain, one polygon per series.

    domains: [(code, label), ...] in spoke order, the first at the top, then clockwise.
    series: [(name, [score or None per domain]), ...], e.g. [("First, 3 Feb 2026", [...]),
    ("Latest, 12 May 2026", [...])]. A missing score (None, or a suppressed "n/a" of a report)
    leaves that spoke out of the polygon; the description gives it as it is.
    Returns the SVG markup as a string (safe to mark safe: every text is escaped).
    """
    total = len(domains)
    chart_id = chart_id or f"wheel-{next(_ids)}"
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    legend_rows = max(1, len(series))
    height = LEGEND_TOP + LEGEND_LINE * (legend_rows - 1) + 14
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="wheel-chart" id="{escape(chart_id)}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" font-family="{escape(FONT)}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(_description(domains, series, scale_max))}</desc>',
    ]
    if total < 3:
        out.append(
            f'<text x="{CENTRE_X}" y="{CENTRE_Y}" text-anchor="middle" font-size="{LABEL_SIZE}">'
            "A wheel needs at least three domains.</text></svg>"
        )
        return "".join(out)

    out.extend(_grid(total, scale_max))
    out.extend(_scale_numbers(total, scale_max))
    out.extend(_axis_labels(domains))
    for number, (name, scores) in enumerate(series):
        out.extend(_series_shape(number, name, scores, total, scale_max, domains))
    out.extend(_legend(series))
    return "".join(out)


def _scale_step(scale_max):
    """A ring for each step of the scale (every second step on a 1-10 scale)."""
    return 2 if scale_max > 6 else 1


def _grid(total, scale_max):
    """The rings and spokes behind the wheel."""
    step = _scale_step(scale_max)
    out = ['<g class="wheel-grid" fill="none" stroke="#ced4da" stroke-width="1">']
    for ring in range(step, scale_max + 1, step):
        points = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in (point_for(i, total, ring, scale_max) for i in range(total)))
        out.append(f'<polygon points="{points}"/>')
    for index in range(total):
        x, y = point_for(index, total, scale_max, scale_max)
        out.append(f'<line x1="{CENTRE_X}" y1="{CENTRE_Y}" x2="{_fmt(x)}" y2="{_fmt(y)}"/>')
    out.append("</g>")
    return out


def _scale_numbers(total, scale_max):
    """Scale numbers up the first spoke."""
    step = _scale_step(scale_max)
    out = ['<g class="wheel-scale" font-size="12" fill="#495057" text-anchor="start">']
    for ring in range(step, scale_max + 1, step):
        x, y = point_for(0, total, ring, scale_max)
        out.append(f'<text x="{_fmt(x + 4)}" y="{_fmt(y + 4)}">{ring}</text>')
    out.append("</g>")
    return out


def _axis_labels(domains):
    total = len(domains)
    return ['<g class="wheel-axes">', *(_label(index, total, label) for index, (_, label) in enumerate(domains)), "</g>"]


def _dash(style):
    return f' stroke-dasharray="{style["dash"]}"' if style["dash"] else ""


def _series_shape(number, name, scores, total, scale_max, domains):
    """One series: its polygon (the spokes it has a score on), then its markers."""
    style = SERIES_STYLES[number % len(SERIES_STYLES)]
    points = [point_for(i, total, s, scale_max) for i, s in enumerate(scores) if _is_score(s)]
    fill_opacity = "0.18" if style["fill"] != "none" else "0"
    out = [f'<g class="wheel-series" data-series="{number}">']
    if points:
        out.append(
            f'<polygon class="wheel-series-shape" points="{" ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in points)}" '
            f'fill="{style["fill"]}" fill-opacity="{fill_opacity}" stroke="{style["stroke"]}" '
            f'stroke-width="2.5"{_dash(style)}/>'
        )
    for (x, y), score, label in _markers(scores, total, scale_max, domains):
        out.append(
            f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="4" fill="{style["marker"]}">'
            f"<title>{escape(name)}: {escape(label)} {score}</title></circle>"
        )
    out.append("</g>")
    return out


def _legend(series):
    """The legend under the wheel, closing the SVG."""
    out = ['<g class="wheel-legend" font-size="16" fill="#212529">']
    for number, (name, _) in enumerate(series):
        style = SERIES_STYLES[number % len(SERIES_STYLES)]
        y = LEGEND_TOP + LEGEND_LINE * number
        out.append(
            f'<line x1="{CENTRE_X - 120}" y1="{y - 5}" x2="{CENTRE_X - 88}" y2="{y - 5}" '
            f'stroke="{style["stroke"]}" stroke-width="3"{_dash(style)}/>'
            f'<text x="{CENTRE_X - 80}" y="{y}">{escape(name)}</text>'
        )
    out.append("</g></svg>")
    return out


def _markers(scores, total, scale_max, domains):
    for index, (score, (_, label)) in enumerate(zip(scores, domains, strict=True)):
        if _is_score(score):
            yield point_for(index, total, score, scale_max), score, label


@dataclass
class DomainChange:
    code: str
    label: str
    first: int | None
    latest: int | None

    @property
    def change(self):
        if self.first is None or self.latest is None:
            return None
        return self.latest - self.first

    @property
    def change_text(self):
        change = self.change
        return "" if change is None else (f"+{change}" if change > 0 else str(change))

    @property
    def verdict(self):
        change = self.change
        if change is None:
            return "Not scored both times"
        return "Improved" if change > 0 else ("Worse" if change < 0 else "No change")


def distance_travelled(domains, first_scores, latest_scores):
    """Per domain: first and latest score, the change and a verdict in words."""
    return [
        DomainChange(code=code, label=label, first=first, latest=latest)
        for (code, label), first, latest in zip(domains, first_scores, latest_scores, strict=True)
    ]


# The legend's words, the same on a case page, the report page and its PDF: the first
# assessment is drawn dashed grey and the latest solid (SERIES_STYLES 0 and 1), and the
# legend says so in words too, so it reads the same in the PDF's text and to a screen reader.
LEGEND = {"first": ("First assessment", "dashed grey"), "latest": ("Latest assessment", "solid")}


def legend_name(which, detail):
    """A series name for the legend: legend_name("first", "5 Jan 2026") is
    "First assessment (5 Jan 2026, dashed grey)"."""
    name, key = LEGEND[which]
    return f"{name} ({detail}, {key})"
