from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from mentoring import audit, services
from mentoring.models import RoleGrant


class Command(BaseCommand):
    help = (
        "Give an account the Manager or Administrator role (or the superuser flag) from the server: for the first "
        "managers of a new installation, who then give these roles in pairs on the Roles page. Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("grant", choices=RoleGrant.Grant.values)

    def handle(self, username, grant, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No account {username!r}.") from error
        if services.holds(user, grant):
            self.stdout.write(f"{username} already has the {RoleGrant.Grant(grant).label.lower()}.")
            return
        services.give(user, grant)
        audit.record(None, "role.granted", user, grant=grant, via="manage.py grant_role")
        self.stdout.write(f"{username} now has the {RoleGrant.Grant(grant).label.lower()}.")
