from django.apps import AppConfig


class ClientsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clients"

    def ready(self):
        # Register the client page's case and flag events, the Details section and home panels.
        from . import dashboard, timeline  # noqa: F401
