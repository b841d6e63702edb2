"""Server-side SVG bar charts for the report page and its PDF (the progress wheel is
`outcomes.charts.radar_svg`, the same chart as on a case).

Plain SVG strings, built here so the browser needs no script (the CSP forbids inline script)
and WeasyPrint draws them the same way in the PDF. Every chart has a <title> and <desc>, and
the figures it shows are also in a table beside it.
"""

from html import escape

ACCENT = "#0b5e55"
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
