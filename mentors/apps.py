from django.apps import AppConfig


class MentorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mentors"
    # What the Administrator role manages in the admin (mentoring.apps.administrator_models).
    administrator_models = ["strength", "matchingsettings"]

    def ready(self):
        # Closing and resuming a case: services registers them with clients. The home panels
        # (dashboard.py) are found by mentoring, the client page's part (client_page.py) by clients.
        from . import services  # noqa: F401
