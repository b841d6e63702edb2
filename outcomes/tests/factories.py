from datetime import date

import factory

from outcomes.models import (
    Achievement,
    AchievementType,
    Assessment,
    AssessmentTemplate,
    Offence,
    OffenceCategory,
    Score,
)


def progress_wheel():
    return AssessmentTemplate.objects.get(code="progress_wheel")


def make_assessment(case, scores, *, on=date(2026, 1, 5), stage=Assessment.Stage.INITIAL, template=None, by=None):
    """An assessment with a score per domain, in domain order (None leaves a domain unscored)."""
    template = template or progress_wheel()
    assessment = Assessment.objects.create(case=case, template=template, assessed_on=on, stage=stage, completed_by=by)
    domains = list(template.domains.all())
    Score.objects.bulk_create(
        Score(assessment=assessment, domain=domain, score=value)
        for domain, value in zip(domains, scores, strict=False)
        if value is not None
    )
    return assessment


class AchievementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Achievement

    type = factory.LazyFunction(lambda: AchievementType.objects.get(code="employment_full_time"))
    achieved_on = date(2026, 1, 5)
    employer_or_course = "Northshire Builders Ltd"
    hours_per_week = 37.5


class OffenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offence

    category = factory.LazyFunction(lambda: OffenceCategory.objects.get(code="shoplifting"))
    offence_date = date(2025, 6, 1)
    conviction_date = date(2025, 8, 1)
    description = "Took goods from a shop."
