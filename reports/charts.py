"""Server-side SVG charts for the report page and its PDF: bars and a radar (progress wheel).

Plain SVG strings, built here so the browser needs no script (the CSP forbids inline script)
and WeasyPrint draws them the same way in the PDF. Every chart has a <title> and <desc>, and
the figures it shows are also in a table beside it.
"""

import math
from html import escape

ACCENT = "#0b5e55"
SECOND = "#c77700"
GRID = "#d0d5d9"
TEXT = "#212529"


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(value):
    return value if _is_number(value) else 0


def _show(value, unit=""):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}{unit}"
    return f"{value}{unit if isinstance(value, int) else ''}"


def bar_chart(items, *, title, unit="", maximum=None, width=560, label_width=190):
    """Horizontal bars: `items` is a list of (label, value). A value that is not a number (a
    suppressed "<5", "n/a" or "hidden", or a dash) draws no bar: only its text is printed."""
    items = list(items)
    row, top = 22, 6
    height = top * 2 + row * max(len(items), 1)
    peak = maximum or max([_number(v) for _, v in items] + [1])
    bar_space = width - label_width - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-bars" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="t{id(items)}">',
        f'<title id="t{id(items)}">{escape(title)}</title>',
        f"<desc>{escape('; '.join(f'{label}: {_show(value, unit)}' for label, value in items))}</desc>",
    ]
    for i, (label, value) in enumerate(items):
        y = top + i * row
        length = bar_space * _number(value) / peak if peak else 0
        text = escape(str(label))
        if len(text) > 30:
            text = text[:29] + "…"
        bar = (f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" height="14" fill="{ACCENT}"/>'
               if _is_number(value) else "")
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" font-size="12" fill="{TEXT}">{text}</text>'
            f'{bar}<text x="{label_width + length + 4:.1f}" y="{y + 15}" font-size="12" fill="{TEXT}">'
            f"{escape(_show(value, unit))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def radar_chart(axes, series, *, title, scale_min=1, scale_max=10, size=420):
    """A radar (spider) chart: `axes` are labels; `series` is [(name, values, colour)]."""
    count = len(axes)
    if count < 3:
        return ""
    centre, radius = size / 2, size / 2 - 90
    pad_w = 130

    def point(i, value):
        angle = -math.pi / 2 + 2 * math.pi * i / count
        share = (min(max(value, scale_min), scale_max) - scale_min) / (scale_max - scale_min or 1)
        return centre + pad_w + radius * share * math.cos(angle), centre + radius * share * math.sin(angle)

    width = size + 2 * pad_w
    desc = "; ".join(
        f"{name}: " + ", ".join(f"{axis} {_show(v)}" for axis, v in zip(axes, values, strict=False))
        for name, values, _ in series
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-radar" role="img" '
        f'viewBox="0 0 {width} {size}" width="100%" preserveAspectRatio="xMidYMin meet">',
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>",
    ]
    for level in range(1, 6):
        value = scale_min + (scale_max - scale_min) * level / 5
        ring = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, value) for i in range(count)))
        parts.append(f'<polygon points="{ring}" fill="none" stroke="{GRID}" stroke-width="1"/>')
    for i, axis in enumerate(axes):
        x, y = point(i, scale_max)
        parts.append(f'<line x1="{centre + pad_w}" y1="{centre}" x2="{x:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        lx, ly = point(i, scale_max + (scale_max - scale_min) * 0.12)
        anchor = "middle" if abs(lx - centre - pad_w) < 10 else ("start" if lx > centre + pad_w else "end")
        parts.append(f'<text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="{anchor}" font-size="12" '
                     f'fill="{TEXT}">{escape(str(axis))}</text>')
    for s, (_name, values, colour) in enumerate(series):
        numbers = [v if _is_number(v) else None for v in values]
        if all(v is None for v in numbers):
            continue
        if any(v is None for v in numbers):
            # A value missing or suppressed gets no point: the others are drawn as dots, not
            # as a shape that would put the missing one at the centre.
            parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
                      for x, y in (point(i, v) for i, v in enumerate(numbers) if v is not None)]
            continue
        shape = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in enumerate(numbers)))
        dash = ' stroke-dasharray="6 3"' if s else ""
        parts.append(f'<polygon points="{shape}" fill="{colour}" fill-opacity="0.15" stroke="{colour}" '
                     f'stroke-width="2"{dash}/>')
    for s, (name, _values, colour) in enumerate(series):
        y = 16 + s * 18
        parts.append(f'<rect x="8" y="{y - 10}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="26" y="{y}" font-size="12" fill="{TEXT}">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
