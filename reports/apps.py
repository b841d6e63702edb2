from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"

    def ready(self):
        # The manager's home panel of programme figures.
        from . import dashboard  # noqa: F401
