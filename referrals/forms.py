from dataclasses import dataclass

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout, Submit
from django import forms
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone
from django.utils.dateformat import format as format_date

from clients.models import Client, Ethnicity, Gender
from clients.postcodes import tidy_postcode
from mentoring import access
from mentoring.forms import GuidedForm

from . import eligibility
from .models import Referral, ReferralSource

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CLIENT_FIELDS = ["first_name", "last_name", "preferred_name", "date_of_birth", "gender", "ethnicity", "phone", "postcode", "area"]
NOT_LISTED = "Choose one of the matching clients listed, or create a new client."


@dataclass(frozen=True)
class DuplicateMatch:
    """One line of the duplicate warning: the radio's value and the words of its label."""

    pk: int
    label: str


class DuplicateChoiceField(forms.ModelChoiceField):
    """The duplicate warning's one radio group: a matching client's id, or NEW for "none of
    these is the person"."""

    NEW = "new"

    def to_python(self, value):
        return self.NEW if value == self.NEW else super().to_python(value)

    def validate(self, value):
        if value != self.NEW:
            super().validate(value)


class ReferralForm(GuidedForm, forms.ModelForm):
    """A referral for an existing client (chosen by search) or a new one typed here.

    When the new client's name and date of birth match a record the user may see, the form
    does not save: it lists the matches, and the person chooses one ("use this client") or
    confirms a new client anyway. Everything typed stays in the form meanwhile.

    A match the user may not see (access.visible_clients: another programme's client) is not
    disclosed at all: the form behaves as if there were none, in its words and in its queries,
    and `use_client` naming such a client gets the same answer as an unknown id. The referral
    then saves a new client record flagged for a manager's duplicate check
    (`Client.duplicate_check_since`), who can see both records.
    """

    client = forms.ModelChoiceField(Client.objects.none(), required=False, widget=forms.HiddenInput)
    # The error summary at the top is the one place the form's own (non-field) errors show.
    summarised_errors = True

    use_client = DuplicateChoiceField(
        Client.objects.none(), required=False, widget=forms.HiddenInput,
        error_messages={"invalid_choice": NOT_LISTED},
    )
    create_anyway = forms.BooleanField(
        required=False, label="None of these is the person: create a new client anyway",
    )
    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    preferred_name = forms.CharField(max_length=100, required=False, help_text="What they like to be called.")
    date_of_birth = forms.DateField(required=False, widget=DATE)
    gender = forms.ChoiceField(choices=Gender.choices, initial=Gender.NOT_KNOWN, required=False)
    ethnicity = forms.ChoiceField(choices=[("", "Not recorded yet")] + list(Ethnicity.choices), required=False)
    phone = forms.CharField(max_length=40, required=False)
    postcode = forms.CharField(max_length=10, required=False)
    area = forms.CharField(max_length=100, required=False, help_text="Borough, town or neighbourhood.")

    class Meta:
        model = Referral
        fields = [
            "programme", "source", "received_on", "referrer_name", "referrer_organisation", "referrer_contact",
            "needs", "wants_help_with", "readiness", "readiness_notes",
        ]
        widgets = {
            "received_on": DATE,
            "needs": forms.Textarea(attrs={"rows": 3}),
            "wants_help_with": forms.Textarea(attrs={"rows": 3}),
            "readiness_notes": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"source": "Referring agency", "readiness_notes": "Notes on motivation"}

    def __init__(self, *args, user, chosen_client=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.duplicates = []
        self.hidden_duplicates = False
        self.chosen_client = chosen_client
        self.fields["programme"].queryset = access.referral_programmes(user)
        self.fields["source"].queryset = ReferralSource.objects.filter(active=True)
        self.fields["client"].queryset = Client.objects.restrict(user, "view").not_anonymised()
        for name in ("first_name", "last_name", "date_of_birth"):  # a new client's: clean() asks for them
            self.fields[name].marked_required = True
        # Only records this user may see: any other id is "not one of those listed".
        self.fields["use_client"].queryset = access.visible_clients(user).not_anonymised()
        programmes = list(self.fields["programme"].queryset[:2])
        if len(programmes) == 1:
            self.fields["programme"].initial = programmes[0]
        if chosen_client is not None:
            self.fields["client"].initial = chosen_client.pk
        self.helper = FormHelper()
        self.helper.form_tag = False
        person = (
            Fieldset("The person", "client", HTML('{% include "referrals/_chosen_client.html" %}'))
            if chosen_client is not None
            else Fieldset("The person", "client", *CLIENT_FIELDS)
        )
        self.helper.layout = Layout(
            person,
            Fieldset("The referral", "programme", "source", "received_on", "referrer_name",
                     "referrer_organisation", "referrer_contact"),
            Fieldset("Needs and motivation", "needs", "wants_help_with", "readiness", "readiness_notes"),
            Submit("submit", "Save referral", css_class="main-action"),
        )

    def clean_postcode(self):
        return tidy_postcode(self.cleaned_data["postcode"])

    def clean_received_on(self):
        received = self.cleaned_data["received_on"]
        if received and received > timezone.localdate():
            raise forms.ValidationError("The referral cannot be received in the future.")
        return received

    def _typed_duplicates(self, cleaned):
        """Every record with the typed name and date of birth, each marked `visible` or not:
        one query, whether or not anything matches, so an answer takes the same time."""
        first, last, dob = cleaned.get("first_name"), cleaned.get("last_name"), cleaned.get("date_of_birth")
        if not (first and last and dob):
            return Client.objects.none()
        visible = access.visible_clients(self.user).values("pk")
        # Deliberately every record (allow-listed in tests/test_access_door.py): a match the user
        # may not see is never shown, but it must be found to flag the duplicate check.
        return Client.objects.possible_duplicates(first, last, dob).annotate(
            visible=ExpressionWrapper(Q(pk__in=visible), output_field=BooleanField())
        )

    def clean(self):
        cleaned = super().clean()
        client, use_client = cleaned.get("client"), cleaned.get("use_client")
        if use_client == DuplicateChoiceField.NEW:
            use_client, cleaned["use_client"], cleaned["create_anyway"] = None, None, True
        if "client" in self._errors:
            # A client chosen from the search must be one this user may see: any other id is
            # not in the field's (restricted) choices.
            del self._errors["client"]
            self.add_error(None, "Choose the client again from the search.")
            return cleaned
        if client is not None:
            return cleaned
        if use_client is not None:
            # Chosen from the duplicate warning: it must match the name and date of birth typed.
            if not self._typed_duplicates(cleaned).filter(pk=use_client.pk).exists():
                self.add_error(None, NOT_LISTED)
            else:
                cleaned["client"] = use_client
            return cleaned
        for name, label in (("first_name", "first name"), ("last_name", "last name"), ("date_of_birth", "date of birth")):
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, f"Enter the person's {label}.")
        dob = cleaned.get("date_of_birth")
        if dob and dob > timezone.localdate():
            self.add_error("date_of_birth", "The date of birth cannot be in the future.")
        matches = list(self._typed_duplicates(cleaned).order_by("pk")[:10])
        self.hidden_duplicates = any(not match.visible for match in matches)
        self.duplicates = [self._describe(match) for match in matches if match.visible]
        if self.duplicates and not cleaned.get("create_anyway"):
            self.add_error(
                None,
                "We already hold a client with this name and date of birth. Use that client, or confirm "
                "that this is a different person.",
            )
        return cleaned

    @staticmethod
    def _describe(match):
        label = f"Use this client: {match.first_name} {match.last_name}, born {format_date(match.date_of_birth, 'j M Y')}"
        if match.client_ref:
            label += f", ref {match.client_ref}"
        if match.postcode:
            label += f", {match.postcode}"
        return DuplicateMatch(pk=match.pk, label=label)

    def new_client(self):
        """The unsaved Client typed into the form (None when an existing client was chosen).

        It is flagged for a manager's duplicate check when a record the user may not see has
        the same name and date of birth.
        """
        if self.cleaned_data.get("client") is not None:
            return None
        return Client(**{name: self.cleaned_data.get(name) or "" for name in CLIENT_FIELDS if name != "date_of_birth"},
                      date_of_birth=self.cleaned_data["date_of_birth"],
                      duplicate_check_since=timezone.now() if self.hidden_duplicates else None)


