from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules

# What the Administrator role may manage in the admin: configuration, never client records.
# Roles (groups) they may only look at: what each role may do is fixed, and the Manager and
# Administrator roles are given by two managers (mentoring.services).
# Each app declares its own models in its AppConfig's `administrator_models` (model names of that
# app); accounts are mentoring's to declare, as Django's auth app has no such list.
ADMINISTRATOR_VIEW_ONLY = ["auth.group"]
ADMINISTRATOR_ACCOUNT_MODELS = ["auth.user"]


def administrator_models():
    """Every "app_label.model" the Administrator role manages, from each installed app's declaration."""
    from django.apps import apps

    labels = list(ADMINISTRATOR_ACCOUNT_MODELS)
    for config in apps.get_app_configs():
        labels += [f"{config.label}.{model}" for model in getattr(config, "administrator_models", ())]
    return labels


def grant_administrator_permissions(sender, **kwargs):
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.filter(name="Administrator").first()
    if group is None:
        return
    wanted = Permission.objects.none()
    for label in administrator_models():
        app_label, model = label.split(".")
        wanted |= Permission.objects.filter(content_type__app_label=app_label, content_type__model=model)
    view_only = Permission.objects.none()
    for label in ADMINISTRATOR_VIEW_ONLY:
        app_label, model = label.split(".")
        view_only |= Permission.objects.filter(content_type__app_label=app_label, content_type__model=model)
    group.permissions.add(*wanted, *view_only.filter(codename__startswith="view_"))
    # Installations from before this rule granted more: take it back.
    group.permissions.remove(*view_only.exclude(codename__startswith="view_"))


class MentoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mentoring"
    verbose_name = "Waymark core"
    administrator_models = ["programme", "funder", "programmemembership", "auditevent", "organisation"]

    def ready(self):
        from . import audit, auth, personal_fields  # noqa: F401 - connect the audit and sign-in receivers

        # Every app's personal_data.py: which fields erasure, subject access and history treat as personal.
        personal_fields.autodiscover()

        # Every app's dashboard.py: the home-page panels it owns (mentoring.dashboard).
        autodiscover_modules("dashboard")

        auth.connect_account_audit()
        post_migrate.connect(grant_administrator_permissions, dispatch_uid="waymark_admin_permissions")
