from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "referrals"
    # Its home panels (dashboard.py) are found by mentoring, its client-page and client-list
    # parts (client_page.py, client_list.py) by clients.

    # What the Administrator role manages in the admin (mentoring.apps.administrator_models).
    administrator_models = ["referralsource", "eligibilitycriterion", "programmeeligibility"]
