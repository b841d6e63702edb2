from django.apps import AppConfig


class MentorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mentors"

    def ready(self):
        from . import client_page, dashboard  # noqa: F401 - registers the home panel and client page parts
