from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Evaluation reports. The manager's home panel of programme figures (dashboard.py) is
    found by mentoring."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"

    # What the Administrator role manages in the admin (mentoring.apps.administrator_models).
    administrator_models = ["target"]
