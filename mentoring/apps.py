from django.apps import AppConfig
from django.db.models.signals import post_migrate

# What the Administrator role may manage in the admin: configuration, never client records.
ADMINISTRATOR_MODELS = [
    "auth.user", "auth.group",
    "mentoring.programme", "mentoring.funder", "mentoring.programmemembership", "mentoring.auditevent",
    "mentoring.organisation",
    "clients.closurereason", "referrals.referralsource", "mentors.strength", "contacts.activity",
    "outcomes.achievementtype", "outcomes.offencecategory", "outcomes.assessmenttemplate",
    "outcomes.domain", "outcomes.question",
]


def grant_administrator_permissions(sender, **kwargs):
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.filter(name="Administrator").first()
    if group is None:
        return
    wanted = Permission.objects.none()
    for label in ADMINISTRATOR_MODELS:
        app_label, model = label.split(".")
        wanted |= Permission.objects.filter(content_type__app_label=app_label, content_type__model=model)
    group.permissions.add(*wanted)


class MentoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mentoring"
    verbose_name = "Waymark core"

    def ready(self):
        from . import audit, auth  # noqa: F401 - connect the audit and sign-in receivers

        post_migrate.connect(grant_administrator_permissions, dispatch_uid="waymark_admin_permissions")
