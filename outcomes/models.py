from datetime import timedelta

from auditlog.registry import auditlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction

from clients.models import Case, Client
from mentoring.locking import VersionedModel
from mentoring.models import Taxonomy
from mentoring.querysets import RestrictedQuerySet

DEFAULT_TEMPLATE = "progress_wheel"


class AssessmentTemplateQuerySet(models.QuerySet):
    def offered_for(self, programme):
        """The active templates in the order a case of `programme` is offered them: the ones the
        programme names (by name), then the progress wheel, then the rest (by name). A programme
        that names none is offered the progress wheel first, as before programmes could name one."""
        templates = list(self.filter(active=True).order_by("name", "pk"))
        named = set(programme.assessment_templates.values_list("pk", flat=True)) if programme else set()
        return sorted(templates, key=lambda t: (t.pk not in named, t.code != DEFAULT_TEMPLATE))


class AssessmentTemplate(VersionedModel):
    """An outcome wheel: named domains scored on a scale (1-10 by default).

    A programme may name its own (`programmes`): its cases are offered those first and its
    report's progress section is over them. The link lives here, not on Programme, because
    mentoring is the bottom layer and knows nothing of outcomes.
    """

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=120)
    scale_min = models.PositiveSmallIntegerField(default=1)
    scale_max = models.PositiveSmallIntegerField(default=10)
    active = models.BooleanField(default=True)
    programmes = models.ManyToManyField(
        "mentoring.Programme", blank=True, related_name="assessment_templates",
        help_text="Programmes that use this as their own assessment tool: their cases are offered it first and "
                  "their report shows it. A programme that names none uses the progress wheel.")

    objects = AssessmentTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Domain(models.Model):
    """One spoke of the wheel, e.g. 'Motivation', with a prompt for each score band."""

    template = models.ForeignKey(AssessmentTemplate, on_delete=models.CASCADE, related_name="domains")
    code = models.SlugField(max_length=50)
    label = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField(default=0)
    prompt_low = models.CharField(max_length=200, blank=True)
    prompt_mid = models.CharField(max_length=200, blank=True)
    prompt_high = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["template", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="unique_domain_code")]

    def __str__(self):
        return self.label


class AssessmentQuerySet(RestrictedQuerySet):
    def for_cases(self, cases):
        return self.filter(case__in=cases)

    def chronological(self):
        return self.order_by("assessed_on", "id")


class Assessment(VersionedModel):
    """A progress-wheel self-assessment done with the client on a given day."""

    class Stage(models.TextChoices):
        INITIAL = "initial", "Initial"
        REVIEW = "review", "Review"
        EXIT = "exit", "Exit"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    template = models.ForeignKey(AssessmentTemplate, on_delete=models.PROTECT, related_name="assessments")
    assessed_on = models.DateField()
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.REVIEW)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    access_path = "case"  # whose row this is, for mentoring.access.restrict
    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["assessed_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "template", "assessed_on"], name="one_assessment_per_day"),
            # One initial wheel of a template per case: the later ones are reviews.
            models.UniqueConstraint(fields=["case", "template"], condition=models.Q(stage="initial"),
                                    name="one_initial_assessment"),
        ]
        indexes = [models.Index(fields=["case", "template", "assessed_on"], name="assessment_case_date")]

    def __str__(self):
        return f"{self.template} on {self.assessed_on:%-d %b %Y}"

    @property
    def audit_client_id(self):
        return self.case.client_id

    def scores_by_domain(self):
        """{domain_id: Score}, from prefetched scores when there are some."""
        return {score.domain_id: score for score in self.scores.all()}


