from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from mentoring.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Fill an empty database with the fictional demo organisation (skipped if already seeded)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Seed even if demo users exist.")

    def handle(self, *args, force=False, **options):
        from django.contrib.auth import get_user_model

        if not force and get_user_model().objects.filter(username=DEMO_USERS[0][0]).exists():
            self.stdout.write("Demo data already present; nothing to do.")
            return
        context = {"stdout": self.stdout}
        with transaction.atomic():
            for config in apps.get_app_configs():
                try:
                    module = import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                if hasattr(module, "seed"):
                    module.seed(context)
        summary = ", ".join(f"{len(v)} {k}" for k, v in context.items() if isinstance(v, (list, dict)))
        self.stdout.write(self.style.SUCCESS(f"Seeded demo data: {summary}."))
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}): " + ", ".join(u[0] for u in DEMO_USERS))
