"""The targets funders set, kept by administrators (and managers given the permission) in the admin."""

from django.contrib import admin

from mentoring.locking import VersionedAdminMixin

from .models import Target


@admin.register(Target)
class TargetAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["programme", "figure", "starts_on", "ends_on", "value", "note"]
    list_filter = ["programme", "figure"]
    date_hierarchy = "starts_on"