class Score(models.Model):
    """The client's score for one domain in one assessment, with their own comment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(10)])
    comment = models.CharField(max_length=500, blank=True)

    access_path = "assessment__case"  # whose row this is, for mentoring.access.restrict
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["domain__order"]
        constraints = [models.UniqueConstraint(fields=["assessment", "domain"], name="one_score_per_domain")]


class AchievementType(Taxonomy):
    """A kind of outcome (full-time job, CSCS card, ID obtained) in one of five categories."""

    class Category(models.TextChoices):
        EMPLOYMENT = "employment", "Employment"
        EDUCATION_TRAINING = "education_training", "Education and training"
        QUALIFICATION = "qualification", "Qualification"
        VOLUNTEERING = "volunteering", "Volunteering"
        PRACTICAL = "practical", "Practical"

    ETE_CATEGORIES = (Category.EMPLOYMENT, Category.EDUCATION_TRAINING, Category.QUALIFICATION)

    category = models.CharField(max_length=30, choices=Category.choices)


EMPLOYMENT_CHECK_WEEKS = (13, 26)


class AchievementQuerySet(RestrictedQuerySet):
    def employment(self):
        return self.filter(type__category=AchievementType.Category.EMPLOYMENT)

    def employment_check_due(self, weeks, on):
        """Jobs whose `weeks`-week 'still in work?' check falls due on or before `on`, unanswered."""
        return self.employment().filter(check_due_condition(weeks, on))

    def employment_checks_due_count(self, on):
        """How many checks (13- and 26-week together) are due on or before `on`: one query."""
        counts = self.employment().aggregate(**{
            f"due_{weeks}": models.Count("pk", filter=check_due_condition(weeks, on)) for weeks in EMPLOYMENT_CHECK_WEEKS
        })
        return sum(counts.values())


def check_due_condition(weeks, on):
    """The `weeks`-week check of a job is due on or before `on` and unanswered.

    A job lost by 13 weeks needs no 26-week check: the client was not still in work.
    """
    condition = models.Q(**{f"{Achievement.check_field(weeks)}__isnull": True}, achieved_on__lte=on - timedelta(weeks=weeks))
    if weeks == 26:
        condition &= ~models.Q(in_work_13_weeks=False)
    return condition


class Achievement(VersionedModel):
    """An outcome the client reached: a job, a course, a qualification, ID, a tenancy."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="achievements")
    type = models.ForeignKey(AchievementType, on_delete=models.PROTECT, related_name="achievements")
    achieved_on = models.DateField()
    # The organisation's own identifier of an imported achievement: a corrected row updates it.
    achievement_ref = models.CharField("achievement reference", max_length=50, unique=True, null=True, blank=True,
                                       editable=False)
    employer_or_course = models.CharField("employer or course", max_length=200, blank=True)
    hours_per_week = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    level = models.CharField(max_length=50, blank=True)
    evidence_noted = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    in_work_13_weeks = models.BooleanField("still in work at 13 weeks", null=True, blank=True)
    in_work_26_weeks = models.BooleanField("still in work at 26 weeks", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    access_path = "case"  # whose row this is, for mentoring.access.restrict
    objects = AchievementQuerySet.as_manager()

    class Meta:
        ordering = ["-achieved_on", "-id"]
        indexes = [
            models.Index(fields=["case", "achieved_on"], name="achievement_case_date"),
            # The oldest employment checks due: walked in date order until ten are found.
            models.Index(fields=["achieved_on", "id"], name="achievement_achieved_on"),
        ]

    def __str__(self):
        return f"{self.type} on {self.achieved_on:%-d %b %Y}"

    @property
    def audit_client_id(self):
        return self.case.client_id

    @property
    def is_employment(self):
        return self.type.category == AchievementType.Category.EMPLOYMENT

    @staticmethod
    def check_field(weeks):
        if weeks not in EMPLOYMENT_CHECK_WEEKS:
            raise ValueError(f"There is no {weeks}-week employment check.")
        return f"in_work_{weeks}_weeks"

    def check_due_on(self, weeks):
        return self.achieved_on + timedelta(weeks=weeks)

    @transaction.atomic
    def record_check(self, *, weeks, in_work, by):
        """Answer the 13- or 26-week 'still in work?' check, once.

        Writes that one field only, under the row lock, so a concurrent edit of the other
        fields stands; the save bumps the version, so an edit form opened before the answer
        is refused rather than undoing it. A second answer, from a due list opened before the
        first was given, is refused (ValidationError), not written over it.
        """
        from mentoring import audit

        field = self.check_field(weeks)
        current = Achievement.objects.select_for_update().get(pk=self.pk)
        answered = getattr(current, field)
        if answered is not None:
            setattr(self, field, answered)
            answer = "still in work" if answered else "no longer in work"
            raise ValidationError(f"The {weeks}-week check was already answered: {answer}. Their answer stands.",
                                  code="stale")
        setattr(current, field, in_work)
        current.save(update_fields=[field])
        audit.record(by, "achievement.employment_checked", current, weeks=weeks, in_work=in_work)
        setattr(self, field, in_work)
        self.version = current.version


class OffenceCategory(Taxonomy):
    """Reference data for re-offending figures: a seriousness weight and a unit cost."""

    severity = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(10)])
    unit_cost = models.PositiveIntegerField("unit cost (£)", null=True, blank=True)
    source = models.CharField(max_length=200, blank=True)
    price_year = models.CharField(max_length=20, blank=True)

    class Meta(Taxonomy.Meta):
        verbose_name_plural = "offence categories"


def proven_q(as_of=None, *, prefix=""):
    """The 'proven' rule as a Q, for queries that reach offences through a relation
    (`prefix="client__offences__"`): convicted, on or before `as_of` when given."""
    condition = models.Q(**{f"{prefix}conviction_date__isnull": False})
    if as_of:
        condition &= models.Q(**{f"{prefix}conviction_date__lte": as_of})
    return condition


class OffenceQuerySet(RestrictedQuerySet):
    def proven(self, as_of=None):
        """Offences with a conviction (on or before `as_of`): the only ones the figures count."""
        return self.filter(proven_q(as_of))


