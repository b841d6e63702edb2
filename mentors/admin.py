from django.contrib import admin

from mentoring.admin import TaxonomyAdmin
from mentoring.locking import VersionedAdminMixin

from .models import MatchingSettings, Strength

admin.site.register(Strength, TaxonomyAdmin)


@admin.register(MatchingSettings)
class MatchingSettingsAdmin(VersionedAdminMixin, admin.ModelAdmin):
    """How much each matching factor weighs in a programme, and its rule for high-risk clients."""

    list_display = ("programme", "high_risk_rule", "experienced_after_months")
    fieldsets = (
        (None, {"fields": ("programme",)}),
        ("Points per factor", {"fields": (
            "area_weight", "language_weight", "gender_weight", "lived_experience_weight", "strengths_weight",
            "availability_weight", "capacity_weight",
        )}),
        ("Clients at high risk to others", {"fields": ("high_risk_rule", "experienced_after_months")}),
    )
