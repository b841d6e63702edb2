from django.apps import AppConfig


class MentorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mentors"

    def ready(self):
        # Registers the home panel, the client page parts, and closing and resuming a case.
        from . import client_page, dashboard, services  # noqa: F401
