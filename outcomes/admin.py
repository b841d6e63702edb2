from django.contrib import admin

from mentoring.admin import TaxonomyAdmin
from mentoring.locking import VersionedAdminMixin

from .models import AchievementType, AssessmentTemplate, Domain, OffenceCategory, ProgrammeQuestion, Question


@admin.register(AchievementType)
class AchievementTypeAdmin(TaxonomyAdmin):
    list_display = ("code", "name", "category", "order", "active")
    list_filter = ("category",)


@admin.register(OffenceCategory)
class OffenceCategoryAdmin(TaxonomyAdmin):
    list_display = ("code", "name", "severity", "unit_cost", "price_year", "active")
    list_editable = ("severity", "unit_cost", "active")


class ProgrammeQuestionInline(admin.TabularInline):
    """Which programmes ask the statement on their exit questionnaire, and whether they require it."""

    model = ProgrammeQuestion
    extra = 0
    verbose_name = "programme that asks it"
    verbose_name_plural = "Programmes that ask it (none chosen anywhere: every programme asks every active statement)"


@admin.register(Question)
class QuestionAdmin(TaxonomyAdmin):
    list_display = ("code", "text", "order", "active")
    inlines = [ProgrammeQuestionInline]


@admin.register(ProgrammeQuestion)
class ProgrammeQuestionAdmin(VersionedAdminMixin, admin.ModelAdmin):
    """A programme's exit questionnaire: its statements, in order, and which need an answer."""

    list_display = ("programme", "question", "required", "order")
    list_filter = ("programme", "required")
    list_editable = ("required", "order")


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(AssessmentTemplate)
class AssessmentTemplateAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "scale_min", "scale_max", "active")
    filter_horizontal = ("programmes",)
    inlines = [DomainInline]
