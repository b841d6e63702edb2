"""Workflows that write several outcome records together."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clients.models import Case
from mentoring import audit

from .models import Answer, Assessment, AssessmentTemplate, Question, Questionnaire, Score


@transaction.atomic
def record_assessment(
    *, case: Case, template: AssessmentTemplate, assessed_on: date, stage: str, scores: list, by
) -> Assessment:
    """Save a wheel and its scores. `scores` is [(domain, score, comment), ...].

    Under the case's row lock, so two initial wheels saved at once cannot both land: the
    second is refused (ValidationError) with the date of the first, as the form refuses it.
    """
    Case.objects.select_for_update().filter(pk=case.pk).exists()
    check_one_initial(case=case, template=template, stage=stage)
    assessment = Assessment(case=case, template=template, assessed_on=assessed_on, stage=stage, completed_by=by)
    assessment.full_clean()
    _save_refusing_a_clash(assessment)
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
    Case.objects.select_for_update().filter(pk=assessment.case_id).exists()
    check_one_initial(case=assessment.case, template=assessment.template, stage=stage, exclude=assessment.pk)
    assessment.assessed_on = assessed_on
    assessment.stage = stage
    assessment.full_clean()
    _save_refusing_a_clash(assessment, expected_version=version, update_fields=["assessed_on", "stage"])
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


def initial_assessment(*, case, template, exclude=None):
    """The case's initial wheel of `template` (other than `exclude`), or None."""
    found = Assessment.objects.filter(case=case, template=template, stage=Assessment.Stage.INITIAL)
    if exclude:
        found = found.exclude(pk=exclude)
    return found.first()


def initial_taken_message(initial):
    return f"This case already has an initial assessment on {initial.assessed_on:%-d %b %Y}."


def check_one_initial(*, case, template, stage, exclude=None):
    if stage != Assessment.Stage.INITIAL:
        return
    initial = initial_assessment(case=case, template=template, exclude=exclude)
    if initial:
        raise ValidationError({"stage": f"{initial_taken_message(initial)} Record this one as a review."},
                              code="initial_taken")


def _save_refusing_a_clash(assessment, **kwargs):
    """Save; a clash with a wheel saved a moment ago (the constraints) is a ValidationError."""
    try:
        with transaction.atomic():
            assessment.save(**kwargs)
    except IntegrityError as error:
        if "one_initial_assessment" in str(error):
            raise ValidationError({"stage": "Someone has just recorded this case's initial assessment. "
                                            "Record this one as a review."}, code="initial_taken") from error
        if "one_assessment_per_day" in str(error):
            raise ValidationError({"assessed_on": "Someone has just recorded an assessment of this case on that "
                                                  "date. Choose another date."}, code="same_day") from error
        raise


@transaction.atomic
def record_questionnaire(*, case: Case, completed_on: date, answers: list[tuple[Question, int | None]], comments: str, by) -> Questionnaire:
    """Save an exit questionnaire and its answers. `answers` is [(question, 1..5 or None), ...],
    None for a statement that was not asked."""
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
