from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "referrals"

    def ready(self):
        # Referral events on the client page's timeline, and the home panels.
        from . import dashboard, timeline  # noqa: F401
