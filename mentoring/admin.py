from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import Q

from . import access
from .locking import VersionedAdminMixin
from .models import ROLE_GROUPS, AuditEvent, Funder, Organisation, Programme, ProgrammeMembership

ADMIN_GIVEN_GROUPS = [ROLE_GROUPS[role] for role in access.ADMIN_GIVEN_ROLES]


class ViewOnlyAdminMixin:
    """An admin that lists and shows its rows but may not add, change or delete one."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = ProgrammeMembership
    extra = 1


User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


class StaffUserChangeForm(UserChangeForm):
    """Only the Mentor and Project lead roles are offered; the Manager and Administrator roles an
    account already holds are kept as they are (two managers give and take those, on the Roles
    page), so a posted Manager group is an invalid choice, not a grant."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "groups" in self.fields:
            self.fields["groups"].queryset = Group.objects.filter(name__in=ADMIN_GIVEN_GROUPS)
            self.fields["groups"].help_text = (
                "Mentor or Project lead. The Manager and Administrator roles are given by two managers "
                "on the Roles page in Waymark."
            )

    def clean_groups(self):
        chosen = self.cleaned_data["groups"]
        kept = self.instance.groups.exclude(name__in=ADMIN_GIVEN_GROUPS) if self.instance.pk else Group.objects.none()
        return Group.objects.filter(Q(pk__in=chosen.values("pk")) | Q(pk__in=kept.values("pk")))


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Administrators invite staff here: create the account, give the Mentor or Project lead role
    and programmes, deactivate leavers. Configuration only: no one sets the superuser flag or the
    Manager and Administrator roles here, no one changes their own roles, and individual
    permissions are not offered at all (roles are groups). Every change to an account's roles,
    flags or password is an audit event (mentoring.auth)."""

    form = StaffUserChangeForm
    inlines = [MembershipInline]
    list_display = ("username", "first_name", "last_name", "email", "is_active", "role_names")
    list_filter = ("groups", "is_active")
    filter_horizontal = ("groups",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Roles and access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )

    @admin.display(description="Roles")
    def role_names(self, obj):
        return ", ".join(group.name for group in obj.groups.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_readonly_fields(self, request, obj=None):
        fields = ["is_superuser", "last_login", "date_joined"]
        if obj is not None and obj.pk == request.user.pk:
            fields.append("groups")
        return fields

    def has_delete_permission(self, request, obj=None):
        # Deleting would take a role away too: deactivate instead (and keep the history).
        if obj is not None and (obj.pk == request.user.pk or access.holds_two_manager_role(obj)):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Group)
class RoleGroupAdmin(ViewOnlyAdminMixin, GroupAdmin):
    """The four roles, to look at: what each may do is set by Waymark, not edited here."""


@admin.register(Programme)
class ProgrammeAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "funder", "starts_on", "ends_on", "target_clients", "engagement_min_contacts", "active")
    list_filter = ("active", "funder")
    search_fields = ("code", "name")
    inlines = [MembershipInline]


@admin.register(Funder)
class FunderAdmin(VersionedAdminMixin, admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(AuditEvent)
class AuditEventAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: audit rows cannot be edited or deleted through the application."""

    list_display = ("at", "username", "action", "verb", "object_type", "object_id", "client_id")
    list_filter = ("action",)
    search_fields = ("username", "verb")


class TaxonomyAdmin(VersionedAdminMixin, admin.ModelAdmin):
    """Code lists: the code is what imports and reports use, so it cannot change once set."""

    list_display = ("code", "name", "order", "active")
    list_editable = ("order", "active")
    search_fields = ("code", "name")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()


@admin.register(Organisation)
class OrganisationAdmin(VersionedAdminMixin, admin.ModelAdmin):
    """One row: the logo printed on report covers."""

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not Organisation.objects.exists()
