from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone

from mentoring.forms import GuidedForm
from mentoring.locking import VersionedForm

from .models import Achievement, AchievementType, Answer, Assessment, CustodyPeriod, Offence, OffenceCategory, Question


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _not_in_future(value, what="The date"):
    if value and value > timezone.localdate():
        raise forms.ValidationError(f"{what} cannot be in the future.")
    return value


class ScaleRadio(forms.RadioSelect):
    """Radio buttons drawn as a row of large tap targets (Bootstrap's btn-check)."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs={"class": "btn-check", **(attrs or {})}, choices=choices)


def band_for(score, scale_min, scale_max):
    """Which prompt band ('low', 'mid', 'high') a score falls in: the scale split in thirds."""
    span = scale_max - scale_min + 1
    position = score - scale_min
    if position < span / 3:
        return "low"
    if position < 2 * span / 3:
        return "mid"
    return "high"


def band_ranges(scale_min, scale_max):
    """[(band, first, last), ...]: the scores each prompt describes, e.g. low 1-3."""
    ranges = {}
    for score in range(scale_min, scale_max + 1):
        band = band_for(score, scale_min, scale_max)
        first, _ = ranges.get(band, (score, score))
        ranges[band] = (first, score)
    return [(band, *ranges[band]) for band in ("low", "mid", "high") if band in ranges]


class DomainFields:
    """The score and comment fields of one domain, for the template to lay out together."""

    def __init__(self, form, domain, number):
        self.domain = domain
        self.number = number
        self.score = form[f"score_{domain.code}"]
        self.comment = form[f"comment_{domain.code}"]
        prompts = {"low": domain.prompt_low, "mid": domain.prompt_mid, "high": domain.prompt_high}
        self.bands = [
            {"band": band, "first": first, "last": last, "prompt": prompts[band]}
            for band, first, last in band_ranges(form.template.scale_min, form.template.scale_max)
            if prompts[band]
        ]

    @property
    def errors(self):
        return list(self.score.errors) + list(self.comment.errors)

    @property
    def field_names(self):
        return [self.score.html_name, self.comment.html_name]


class AssessmentForm(GuidedForm, forms.Form):
    """A wheel: date, stage, and a score and comment for each domain of the template.

    The fields are built from the template's domains; both layouts of the page (all
    domains at once, or one at a time) post exactly these fields.
    """

    assessed_on = forms.DateField(label="Date of the assessment", widget=DateInput)
    stage = forms.ChoiceField(choices=Assessment.Stage.choices, initial=Assessment.Stage.REVIEW)

    def __init__(self, *args, case, template, **kwargs):
        data = args[0] if args else kwargs.get("data")
        if data is not None and data.get(self.AS_REVIEW):
            # "Record it as a review": the same answers, saved with the review stage.
            data = data.copy()
            data["stage"] = Assessment.Stage.REVIEW
            args = (data, *args[1:]) if args else args
            kwargs = {**kwargs, "data": data} if "data" in kwargs else kwargs
        super().__init__(*args, **kwargs)
        self.case = case
        self.template = template
        self.initial_taken = None  # the case's initial wheel, when this one would be a second
        self.too_soon = None  # (last assessment, days) when this review is within the programme's gap
        self.domains = list(template.domains.all())
        self.fields["assessed_on"].initial = timezone.localdate
        low, high = template.scale_min, template.scale_max
        for domain in self.domains:
            label = domain.label
            self.fields[f"score_{domain.code}"] = forms.TypedChoiceField(
                label=f"{label}: score",
                choices=[(str(n), str(n)) for n in range(low, high + 1)],
                coerce=int,
                widget=ScaleRadio,
                error_messages={
                    "required": f"{label}: choose a score from {low} to {high}.",
                    "invalid_choice": f"{label}: the score must be a whole number from {low} to {high}.",
                },
            )
            self.fields[f"comment_{domain.code}"] = forms.CharField(
                label=f"{label}: in the client's own words",
                required=False,
                max_length=500,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def domain_fields(self):
        return [DomainFields(self, domain, number) for number, domain in enumerate(self.domains, start=1)]

    def clean_assessed_on(self):
        return _not_in_future(self.cleaned_data["assessed_on"], "The date of the assessment")

    def same_day(self, day):
        """Assessments this one would clash with: one wheel of a template per case and day."""
        return self.others().filter(assessed_on=day)

    # The names of the buttons that answer the form's two questions.
    AS_REVIEW = "as_review"
    CONFIRM_GAP = "confirm_gap"

    def others(self):
        """The case's other wheels of this template (the case was loaded through the access door)."""
        return self.case.assessments.filter(template=self.template)

    def clean(self):
        cleaned = super().clean()
        day, stage = cleaned.get("assessed_on"), cleaned.get("stage")
        if day and self.same_day(day).exists():
            self.add_error(
                "assessed_on",
                f"This case already has a {self.template.name.lower()} dated {day:%-d %b %Y}. Choose another date.",
            )
            return cleaned
        if stage == Assessment.Stage.INITIAL:
            self.initial_taken = self.others().filter(stage=Assessment.Stage.INITIAL).first()
            if self.initial_taken:
                self.add_error("stage", f"This case already has an initial assessment on "
                                        f"{self.initial_taken.assessed_on:%-d %b %Y}. Record this as a review?")
        elif stage == Assessment.Stage.REVIEW and day and not self.data.get(self.CONFIRM_GAP):
            last = self.others().filter(assessed_on__lt=day).order_by("-assessed_on", "-id").first()
            gap_days = self.case.programme.review_gap_days
            if last and (day - last.assessed_on).days < gap_days:
                days = (day - last.assessed_on).days
                self.too_soon = (last, days)
                ago = "ago" if day == timezone.localdate() else "before this one"
                self.add_error("assessed_on", f"The last assessment was {days} day{'s' if days != 1 else ''} {ago} "
                                              f"({last.assessed_on:%-d %b %Y}). Save anyway?")
        return cleaned

    def scores(self):
        """[(domain, score, comment), ...] from the cleaned data."""
        return [
            (domain, self.cleaned_data[f"score_{domain.code}"], self.cleaned_data[f"comment_{domain.code}"].strip())
            for domain in self.domains
        ]