class ReferralDecisionForm(GuidedForm, forms.Form):
    """Accept, decline (with a reason) or withdraw a pending referral, recording what the lead
    found for each of the programme's criteria. Accepting one that fails an eligibility rule
    needs a reason: it is kept with the referral, audited and counted in the report."""

    ACCEPT, DECLINE, WITHDRAW = "accept", "decline", "withdraw"
    FOUND = [("met", "Met"), ("not_met", "Not met"), ("unknown", "Not known")]
    decision = forms.ChoiceField(
        choices=[(ACCEPT, "Accept: open a case waiting for a mentor"), (DECLINE, "Decline"),
                 (WITHDRAW, "Withdrawn by the referrer or the person")],
        widget=forms.RadioSelect,
    )
    on = forms.DateField(label="Decided on", widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             help_text="Needed when declining: it is shared with the referrer.")
    override_reason = forms.CharField(
        label="Why accept although a rule is not met", widget=forms.Textarea(attrs={"rows": 2}), required=False,
        help_text="Needed to accept a referral that fails an eligibility rule. It is kept with the referral.",
    )

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.referral = referral
        rules = eligibility.rules_of(referral.programme)
        self.criteria = list(rules.criteria.filter(active=True)) if rules else []
        found = dict(referral.criteria_found.values_list("criterion_id", "met")) if self.criteria else {}
        for criterion in self.criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.ChoiceField(
                label=criterion.name, choices=self.FOUND, widget=forms.RadioSelect,
                initial={True: "met", False: "not_met"}.get(found.get(criterion.pk), "unknown"),
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", "Record decision", css_class="main-action"))

    def found(self):
        """{criterion id: True/False} as recorded in this form; a criterion not known is left out."""
        answers = {c.pk: self.cleaned_data.get(f"criterion_{c.pk}") for c in self.criteria}
        return {pk: answer == "met" for pk, answer in answers.items() if answer in ("met", "not_met")}

    def checks(self):
        return eligibility.checks(self.referral, found=self.found())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.DECLINE and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Say why the referral is declined.")
        on = cleaned.get("on")
        if on and on > timezone.localdate():
            self.add_error("on", "A decision cannot be dated in the future.")
        if (cleaned.get("decision") == self.ACCEPT and eligibility.failed(self.checks())
                and not (cleaned.get("override_reason") or "").strip()):
            failing = "; ".join(eligibility.failed(self.checks()))
            self.add_error("override_reason", f"Say why you accept a referral that does not meet: {failing}.")
        return cleaned

    def apply(self, by):
        """Record the criteria found and the rules failed, then call the referral's own method;
        returns the case an acceptance opened."""
        decision, on, reason = self.cleaned_data["decision"], self.cleaned_data["on"], self.cleaned_data["reason"].strip()
        with transaction.atomic():
            self.referral.record_criteria(self.found(), criteria=self.criteria)
            failing = eligibility.failed(self.checks())
            if decision == self.ACCEPT:
                override = self.cleaned_data["override_reason"].strip() if failing else ""
                return self.referral.accept(by=by, on=on, reason=reason, failed_rules=failing, override_reason=override)
            if decision == self.DECLINE:
                self.referral.decline(reason=reason, by=by, on=on, failed_rules=failing)
            else:
                self.referral.withdraw(reason=reason, by=by, on=on, failed_rules=failing)
        return None
