from django.apps import AppConfig


class MentorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mentors"
    # What the Administrator role manages in the admin (mentoring.apps.administrator_models).
    administrator_models = ["strength", "matchingsettings"]

    def ready(self):
        # The home panel, and closing and resuming a case (services registers them with clients);
        # the client page's part, client_page.py, is found by clients.
        from . import dashboard, services  # noqa: F401
