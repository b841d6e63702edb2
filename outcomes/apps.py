from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outcomes"

    def ready(self):
        # Register the home-page panel and the client page's sections and timeline.
        from . import dashboard, sections  # noqa: F401
