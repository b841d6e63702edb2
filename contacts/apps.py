from django.apps import AppConfig


class ContactsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "contacts"

    def ready(self):
        # Register home-page panels and the client page's sections and timeline source.
        from . import client_page, dashboard  # noqa: F401
