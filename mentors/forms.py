from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from mentoring import access
from mentoring.forms import GuidedForm
from mentoring.locking import VersionedForm

from .models import (
    Allocation,
    CaseMatchPreference,
    Mentor,
    MentorConflict,
    Progression,
    Supervision,
    TimeSlot,
    Training,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ListField(forms.CharField):
    """A comma-separated list typed in one box (areas, languages), stored as a JSON list."""

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(value)
        return value

    def to_python(self, value):
        if isinstance(value, (list, tuple)):
            return [str(v).strip() for v in value if str(v).strip()]
        value = super().to_python(value)
        seen, items = set(), []
        for item in (value or "").split(","):
            item = " ".join(item.split())
            if item and item.casefold() not in seen:
                seen.add(item.casefold())
                items.append(item)
        return items


def _helper(label):
    helper = FormHelper()
    helper.add_input(Submit("submit", label))
    return helper


class MentorForm(GuidedForm, VersionedForm, forms.ModelForm):
    """A mentor's profile, vetting and capacity. A lead sees and sets only their own programmes;
    only a manager links the profile to a sign-in account."""

    areas = ListField(label="Areas covered", required=False, help_text="Separate with commas, e.g. Northtown, Eastfield.")
    languages = ListField(required=False, help_text="Separate with commas, e.g. English, Polish.")
    available_times = forms.MultipleChoiceField(
        label="Times the mentor can meet", choices=TimeSlot.choices, required=False, widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Mentor
        fields = [
            "first_name", "last_name", "user", "mentor_ref", "email", "phone", "mentor_type", "programmes",
            "gender", "areas", "languages", "lived_experience", "lived_experience_share", "strengths",
            "availability", "available_times", "max_caseload", "active", "on_leave_until", "started_on",
            "dbs_level", "dbs_certificate_number", "dbs_certificate_on", "dbs_renewal_due", "references_received",
        ]
        widgets = {
            "programmes": forms.CheckboxSelectMultiple,
            "strengths": forms.CheckboxSelectMultiple,
            "on_leave_until": DATE, "started_on": DATE, "dbs_certificate_on": DATE, "dbs_renewal_due": DATE,
            "lived_experience_share": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"user": "Sign-in account", "active": "Active (taking part in the service)"}
        help_texts = {
            "user": "The mentor's Waymark account, so they see their own caseload. Choose “No account” for a mentor without one.",
            "max_caseload": "The most cases this mentor takes at once.",
        }

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.own_programmes = access.reportable_programmes(request.user)
        self.fields["programmes"].queryset = self.own_programmes
        self.fields["programmes"].required = True
        self.fields["strengths"].queryset = self.fields["strengths"].queryset.filter(active=True)
        if access.can_link_mentor_accounts(request.user):
            mentor_accounts = get_user_model().objects.filter(groups__name="Mentor", is_active=True)
            free = mentor_accounts.filter(mentor_profile__isnull=True)
            if self.instance.user_id:
                free = mentor_accounts.filter(pk=self.instance.user_id) | free
            self.fields["user"].queryset = free.distinct().order_by("first_name", "last_name")
            self.fields["user"].empty_label = "No account"
            self.fields["user"].label_from_instance = lambda u: f"{u.get_full_name() or u.username} ({u.username})"
        else:
            # Not offered, so a `user` posted anyway is never read.
            del self.fields["user"]
        self.helper = _helper("Save mentor")

    def clean_programmes(self):
        chosen = self.cleaned_data["programmes"]
        if not chosen:
            raise ValidationError("Choose at least one programme the mentor works in.")
        return chosen

    def _save_m2m(self):
        # A lead edits only their own programmes: keep the mentor's others as they were.
        kept = []
        if self.instance.pk:
            kept = list(self.instance.programmes.exclude(pk__in=self.own_programmes.values("pk")))
        super()._save_m2m()
        if kept:
            self.instance.programmes.add(*kept)


class TrainingForm(GuidedForm, forms.ModelForm):
    class Meta:
        model = Training
        fields = ["course", "provider", "level", "completed_on", "expires_on"]
        widgets = {"completed_on": DATE, "expires_on": DATE}
        help_texts = {"course": "e.g. OCN Level 2 Award in Peer Mentoring, Safeguarding adults refresher."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Add training")


class SupervisionForm(GuidedForm, forms.ModelForm):
    class Meta:
        model = Supervision
        fields = ["held_on", "supervisor", "notes"]
        widgets = {"held_on": DATE, "notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()
        self.fields["supervisor"].queryset = (
            get_user_model().objects.filter(groups__name__in=["Project lead", "Manager"], is_active=True)
            .distinct().order_by("first_name", "last_name")
        )
        self.fields["supervisor"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.helper = _helper("Add supervision")


class ProgressionForm(GuidedForm, forms.ModelForm):
    class Meta:
        model = Progression
        fields = ["kind", "on", "details"]
        widgets = {"on": DATE}
        labels = {"kind": "Step", "on": "Date"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Add progression")


class MatchPreferenceForm(GuidedForm, VersionedForm, forms.ModelForm):
    """What matters to the client in a mentor; saving it re-ranks the suggestions."""

    class Meta:
        model = CaseMatchPreference
        fields = [
            "mentor_gender", "mentor_gender_required", "lived_experience_wanted", "lived_experience_required",
            "needs", "times_wanted",
        ]
        widgets = {"needs": forms.CheckboxSelectMultiple}

    times_wanted = forms.MultipleChoiceField(
        label="When the client can meet", choices=TimeSlot.choices, required=False, widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="pref", **kwargs)
        self.fields["mentor_gender"].choices = [("", "No preference")] + list(self.fields["mentor_gender"].choices)[1:]
        self.fields["needs"].queryset = self.fields["needs"].queryset.filter(active=True)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save_preferences", "Save and update suggestions", css_class="btn-outline-primary"))


class MentorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, mentor):
        return f"{mentor} ({mentor.get_mentor_type_display().lower()}, caseload {mentor.caseload} of {mentor.max_caseload})"


class AllocateForm(GuidedForm, forms.Form):
    """Choose a mentor for a case; a mentor other than the suggestions needs a reason."""

    mentor = MentorChoiceField(queryset=Mentor.objects.none(), empty_label="Choose a mentor")
    role = forms.ChoiceField(choices=Allocation.Role.choices, initial=Allocation.Role.LEAD, widget=forms.RadioSelect)
    started_on = forms.DateField(label="Starts on", widget=DATE)
    override_reason = forms.CharField(
        label="Why this mentor?", required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when the mentor is not offered: a rule the client or the programme set stands in the way.",
    )
    # The lead allocation the page showed ("none" for none): a lead changed since is refused.
    lead_seen = forms.CharField(widget=forms.HiddenInput, required=False)

    NO_LEAD = "none"

    def __init__(self, *args, case, eligible, suggested_ids, lead, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.suggested_ids = set(suggested_ids)
        self.fields["mentor"].queryset = eligible
        self.fields["started_on"].initial = timezone.localdate()
        self.fields["lead_seen"].initial = self.seen_value(lead)

    @classmethod
    def seen_value(cls, lead):
        return str(lead.pk) if lead else cls.NO_LEAD

    def clean_started_on(self):
        started_on = self.cleaned_data["started_on"]
        if started_on < self.case.started_on:
            raise ValidationError(f"The case opened on {self.case.started_on:%-d %b %Y}; start on or after that day.")
        return started_on

    def clean(self):
        data = super().clean()
        mentor = data.get("mentor")
        if mentor is not None and mentor.pk not in self.suggested_ids and not data.get("override_reason", "").strip():
            self.add_error("override_reason", f"{mentor} is not offered for this client: say why you override it.")
        seen = data.get("lead_seen", "")
        if seen != self.NO_LEAD and not seen.isdigit():
            self.add_error(None, "This page is out of date: check the mentors shown and allocate again.")
        return data

    def lead_seen_id(self):
        """The id of the lead allocation the page showed, or None: for allocate_mentor(lead_seen_id=...)."""
        seen = self.cleaned_data["lead_seen"]
        return None if seen == self.NO_LEAD else int(seen)


class ConflictForm(GuidedForm, forms.ModelForm):
    """A reason a mentor must never be offered for this client."""

    class Meta:
        model = MentorConflict
        fields = ["mentor", "kind", "note"]
        labels = {"kind": "Conflict", "note": "Note (optional)"}

    def __init__(self, *args, mentors, **kwargs):
        super().__init__(*args, prefix="conflict", **kwargs)
        self.fields["mentor"].queryset = mentors


class ProposalForm(GuidedForm, forms.Form):
    """The whole waiting list's proposal: one mentor (or none) per case, as the lead decides."""

    # The waiting cases the page showed: a list changed since is refused, not half-confirmed.
    shown = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposals = proposals
        self.fields["shown"].initial = self.shown_value(proposals)
        for p in proposals:
            choices = [("", "Leave unallocated for now")]
            choices += [(str(m.mentor.pk), f"{m.mentor}: suggestion {m.rank}") for m in p.options]
            self.fields[f"case_{p.case.pk}"] = forms.ChoiceField(
                choices=choices, required=False, initial=str(p.match.mentor.pk) if p.match else "",
                label=f"Mentor for {p.case.client.name_for_header}", widget=forms.Select(attrs={"class": "form-select"}),
            )

    @staticmethod
    def shown_value(proposals):
        return ",".join(str(pk) for pk in sorted(p.case.pk for p in proposals))

    def rows(self):
        return [(p, self[f"case_{p.case.pk}"]) for p in self.proposals]

    def clean(self):
        data = super().clean()
        if data.get("shown") != self.shown_value(self.proposals):
            raise ValidationError(
                "The cases waiting have changed since this proposal was shown: nothing was allocated. "
                "Check the new proposal and confirm again.", code="stale",
            )
        if not any(data.get(f"case_{p.case.pk}") for p in self.proposals):
            raise ValidationError("Choose a mentor for at least one case.")
        return data

    def pairs(self):
        """[(case, mentor)] the lead confirmed."""
        options = {m.mentor.pk: m.mentor for p in self.proposals for m in p.options}
        chosen = ((p.case, self.cleaned_data.get(f"case_{p.case.pk}")) for p in self.proposals)
        return [(case, options[int(pk)]) for case, pk in chosen if pk]


class EndAllocationForm(GuidedForm, forms.Form):
    ended_on = forms.DateField(label="Ends on", widget=DATE,
                               help_text="From this day the mentor no longer sees the case.")
    reason = forms.CharField(max_length=200, help_text="e.g. Mentor moved to another project, client asked for a change.")

    def __init__(self, *args, allocation, **kwargs):
        super().__init__(*args, **kwargs)
        self.allocation = allocation
        self.fields["ended_on"].initial = timezone.localdate()
        self.helper = _helper("End allocation")

    def clean_ended_on(self):
        ended_on = self.cleaned_data["ended_on"]
        if ended_on < self.allocation.started_on:
            raise ValidationError(
                f"The allocation started on {self.allocation.started_on:%-d %b %Y}; end on or after that day."
            )
        return ended_on


def mentor_label(mentor, suggestion=None):
    text = f"{mentor} (caseload {mentor.caseload} of {mentor.max_caseload})"
    if suggestion is not None:
        text = f"{mentor}: suggestion {suggestion.rank} (caseload {mentor.caseload} of {mentor.max_caseload})"
    elif mentor.caseload >= mentor.max_caseload:
        text += ", at capacity"
    return text


class ReallocateForm(GuidedForm, forms.Form):
    """One choice per case (the new mentor, preselected from the suggestions) and one reason.

    Choices are built from mentors loaded once for the whole screen, so the page runs the
    same number of queries however many cases the mentor holds.
    """

    reason = forms.CharField(max_length=200, help_text="e.g. Mentor on long-term leave, mentor has left the service.")
    started_on = forms.DateField(label="New mentors start on", widget=DATE,
                                 help_text="For a mentor who has left: the day they left, today or earlier.")
    mentor_status = forms.ChoiceField(
        label="The mentor", widget=forms.RadioSelect, initial="no_change",
        choices=[("no_change", "Stays active"), ("leave", "Is on leave (give the date they return)"),
                 ("leaving", "Has left the service (ends all their cases and their sign-in)")],
    )
    on_leave_until = forms.DateField(label="On leave until", required=False, widget=DATE)

    def __init__(self, *args, rows, from_mentor, **kwargs):
        """`rows`: [(case, ranked suggestions, eligible mentors in its programme, preselected suggestion)]."""
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.from_mentor = from_mentor
        self.fields["started_on"].initial = timezone.localdate()
        self.mentors = {}
        for case, ranked, eligible, pick in rows:
            suggested = [(str(s.mentor.pk), mentor_label(s.mentor, s)) for s in ranked]
            suggested_ids = {s.mentor.pk for s in ranked}
            others = [(str(m.pk), mentor_label(m)) for m in eligible if m.pk not in suggested_ids]
            choices = [("", f"Leave with {from_mentor} for now")]
            if suggested:
                choices.append(("Suggested", suggested))
            if others:
                choices.append(("Other mentors in the programme", others))
            self.mentors.update({m.pk: m for m in eligible})
            self.fields[f"case_{case.pk}"] = forms.ChoiceField(
                choices=choices, required=False, initial=str(pick.mentor.pk) if pick else "",
                label=f"New mentor for {case.client.name_for_header}",
            )

    def case_rows(self):
        return [(case, ranked, pick, self[f"case_{case.pk}"]) for case, ranked, _, pick in self.rows]

    def clean(self):
        data = super().clean()
        if data.get("mentor_status") == "leave" and not data.get("on_leave_until"):
            self.add_error("on_leave_until", "Give the date the mentor is back.")
        if data.get("on_leave_until") and data["on_leave_until"] < timezone.localdate():
            self.add_error("on_leave_until", "The return date must be today or later.")
        if not any(data.get(f"case_{case.pk}") for case, *_ in self.rows) and data.get("mentor_status") == "no_change":
            raise ValidationError("Choose a new mentor for at least one case, or record that the mentor is away.")
        return data

    def assignments(self):
        result = {}
        for case, *_ in self.rows:
            chosen = self.cleaned_data.get(f"case_{case.pk}")
            result[case] = self.mentors[int(chosen)] if chosen else None
        return result
