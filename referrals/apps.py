from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "referrals"
    # What the Administrator role manages in the admin (mentoring.apps.administrator_models).
    administrator_models = ["referralsource"]

    def ready(self):
        # The home panels (the client page's part, client_page.py, is found by clients).
        from . import dashboard  # noqa: F401
