"""Workflows that write several outcome records together."""

from datetime import date

from django.db import transaction

from clients.models import Case
from mentoring import audit

from .models import Answer, Assessment, AssessmentTemplate, Question, Questionnaire, Score


@transaction.atomic
def record_assessment(
    *, case: Case, template: AssessmentTemplate, assessed_on: date, stage: str, scores: list, by
) -> Assessment:
    """Save a wheel and its scores. `scores` is [(domain, score, comment), ...]."""
    assessment = Assessment(case=case, template=template, assessed_on=assessed_on, stage=stage, completed_by=by)
    assessment.full_clean()
    assessment.save()
    rows = []
    for domain, value, comment in scores:
        score = Score(assessment=assessment, domain=domain, score=value, comment=comment)
        score.full_clean(exclude=["assessment"])
        rows.append(score)
    Score.objects.bulk_create(rows)
    audit.record(by, "assessment.recorded", assessment, stage=stage, template=template.code)
    return assessment


@transaction.atomic
def update_assessment(
    *, assessment: Assessment, version: int, assessed_on: date, stage: str, scores: list, by
) -> Assessment:
    """Correct a wheel begun at `version`: refused (StaleEdit) if someone saved it since.

    Only the scores that changed are saved, so the change history shows just the correction.
    """
    assessment.assessed_on = assessed_on
    assessment.stage = stage
    assessment.full_clean()
    assessment.save(expected_version=version, update_fields=["assessed_on", "stage"])
    stored = {score.domain_id: score for score in assessment.scores.all()}
    changed = []
    for domain, value, comment in scores:
        score = stored.get(domain.pk) or Score(assessment=assessment, domain=domain)
        if score.pk and (score.score, score.comment) == (value, comment):
            continue
        score.score, score.comment = value, comment
        score.full_clean()
        score.save()
        changed.append(domain.code)
    audit.record(by, "assessment.updated", assessment, version=assessment.version, domains=changed)
    return assessment


@transaction.atomic
def record_questionnaire(*, case: Case, completed_on: date, answers: list[tuple[Question, int]], comments: str, by) -> Questionnaire:
    """Save an exit questionnaire and its answers. `answers` is [(question, 1..5), ...]."""
    questionnaire = Questionnaire(case=case, completed_on=completed_on, comments=comments)
    questionnaire.full_clean()
    questionnaire.save()
    rows = []
    for question, value in answers:
        answer = Answer(questionnaire=questionnaire, question=question, answer=value)
        answer.full_clean(exclude=["questionnaire"])
        rows.append(answer)
    Answer.objects.bulk_create(rows)
    audit.record(by, "questionnaire.recorded", questionnaire)
    return questionnaire
