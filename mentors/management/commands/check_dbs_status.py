from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mentors import dbs
from mentors.models import Mentor


class Command(BaseCommand):
    help = (
        "Ask the DBS Update Service about every mentor whose status check is due "
        "(DBS_STATUS_CHECK_EVERY_DAYS) and record the answers. Run daily."
    )

    def handle(self, *args, **options):
        if not settings.DBS_STATUS_CHECKS_ENABLED:
            raise CommandError("DBS status checks are not enabled (DBS_STATUS_CHECKS_ENABLED).")
        checked = flagged = failed = 0
        for mentor in Mentor.objects.dbs_status_checks_due().order_by("pk"):
            try:
                status = dbs.check_status(mentor)
            except dbs.StatusCheckFailed as error:
                failed += 1
                self.stderr.write(f"{mentor}: {error}")
                continue
            checked += 1
            flagged += status in (Mentor.DbsStatus.NEW_INFO, Mentor.DbsStatus.NO_MATCH_FOUND)
        self.stdout.write(f"{checked} DBS status checks recorded, {flagged} to review, {failed} failed.")
