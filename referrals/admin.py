from django import forms
from django.contrib import admin

from mentoring.admin import TaxonomyAdmin
from mentoring.locking import VersionedAdminForm, VersionedAdminMixin

from .models import EligibilityCriterion, ProgrammeEligibility, ReferralSource

admin.site.register(ReferralSource, TaxonomyAdmin)
admin.site.register(EligibilityCriterion, TaxonomyAdmin)


class AreaListField(forms.CharField):
    """Areas typed in one box, separated by commas, stored as a list."""

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, (list, tuple)) else value

    def to_python(self, value):
        if isinstance(value, (list, tuple)):
            return list(value)
        return [" ".join(item.split()) for item in (super().to_python(value) or "").split(",") if item.strip()]


class ProgrammeEligibilityForm(VersionedAdminForm):
    areas = AreaListField(required=False, help_text=ProgrammeEligibility._meta.get_field("areas").help_text)

    class Meta:
        model = ProgrammeEligibility
        fields = ["programme", "min_age", "max_age", "areas", "criteria"]


@admin.register(ProgrammeEligibility)
class ProgrammeEligibilityAdmin(VersionedAdminMixin, admin.ModelAdmin):
    """Who each programme is for: checked rule by rule on every referral to it."""

    form = ProgrammeEligibilityForm
    list_display = ("programme", "min_age", "max_age")
    filter_horizontal = ("criteria",)
