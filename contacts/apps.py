from django.apps import AppConfig


class ContactsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "contacts"

    def ready(self):
        # Register home-page panels, the client page's sections and timeline source, the client list's filters.
        from . import client_list, client_page, dashboard  # noqa: F401
