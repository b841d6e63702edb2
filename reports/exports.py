"""Report outputs that are not HTML pages: JSON, CSV and PDF, from one ReportResult."""

import csv
import io
import json

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from mentoring.utils import spreadsheet_safe


def report_json(result, *, suppress=False):
    return json.dumps(result.as_json(suppress=suppress), indent=1, sort_keys=True, default=str) + "\n"


def report_csv(result, *, suppress=False):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "metric id", "label", "value", "base"])
    for row in result.rows(suppress=suppress):
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()


def report_context(result, *, suppress=False, case_studies=(), request=None):
    from .presentation import build_sections, headline_tiles

    return {
        "result": result,
        "tiles": headline_tiles(result, result.as_json(suppress=suppress)),
        "sections": build_sections(result, suppress=suppress),
        "definitions": result.definitions(),
        "suppress": suppress,
        "thresholds": {"count_below": settings.REPORT_SUPPRESS_COUNT_BELOW,
                       "base_below": settings.REPORT_SUPPRESS_BASE_BELOW},
        "case_studies": list(case_studies),
        "organisation": settings.ORGANISATION_NAME,
        "generated_at": timezone.localtime(),
    }


def print_css():
    return (settings.BASE_DIR / "static" / "css" / "report-print.css").read_text(encoding="utf-8")


def report_html(result, *, suppress=False, case_studies=()):
    from mentoring.models import Organisation

    context = report_context(result, suppress=suppress, case_studies=case_studies)
    context["print_css"] = print_css()
    organisation = Organisation.current()
    context["logo"] = organisation.logo_data_uri() if organisation else ""
    return render_to_string("reports/report_print.html", context)


def report_pdf(result, *, suppress=False, case_studies=(), base_url=None):
    from weasyprint import HTML

    html = report_html(result, suppress=suppress, case_studies=case_studies)
    return HTML(string=html, base_url=base_url or str(settings.BASE_DIR)).write_pdf()