class Offence(models.Model):
    """An offence by the client; only a convicted one ('proven') counts in the figures."""

    class Source(models.TextChoices):
        POLICE = "police", "Police record (PNC)"
        PROBATION = "probation", "Probation"
        SELF_REPORTED = "self_reported", "Self-reported"
        OTHER = "other", "Other"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="offences")
    offence_date = models.DateField()
    conviction_date = models.DateField(null=True, blank=True)
    category = models.ForeignKey(OffenceCategory, on_delete=models.PROTECT, related_name="offences")
    description = models.TextField(blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.POLICE)

    access_path = "client"  # whose row this is, for mentoring.access.restrict
    objects = OffenceQuerySet.as_manager()

    class Meta:
        ordering = ["-offence_date", "-id"]
        indexes = [models.Index(fields=["client", "offence_date"], name="offence_client_date")]

    def __str__(self):
        return f"{self.category} on {self.offence_date:%-d %b %Y}"

    @property
    def audit_client_id(self):
        return self.client_id


class CustodyPeriod(models.Model):
    """Time the client spent in custody: on remand, serving a sentence, or recalled."""

    class Reason(models.TextChoices):
        REMAND = "remand", "Remand"
        SENTENCE = "sentence", "Sentence"
        RECALL = "recall", "Recall"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="custody_periods")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)

    access_path = "client"  # whose row this is, for mentoring.access.restrict
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on"]

    def __str__(self):
        end = f" to {self.ended_on:%-d %b %Y}" if self.ended_on else " (ongoing)"
        return f"Custody from {self.started_on:%-d %b %Y}{end}"

    @property
    def audit_client_id(self):
        return self.client_id


class QuestionQuerySet(models.QuerySet):
    def asked_by(self, programme):
        """The statements `programme`'s exit questionnaire asks, in order, each with `is_required`.

        A programme that chose none asks every active statement of the bank, each required (as
        before programmes chose); one that chose asks those, active or not, in its own order.
        """
        chosen = ProgrammeQuestion.objects.filter(programme=programme)
        if not chosen.exists():
            return self.filter(active=True).annotate(is_required=models.Value(True)).order_by("order", "name")
        return (self.filter(programmes_asking__programme=programme)
                .annotate(is_required=models.F("programmes_asking__required"),
                          asked_order=models.F("programmes_asking__order"))
                .order_by("asked_order", "order", "name"))


class Question(Taxonomy):
    """An exit questionnaire statement the client rates from strongly disagree to strongly agree.

    The organisation keeps one bank of statements; each programme chooses those it asks
    (ProgrammeQuestion), and which of them need an answer."""

    text = models.CharField(max_length=300)

    objects = QuestionQuerySet.as_manager()


class ProgrammeQuestion(VersionedModel):
    """A statement a programme's exit questionnaire asks. A required one needs a rating; any
    other may be answered "Not asked" (stored as an answer with no rating)."""

    programme = models.ForeignKey("mentoring.Programme", on_delete=models.CASCADE, related_name="exit_questions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="programmes_asking")
    required = models.BooleanField(default=True, help_text="The client must rate it; otherwise 'Not asked' is offered.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["programme", "order", "question__order"]
        verbose_name = "exit question of a programme"
        constraints = [models.UniqueConstraint(fields=["programme", "question"], name="one_programme_question")]

    def __str__(self):
        return f"{self.programme}: {self.question}"


class Questionnaire(models.Model):
    """A client's answers to the exit questionnaire, at or after the case closes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="questionnaires")
    completed_on = models.DateField()
    comments = models.TextField(blank=True)

    access_path = "case"  # whose row this is, for mentoring.access.restrict
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_on"]
        constraints = [models.UniqueConstraint(fields=["case", "completed_on"], name="one_questionnaire_per_day")]

    def __str__(self):
        return f"Exit questionnaire on {self.completed_on:%-d %b %Y}"

    @property
    def audit_client_id(self):
        return self.case.client_id

    @property
    def before_closure(self):
        """Exit questionnaires belong at or after closure; an earlier one is allowed but flagged."""
        return self.case.ended_on is None or self.completed_on < self.case.ended_on


class Answer(models.Model):
    """One rating (1 strongly disagree .. 5 strongly agree) of one questionnaire statement, or
    none: the statement was not asked (an answer a programme allows for a statement it does not
    require). Agree rates count rated answers only."""

    class Rating(models.IntegerChoices):
        STRONGLY_DISAGREE = 1, "Strongly disagree"
        DISAGREE = 2, "Disagree"
        NEITHER = 3, "Neither agree nor disagree"
        AGREE = 4, "Agree"
        STRONGLY_AGREE = 5, "Strongly agree"

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    answer = models.PositiveSmallIntegerField(
        choices=Rating.choices, validators=[MinValueValidator(1), MaxValueValidator(5)], null=True, blank=True,
        help_text="Empty: the statement was not asked.",
    )

    access_path = "questionnaire__case"  # whose row this is, for mentoring.access.restrict
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["questionnaire", "question"], name="one_answer_per_question")]

    @property
    def in_words(self):
        return self.get_answer_display() if self.answer is not None else "Not asked"


auditlog.register(Assessment, exclude_fields=["version"])
auditlog.register(Score)
auditlog.register(Achievement, exclude_fields=["version"])
auditlog.register(Offence)
auditlog.register(CustodyPeriod)
auditlog.register(Questionnaire)
auditlog.register(Answer)
