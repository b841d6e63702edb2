from django.contrib import admin

from mentoring.admin import TaxonomyAdmin
from mentoring.locking import VersionedAdminMixin

from .models import AchievementType, AssessmentTemplate, Domain, OffenceCategory, Question


@admin.register(AchievementType)
class AchievementTypeAdmin(TaxonomyAdmin):
    list_display = ("code", "name", "category", "order", "active")
    list_filter = ("category",)


@admin.register(OffenceCategory)
class OffenceCategoryAdmin(TaxonomyAdmin):
    list_display = ("code", "name", "severity", "unit_cost", "price_year", "active")
    list_editable = ("severity", "unit_cost", "active")


@admin.register(Question)
class QuestionAdmin(TaxonomyAdmin):
    list_display = ("code", "text", "order", "active")


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(AssessmentTemplate)
class AssessmentTemplateAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "scale_min", "scale_max", "active")
    filter_horizontal = ("programmes",)
    inlines = [DomainInline]