class AssessmentEditForm(VersionedForm, AssessmentForm):
    """Correct a recorded wheel: its date, stage, scores and comments, from the version opened."""

    def __init__(self, *args, assessment, **kwargs):
        self.assessment = assessment
        initial = {"assessed_on": assessment.assessed_on, "stage": assessment.stage}
        for score in assessment.scores.select_related("domain"):
            initial[f"score_{score.domain.code}"] = str(score.score)
            initial[f"comment_{score.domain.code}"] = score.comment
        kwargs["initial"] = {**initial, **(kwargs.get("initial") or {})}
        super().__init__(*args, case=assessment.case, template=assessment.template, **kwargs)

    def versioned_object(self):
        return self.assessment

    def same_day(self, day):
        return super().same_day(day).exclude(pk=self.assessment.pk)

    def others(self):
        return super().others().exclude(pk=self.assessment.pk)


class AchievementTypeChoiceField(forms.ModelChoiceField):
    """Achievement types grouped by category in the select (optgroups)."""

    def __init__(self, **kwargs):
        super().__init__(queryset=AchievementType.objects.filter(active=True).order_by("category", "order", "name"), **kwargs)

    def grouped_choices(self):
        labels = dict(AchievementType.Category.choices)
        groups = {}
        for kind in self.queryset:
            groups.setdefault(kind.category, []).append((kind.pk, kind.name))
        return [("", "Choose a type")] + [
            (labels[category], groups[category]) for category, _ in AchievementType.Category.choices if category in groups
        ]


class AchievementForm(GuidedForm, VersionedForm, forms.ModelForm):
    type = AchievementTypeChoiceField(label="What did they achieve?")

    class Meta:
        model = Achievement
        fields = ["type", "achieved_on", "employer_or_course", "hours_per_week", "level", "evidence_noted", "notes"]
        labels = {
            "achieved_on": "Date achieved",
            "employer_or_course": "Employer or course",
            "evidence_noted": "Evidence seen (a payslip, contract, certificate or card)",
        }
        help_texts = {
            "hours_per_week": "For a job, course or volunteering role.",
            "level": "E.g. Entry 3, Level 1, Level 2.",
        }
        widgets = {"achieved_on": DateInput, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = self.fields["type"].grouped_choices()
        self.fields["achieved_on"].initial = timezone.localdate
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_achieved_on(self):
        return _not_in_future(self.cleaned_data["achieved_on"], "The date achieved")

    def clean_hours_per_week(self):
        hours = self.cleaned_data.get("hours_per_week")
        if hours is not None and not 0 < hours <= 80:
            raise forms.ValidationError("Hours per week must be more than 0 and at most 80.")
        return hours


class CheckAnswerSelect(forms.NullBooleanSelect):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "Not checked yet"), ("true", "Yes"), ("false", "No")]


