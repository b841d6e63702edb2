from django.apps import AppConfig


class ClientsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clients"
    # What the Administrator role manages in the admin (mentoring.apps.administrator_models).
    administrator_models = ["closurereason"]

    def ready(self):
        from . import registry

        # Every app's client_page.py and client_list.py: the client page's sections, timeline
        # entries and links, and the client list's columns and filters. (Home panels, each
        # app's dashboard.py, mentoring finds.)
        registry.autodiscover()
