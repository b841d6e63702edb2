"""`manage.py report`: the report of docs/metrics.md as JSON, CSV, HTML or PDF."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from mentoring.models import Programme
from outcomes.models import AssessmentTemplate
from reports import exports
from reports.metrics import compute_report
from reports.models import CaseStudy


def parse_day(text):
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"{text!r} is not a date in the form YYYY-MM-DD.") from error


class Command(BaseCommand):
    help = "Compute the report figures for one or more programmes over a period (docs/metrics.md)."

    def add_arguments(self, parser):
        parser.add_argument("--programme", action="append", required=True, metavar="CODE",
                            help="Programme code; repeat for several programmes.")
        parser.add_argument("--from", dest="start", required=True, help="First day of the period (YYYY-MM-DD).")
        parser.add_argument("--to", dest="end", required=True, help="Last day of the period (YYYY-MM-DD).")
        parser.add_argument("--format", choices=["json", "csv", "pdf", "html"], default="json")
        parser.add_argument("--suppress", action="store_true", help="Suppress small numbers for external sharing.")
        parser.add_argument("--output", help="Write to this file instead of standard output (required for PDF).")
        parser.add_argument("--template", metavar="CODE",
                            help="Report progress on this one assessment template over the whole cohort, instead of "
                                 "each programme's own (or the progress wheel).")

    def handle(self, *args, **options):
        start, end = parse_day(options["start"]), parse_day(options["end"])
        if end < start:
            raise CommandError("--to must be on or after --from.")
        codes = list(dict.fromkeys(options["programme"]))
        programmes = list(Programme.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {p.code for p in programmes})
        if unknown:
            known = ", ".join(Programme.objects.order_by("code").values_list("code", flat=True)) or "none"
            raise CommandError(f"Unknown programme code(s): {', '.join(unknown)}. Known programmes: {known}.")
        fmt, suppress, output = options["format"], options["suppress"], options["output"]
        if fmt == "pdf" and not output:
            raise CommandError("A PDF needs --output FILE.")

        result = compute_report(programmes, start, end, template=self.template(options["template"]))
        if fmt == "json":
            content = exports.report_json(result, suppress=suppress)
        elif fmt == "csv":
            content = exports.report_csv(result, suppress=suppress)
        else:
            studies = CaseStudy.objects.for_report(programmes, start, end)
            if fmt == "html":
                content = exports.report_html_file(result, suppress=suppress, case_studies=studies)
            else:
                content = exports.report_pdf(result, suppress=suppress, case_studies=studies)

        if output:
            mode = "wb" if isinstance(content, bytes) else "w"
            with open(output, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": ""})) as f:
                f.write(content)
            self.stderr.write(f"Wrote {output}")
        else:
            self.stdout.write(content, ending="")

    @staticmethod
    def template(code):
        """The assessment template `--template` names (None when not given); a CommandError naming
        the known codes for an unknown one."""
        if not code:
            return None
        template = AssessmentTemplate.objects.filter(code=code).first()
        if template is None:
            known = ", ".join(AssessmentTemplate.objects.order_by("code").values_list("code", flat=True)) or "none"
            raise CommandError(f"Unknown assessment template code: {code}. Known templates: {known}.")
        return template
