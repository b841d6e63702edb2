from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .locking import VersionedAdminMixin
from .models import AuditEvent, Funder, Organisation, Programme, ProgrammeMembership


class MembershipInline(admin.TabularInline):
    model = ProgrammeMembership
    extra = 1


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Administrators invite staff here: create the account, give a role and programmes."""

    inlines = [MembershipInline]
    list_display = ("username", "first_name", "last_name", "email", "is_active", "role_names")
    list_filter = ("groups", "is_active")

    @admin.display(description="Roles")
    def role_names(self, obj):
        return ", ".join(group.name for group in obj.groups.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")


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
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: audit rows cannot be edited or deleted through the application."""

    list_display = ("at", "username", "action", "verb", "object_type", "object_id", "client_id")
    list_filter = ("action",)
    search_fields = ("username", "verb")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
