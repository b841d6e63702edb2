from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.utils import timezone

from mentoring.forms import GuidedForm
from mentoring.locking import VersionedForm

from . import registry
from .models import Client, ClosureReason, RiskFlag
from .postcodes import tidy_postcode

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _helper(submit_label, *layout):
    helper = FormHelper()
    if layout:
        helper.layout = Layout(*layout)
    helper.add_input(Submit("submit", submit_label, css_class="main-action"))
    return helper


class ClientForm(GuidedForm, VersionedForm, forms.ModelForm):
    """A client's details: who they are, characteristics funders ask about, consent, references."""

    class Meta:
        model = Client
        fields = [
            "first_name", "last_name", "preferred_name", "date_of_birth", "gender", "ethnicity",
            "phone", "email", "address", "postcode", "area",
            "first_language", "care_experienced", "parent_in_prison", "veteran", "disability", "disability_details",
            "risk_level", "client_ref", "probation_ref", "police_ref",
            "consent_data_on", "consent_data_recorded_by", "consent_sharing_on", "consent_sharing_recorded_by",
            "notes",
        ]
        widgets = {
            "date_of_birth": DATE, "consent_data_on": DATE, "consent_sharing_on": DATE,
            "address": forms.Textarea(attrs={"rows": 2}), "notes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "consent_data_recorded_by": "Left blank, your name is recorded.",
            "consent_sharing_recorded_by": "Left blank, your name is recorded.",
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = _helper(
            "Save details",
            Fieldset("Personal details", "first_name", "last_name", "preferred_name", "date_of_birth", "gender",
                     "ethnicity"),
            Fieldset("Contact details", "phone", "email", "address", "postcode", "area"),
            Fieldset("Characteristics", "first_language", "care_experienced", "parent_in_prison", "veteran",
                     "disability", "disability_details"),
            Fieldset("Risk and references", "risk_level", "client_ref", "probation_ref", "police_ref"),
            Fieldset("Consent", "consent_data_on", "consent_data_recorded_by", "consent_sharing_on",
                     "consent_sharing_recorded_by"),
            Fieldset("Notes", "notes"),
            "version", "original",
        )

    def clean_postcode(self):
        return tidy_postcode(self.cleaned_data["postcode"])

    def clean_date_of_birth(self):
        dob = self.cleaned_data["date_of_birth"]
        if dob and dob > timezone.localdate():
            raise forms.ValidationError("The date of birth cannot be in the future.")
        return dob

    def clean(self):
        cleaned = super().clean()
        name = (self.user.get_full_name() or self.user.get_username()) if self.user else ""
        for on, by in (("consent_data_on", "consent_data_recorded_by"), ("consent_sharing_on", "consent_sharing_recorded_by")):
            if cleaned.get(on) and not cleaned.get(by):
                cleaned[by] = name
            if cleaned.get(on) and cleaned[on] > timezone.localdate():
                self.add_error(on, "Consent cannot be dated in the future.")
        return cleaned


class RiskFlagForm(GuidedForm, VersionedForm, forms.ModelForm):
    class Meta:
        model = RiskFlag
        fields = ["kind", "level", "raised_on", "review_on", "details", "active"]
        widgets = {"raised_on": DATE, "review_on": DATE, "details": forms.Textarea(attrs={"rows": 3})}
        labels = {"active": "Flag is current (untick when it no longer applies)"}

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        self.helper = _helper("Save flag")

    def clean(self):
        cleaned = super().clean()
        kind, active = cleaned.get("kind"), cleaned.get("active")
        if kind and active:
            # Through the client, who was loaded through the access door.
            clash = self.client.risk_flags.active().filter(kind=kind).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("kind", "This client already has a current flag of this kind: edit that one instead.")
        raised, review = cleaned.get("raised_on"), cleaned.get("review_on")
        if raised and review and review < raised:
            self.add_error("review_on", "The review cannot be due before the flag was raised.")
        return cleaned


class CaseActionForm(GuidedForm, forms.Form):
    """Base for the case forms: applies a case change (a Case method, or the mentors service that
    `clients.registry` names) and shows its ValidationError by the form."""

    submit_label = "Save"

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.helper = _helper(self.submit_label)


class CaseCloseForm(CaseActionForm):
    submit_label = "Close case"
    reason = forms.ModelChoiceField(ClosureReason.objects.filter(active=True), label="Reason for closing")
    on = forms.DateField(label="Closed on", widget=DATE, initial=timezone.localdate)
    summary = forms.CharField(label="Closing summary", widget=forms.Textarea(attrs={"rows": 5}), required=False,
                              help_text="What changed for the person, and where they go from here.")

    def apply(self, by):
        # mentors.services.close_case: the case closes and its allocations end.
        registry.change_case("close", self.case, reason=self.cleaned_data["reason"], on=self.cleaned_data["on"],
                             summary=self.cleaned_data["summary"], by=by)


class CaseReopenForm(CaseActionForm):
    submit_label = "Re-open as a new case"
    on = forms.DateField(label="New case starts on", widget=DATE, initial=timezone.localdate)

    def apply(self, by):
        self.new_case = self.case.reopen(on=self.cleaned_data["on"], by=by)


class CasePauseForm(CaseActionForm):
    submit_label = "Pause case"
    reason = forms.CharField(max_length=200, help_text="For example: in custody, in hospital, taking a break.")
    on = forms.DateField(label="Paused from", widget=DATE, initial=timezone.localdate)

    def apply(self, by):
        self.case.pause(reason=self.cleaned_data["reason"].strip(), on=self.cleaned_data["on"], by=by)


class CaseResumeForm(CaseActionForm):
    submit_label = "Resume case"

    def apply(self, by):
        # mentors.services.resume_case: active again with a lead mentor, else 'to allocate'.
        registry.change_case("resume", self.case, by=by)
