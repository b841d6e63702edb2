from django.apps import AppConfig


class DataioConfig(AppConfig):
    """Data in and out: CSV import, subject-access export, retention and anonymisation.

    Its home panel (dashboard.py) is found by mentoring."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "dataio"
    verbose_name = "Data in and out"
