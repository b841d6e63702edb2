from django.apps import AppConfig


class DataioConfig(AppConfig):
    """Data in and out: CSV import, subject-access export, retention and anonymisation."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "dataio"
    verbose_name = "Data in and out"

    def ready(self):
        from . import dashboard  # noqa: F401 - registers the manager's home panel
