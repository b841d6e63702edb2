"""Report outputs that are not HTML pages: JSON, CSV and PDF, from one ReportResult."""

import csv
import io
import json
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from mentoring import pdf
from mentoring.utils import spreadsheet_safe


def report_json(result, *, suppress=False):
    """Every figure by its id, the progress sections (one per assessment template) and the figures
    with a target (`targets`, empty when none is set) as lists."""
    data = {**result.as_json(suppress=suppress), "progress_sections": result.progress_json(suppress=suppress),
            "targets": result.targets_json(suppress=suppress)}
    return json.dumps(data, indent=1, sort_keys=True, default=str) + "\n"


def report_csv(result, *, suppress=False):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "metric id", "label", "value", "base"])
    for row in result.rows(suppress=suppress):
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()


def report_context(result, *, suppress=False, case_studies=(), request=None):
    from .presentation import build_sections, headline_tiles, target_tiles

    return {
        "result": result,
        "tiles": headline_tiles(result, result.as_json(suppress=suppress))
        + target_tiles(result.targets_json(suppress=suppress)),
        "sections": build_sections(result, suppress=suppress),
        "definitions": result.definitions(),
        "suppress": suppress,
        "thresholds": {"count_below": settings.REPORT_SUPPRESS_COUNT_BELOW,
                       "base_below": settings.REPORT_SUPPRESS_BASE_BELOW},
        "case_studies": list(case_studies),
        "organisation": settings.ORGANISATION_NAME,
        "generated_at": timezone.localtime(),
    }


PRINT_STYLESHEET = "css/report-print.css"


def print_css():
    return Path(pdf.stylesheet_path(PRINT_STYLESHEET)).read_text(encoding="utf-8")


def report_html(result, *, suppress=False, case_studies=()):
    """The report as the PDF draws it; it carries no stylesheet (report_pdf passes it in)."""
    from mentoring.models import Organisation

    context = report_context(result, suppress=suppress, case_studies=case_studies)
    organisation = Organisation.current()
    context["logo"] = organisation.logo_data_uri() if organisation else ""
    return render_to_string("reports/report_print.html", context)


def report_html_file(result, *, suppress=False, case_studies=()):
    """The report as one HTML file to keep or send (`manage.py report --format html`): opened from
    disk it can reach no static URL, so the print stylesheet goes into the file with it. Never served
    by the app (its CSP allows no inline style)."""
    html = report_html(result, suppress=suppress, case_studies=case_studies)
    return html.replace("</head>", f"<style>\n{print_css()}</style>\n</head>", 1)


def report_pdf(result, *, suppress=False, case_studies=(), base_url=None):
    html = report_html(result, suppress=suppress, case_studies=case_studies)
    return pdf.write_pdf(html, [PRINT_STYLESHEET], base_url=base_url or str(settings.BASE_DIR))
