from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outcomes"
    # What the Administrator role manages in the admin (mentoring.apps.administrator_models).
    administrator_models = ["achievementtype", "offencecategory", "assessmenttemplate", "domain", "question"]

    def ready(self):
        # The home-page panel (the client page's part, client_page.py, is found by clients).
        from . import dashboard  # noqa: F401
