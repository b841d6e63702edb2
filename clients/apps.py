from django.apps import AppConfig


class ClientsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clients"
    # What the Administrator role manages in the admin (mentoring.apps.administrator_models).
    administrator_models = ["closurereason"]

    def ready(self):
        from . import dashboard, registry  # noqa: F401 - registers the home panels

        # Every app's client_page.py: the client page's sections and timeline entries.
        registry.autodiscover()