class AchievementUpdateForm(AchievementForm):
    """Correct an achievement; for a job, also the answers to its 13- and 26-week checks."""

    class Meta(AchievementForm.Meta):
        fields = [*AchievementForm.Meta.fields, "in_work_13_weeks", "in_work_26_weeks"]
        widgets = {
            **AchievementForm.Meta.widgets,
            "in_work_13_weeks": CheckAnswerSelect, "in_work_26_weeks": CheckAnswerSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.is_employment:
            del self.fields["in_work_13_weeks"], self.fields["in_work_26_weeks"]


class EmploymentCheckForm(GuidedForm, forms.Form):
    weeks = forms.TypedChoiceField(choices=[("13", "13"), ("26", "26")], coerce=int)
    in_work = forms.TypedChoiceField(choices=[("yes", "Yes"), ("no", "No")], coerce=lambda v: v == "yes")


class OffenceForm(GuidedForm, forms.ModelForm):
    class Meta:
        model = Offence
        fields = ["offence_date", "conviction_date", "category", "description", "source"]
        help_texts = {
            "conviction_date": "Leave empty if there is no conviction (yet): only convicted offences count in the figures.",
            "description": "What happened, in a sentence. No names of victims or witnesses.",
        }
        widgets = {
            "offence_date": DateInput,
            "conviction_date": DateInput,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = OffenceCategory.objects.filter(active=True)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_offence_date(self):
        return _not_in_future(self.cleaned_data["offence_date"], "The offence date")

    def clean_conviction_date(self):
        return _not_in_future(self.cleaned_data.get("conviction_date"), "The conviction date")

    def clean(self):
        cleaned = super().clean()
        offence_on, convicted_on = cleaned.get("offence_date"), cleaned.get("conviction_date")
        if offence_on and convicted_on and convicted_on < offence_on:
            self.add_error("conviction_date", "The conviction date cannot be before the offence date.")
        return cleaned


class CustodyForm(GuidedForm, forms.ModelForm):
    class Meta:
        model = CustodyPeriod
        fields = ["started_on", "ended_on", "reason"]
        labels = {"started_on": "Went into custody on", "ended_on": "Released on"}
        help_texts = {"ended_on": "Leave empty while they are still in custody."}
        widgets = {"started_on": DateInput, "ended_on": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        started, ended = cleaned.get("started_on"), cleaned.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", "The release date cannot be before the start of custody.")
        return cleaned


NOT_ASKED = "not_asked"


def _rating_or_not_asked(value):
    return None if value == NOT_ASKED else int(value)


class QuestionnaireForm(GuidedForm, forms.Form):
    """The exit questionnaire: the statements the case's programme asks, each rated 1-5 (or,
    where the programme does not require it, "Not asked"), the date, any comments."""

    completed_on = forms.DateField(label="Completed on", widget=DateInput)
    comments = forms.CharField(
        label="Anything else the client wanted to say", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.questions = list(Question.objects.asked_by(case.programme))
        self.fields["completed_on"].initial = timezone.localdate
        ratings = [(str(value), label) for value, label in Answer.Rating.choices]
        for question in self.questions:
            # "Not asked" is an answer too, where the programme allows it: a question left
            # blank is still a question nobody answered.
            choices = ratings if question.is_required else [*ratings, (NOT_ASKED, "Not asked")]
            self.fields[f"answer_{question.code}"] = forms.TypedChoiceField(
                label=question.text,
                choices=choices,
                coerce=_rating_or_not_asked,
                empty_value=None,
                widget=ScaleRadio,
                error_messages={
                    "required": f"Choose an answer for “{question.text}”",
                    "invalid_choice": f"Choose one of the five answers{'' if question.is_required else ' or Not asked'}"
                                      f" for “{question.text}”",
                },
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def answer_fields(self):
        return [(question, self[f"answer_{question.code}"]) for question in self.questions]

    def clean_completed_on(self):
        return _not_in_future(self.cleaned_data["completed_on"], "The date completed")

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("completed_on")
        if day and self.case.questionnaires.filter(completed_on=day).exists():
            self.add_error("completed_on", f"There is already a questionnaire for this case dated {day:%-d %b %Y}.")
        return cleaned

    def answers(self):
        return [(question, self.cleaned_data[f"answer_{question.code}"]) for question in self.questions]
