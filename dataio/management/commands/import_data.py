"""`manage.py import_data DIR [--dry-run]`: the CSV import of docs/import.md."""

import os

from django.core.management.base import BaseCommand, CommandError

from dataio.importing import FILE_NAMES, run_import
from mentoring import audit


class Command(BaseCommand):
    help = (
        "Import the CSV files of docs/import.md from DIR (" + ", ".join(FILE_NAMES) + "; all optional). "
        "Every row is checked first; on any problem nothing is written and every problem is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="The folder holding the CSV files.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report what would change, write nothing.")

    def handle(self, directory, dry_run=False, verbosity=1, **options):
        if not os.path.isdir(directory):
            raise CommandError(f"{directory} is not a folder.")

        def progress(message):
            if verbosity >= 1:
                self.stderr.write(message)

        report = run_import(directory, dry_run=dry_run, progress=progress)
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(str(problem))
            if report.more_problems:
                self.stderr.write(f"and {report.more_problems:,} more problem{'s' if report.more_problems != 1 else ''}")
            count = report.problem_count
            raise CommandError(f"{count:,} problem{'s' if count != 1 else ''} found: nothing was imported.")
        for line in report.lines:
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        else:
            audit.record(
                None, "data.imported", action=audit.Action.IMPORT, source=os.path.abspath(directory),
                files={r.file: r.as_dict() for r in report.results},
            )
