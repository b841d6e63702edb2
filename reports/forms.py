from datetime import date, timedelta

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone

from clients.models import Ethnicity, Gender
from mentoring import access
from mentoring.forms import GuidedForm
from referrals.models import ReferralSource

from .metrics import AGE_BANDS
from .metrics.breakdowns import YES_NO
from .models import CaseStudy

QUICK_PERIODS = [
    ("last_month", "Last month"),
    ("last_quarter", "Last quarter"),
    ("financial_year_to_date", "Financial year to date"),
    ("last_financial_year", "April to March last year"),
]


def financial_year_start(day):
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def quick_period(name, today=None):
    """The (from, to) of a quick pick; financial years run April to March."""
    today = today or timezone.localdate()
    if name == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if name == "last_quarter":
        first_month = (today.month - 1) // 3 * 3 + 1
        end = today.replace(month=first_month, day=1) - timedelta(days=1)
        return end.replace(month=(end.month - 1) // 3 * 3 + 1, day=1), end
    if name == "financial_year_to_date":
        return financial_year_start(today), today
    if name == "last_financial_year":
        start = financial_year_start(today)
        return start.replace(year=start.year - 1), start - timedelta(days=1)
    raise ValueError(name)


SMALL_NUMBERS = [
    ("on", "Hide small numbers: for sharing outside the organisation"),
    ("off", "Show every number: for internal use only"),
]
CONFIRM_INTERNAL = ("To show every number, confirm that this report is for internal use only, "
                    "or choose to hide small numbers.")


class ReportForm(GuidedForm, forms.Form):
    """Programmes, period and filters of a report; read from GET so a report has a URL.

    Small numbers are hidden unless the user picks "Show every number" and ticks the
    confirmation that the report is for internal use only (docs/metrics.md, "Small numbers").
    """

    programmes = forms.ModelMultipleChoiceField(queryset=None, widget=forms.CheckboxSelectMultiple,
                                                help_text="Tick every programme the report covers.")
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    period = forms.ChoiceField(choices=[("", "")] + QUICK_PERIODS, required=False, widget=forms.HiddenInput)
    mentor = forms.ModelChoiceField(queryset=None, required=False, label="Lead mentor",
                                    empty_label="Any mentor")
    age_band = forms.ChoiceField(choices=[("", "Any age")] + [(c, label) for c, label, *_ in AGE_BANDS],
                                 required=False, label="Age band")
    gender = forms.ChoiceField(choices=[("", "Any gender")] + Gender.choices, required=False)
    ethnicity = forms.ChoiceField(choices=[("", "Any ethnicity")] + Ethnicity.choices, required=False)
    care_experienced = forms.ChoiceField(choices=[("", "Any")] + YES_NO, required=False, label="Care experienced")
    parent_in_prison = forms.ChoiceField(choices=[("", "Any")] + YES_NO, required=False,
                                         label="Has or had a parent in prison")
    area = forms.CharField(required=False, max_length=100)
    source = forms.ModelChoiceField(queryset=ReferralSource.objects.all(), to_field_name="code", required=False,
                                    label="Referral source", empty_label="Any source")
    suppress = forms.ChoiceField(choices=SMALL_NUMBERS, required=False, widget=forms.RadioSelect,
                                 label="Small numbers", initial="on",
                                 help_text="The page, the PDF and the CSV hide small numbers unless you choose "
                                           "otherwise; showing every number is recorded in the audit trail.")
    internal_use = forms.BooleanField(
        required=False, label="I confirm this report is for internal use only and will not be shared outside the "
                              "organisation")

    FILTERS = ("mentor", "age_band", "gender", "ethnicity", "care_experienced", "parent_in_prison", "area", "source")

    def __init__(self, data=None, *args, user, **kwargs):
        if data is not None and not data.get("suppress"):
            # Hidden unless asked otherwise; and the page then shows that choice ticked.
            data = data.copy()
            data["suppress"] = "on"
        super().__init__(data, *args, **kwargs)
        self.fields["programmes"].queryset = access.reportable_programmes(user).order_by("name")
        self.fields["mentor"].queryset = access.managed_mentors(user).order_by("first_name", "last_name")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    @classmethod
    def defaults(cls, user):
        start, end = quick_period("financial_year_to_date")
        return {"programmes": list(access.reportable_programmes(user).values_list("pk", flat=True)),
                "start": start, "end": end, "suppress": "on"}

    def clean_suppress(self):
        return self.cleaned_data.get("suppress") != "off"

    def clean(self):
        data = super().clean()
        if data.get("suppress") is False and not data.get("internal_use"):
            self.add_error("internal_use", CONFIRM_INTERNAL)
        if data.get("period"):
            data["start"], data["end"] = quick_period(data["period"])
            self.errors.pop("start", None)
            self.errors.pop("end", None)
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The end of the period must be on or after its start.")
        return data

    @property
    def filters(self):
        data = self.cleaned_data
        return {
            "mentor": data.get("mentor"),
            "age_band": data.get("age_band"),
            "gender": data.get("gender"),
            "ethnicity": data.get("ethnicity"),
            "care_experienced": data.get("care_experienced"),
            "parent_in_prison": data.get("parent_in_prison"),
            "area": data.get("area"),
            "source": data["source"].code if data.get("source") else None,
        }


class SpendPeriodForm(GuidedForm, forms.Form):
    """The period of the support spend page: both days included, as in the report."""

    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None, *args, **kwargs):
        if not data:
            start, end = quick_period("financial_year_to_date")
            data = {"start": start, "end": end}
        super().__init__(data, *args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The end of the period must be on or after its start.")
        return data


class JusticeDataLabForm(GuidedForm, forms.Form):
    programmes = forms.ModelMultipleChoiceField(queryset=None)
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programmes"].queryset = access.reportable_programmes(user).order_by("name")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class CaseStudyForm(GuidedForm, forms.ModelForm):
    class Meta:
        model = CaseStudy
        fields = ["title", "story", "consent_given_on"]
        widgets = {"consent_given_on": forms.DateInput(attrs={"type": "date"}),
                   "story": forms.Textarea(attrs={"rows": 10})}
        help_texts = {"consent_given_on": "The day the client agreed to their story being used."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_consent_given_on(self):
        day = self.cleaned_data["consent_given_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("Consent cannot be recorded for a future date.")
        return day
