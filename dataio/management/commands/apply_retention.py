from django.conf import settings
from django.core.management.base import BaseCommand

from dataio import privacy


class Command(BaseCommand):
    help = (
        "Anonymise clients whose last case closed more than RETENTION_YEARS years ago "
        "(names, references, contact details and notes go; dates, codes and scores stay)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List who is due without changing anything.")

    def handle(self, *args, dry_run=False, **options):
        due = list(privacy.clients_due_for_anonymisation().values_list("pk", "client_ref", "last_activity_on"))
        for pk, ref, last in due:
            self.stdout.write(f"client {pk} {ref or '-'}: last case closed {last:%-d %b %Y}")
        if dry_run:
            self.stdout.write(f"{len(due)} client(s) due for anonymisation (dry run: nothing changed).")
            return
        done = privacy.apply_retention(by=None)
        self.stdout.write(
            f"Anonymised {len(done)} client(s) past the {settings.RETENTION_YEARS}-year retention period."
        )
