"""`manage.py prune_import_uploads`: delete checked uploads nobody confirmed in time."""

from django.conf import settings
from django.core.management.base import BaseCommand

from dataio.uploads import prune_expired


class Command(BaseCommand):
    help = ("Delete import uploads that were checked but not confirmed within IMPORT_UPLOAD_TTL_MINUTES "
            "(every upload does this too; run it hourly from cron so none waits for the next upload).")

    def handle(self, *args, **options):
        removed = prune_expired()
        self.stdout.write(f"{removed} expired upload{'s' if removed != 1 else ''} deleted "
                          f"(older than {settings.IMPORT_UPLOAD_TTL_MINUTES} minutes).")
