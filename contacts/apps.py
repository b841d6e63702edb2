from django.apps import AppConfig


class ContactsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "contacts"
    # What the Administrator role manages in the admin (mentoring.apps.administrator_models).
    administrator_models = ["activity", "fundingsource"]

    def ready(self):
        # Register home-page panels and the client list's filters (the client page's part,
        # client_page.py, is found by clients).
        from . import client_list, dashboard  # noqa: F401
