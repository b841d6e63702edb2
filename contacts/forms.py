import uuid
from datetime import timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Layout, Row
from django import forms
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone

from mentoring import access
from mentoring.forms import GuidedForm
from mentoring.locking import VersionedForm

from .models import GOAL_AREAS, Activity, Attendance, Contact, FundingSource, Goal, Location, Mode, SupportSpend

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")
DURATIONS = (15, 30, 45, 60, 90)


class ChipSelect(forms.widgets.ChoiceWidget):
    """Radio buttons drawn as large segmented buttons (Bootstrap btn-check): one tap each."""

    input_type = "radio"
    template_name = "contacts/widgets/chips.html"
    option_template_name = "contacts/widgets/chip_option.html"
    use_fieldset = True
    button_class = "btn-outline-primary"

    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        option["attrs"]["class"] = "btn-check"
        option["button_class"] = self.button_class
        return option

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # crispy marks an invalid field by its class; the group carries it for the feedback.
        context["widget"]["invalid"] = "is-invalid" in (context["widget"]["attrs"].get("class") or "")
        return context


class ChipSelectMultiple(ChipSelect):
    """Checkboxes drawn as large toggle chips."""

    input_type = "checkbox"
    allow_multiple_selected = True
    button_class = "btn-outline-secondary"

    def use_required_attribute(self, initial):
        return False

    def value_from_datadict(self, data, files, name):
        try:
            getter = data.getlist
        except AttributeError:
            return data.get(name)
        return getter(name)

    def value_omitted_from_data(self, data, files, name):
        return False


class DurationChoice(forms.Widget):
    """How long, asked once: the usual lengths as one-tap choices, and "Other" with a minutes box.

    The form sends `<name>` as a preset number of minutes or "other", and `<name>_other` the
    minutes typed; a plain number in `<name>` (an older page, a script) is read as it is.
    """

    template_name = "contacts/widgets/duration.html"
    use_fieldset = True
    presets = DURATIONS

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        typed = "" if value in (None, "") else str(value)
        preset = typed in {str(minutes) for minutes in self.presets}
        context["widget"].update(
            presets=self.presets,
            choice=typed if preset else ("other" if typed else ""),
            invalid="is-invalid" in (context["widget"]["attrs"].get("class") or ""),
        )
        return context

    def value_from_datadict(self, data, files, name):
        choice = data.get(name)
        return data.get(f"{name}_other", "") if choice == "other" else choice

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_other" not in data


class UsualFirstChips(ChipSelectMultiple):
    """Activity chips: the programme's usual ones on show, the rest folded behind "More
    activities" (open when one of them is chosen, so nothing chosen is ever hidden)."""

    template_name = "contacts/widgets/activity_chips.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.usual = None  # pks as strings; None shows every activity unfolded

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        option["usual"] = self.usual is None or str(value) in self.usual
        return option

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        folded = [option for _group, options, _index in context["widget"]["optgroups"]
                  for option in options if not option["usual"]]
        context["widget"].update(more_count=len(folded), more_open=any(option["selected"] for option in folded))
        return context


USUAL_ACTIVITIES = 8


def usual_activities(programme_id, *, on=None, shown=USUAL_ACTIVITIES):
    """The pks (as strings) of the activities a programme's contacts recorded most in the last
    year, topped up in the list's own order: what a mentor of that programme reaches for."""
    since = (on or timezone.localdate()) - timedelta(days=365)
    used = list(
        Activity.objects.filter(active=True, contacts__case__programme_id=programme_id, contacts__date__gte=since)
        .annotate(uses=Count("contacts")).order_by("-uses", "order", "name").values_list("pk", flat=True)[:shown]
    )
    if len(used) < shown:
        used += list(Activity.objects.filter(active=True).exclude(pk__in=used).order_by("order", "name")
                     .values_list("pk", flat=True)[:shown - len(used)])
    return {str(pk) for pk in used}


class Fold(Div):
    """A <details> part of a form, folded unless `opened(form)` says so when it is drawn
    (after validation: one of its fields has an error, or holds what was typed)."""

    template = "contacts/layout/fold.html"

    def __init__(self, summary, *fields, opened=lambda form: False, **kwargs):
        super().__init__(*fields, **kwargs)
        self.summary, self.opened = summary, opened

    def render(self, form, context, template_pack=None, **kwargs):
        fields = self.get_rendered_fields(form, context, template_pack, **kwargs)
        return render_to_string(self.template, {"div": self, "fields": fields, "open": self.opened(form)})


def _helper(*layout):
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout:
        helper.layout = Layout(*layout)
    return helper


def _now():
    return timezone.localtime().time().replace(second=0, microsecond=0)


def _on_day(day):
    return "today" if day == timezone.localdate() else f"on {day:%-d %b %Y}"


class SubmissionTokenField(forms.UUIDField):
    """A one-time token made when the form is first shown, sent back hidden with it: the same
    form sent twice (a double tap, a retry after an error page) is saved once."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, initial=uuid.uuid4, **kwargs)


class ContactForm(GuidedForm, forms.ModelForm):
    """Log a contact: the common case needs only a tap on activities and one submit.

    A new contact at the same time as one already on the case (or, either without a time, with
    the same mentor that day) is not saved until the person ticks `save_anyway`.
    """

    submission_token = SubmissionTokenField()
    save_anyway = forms.BooleanField(label="Yes, save this one as well", required=False)
    # Money spent at the session (a taxi fare, work boots), recorded with it: all blank, none.
    spend_amount = forms.DecimalField(
        label="Amount (£)", required=False, max_digits=8, decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
    )
    spend_category = forms.ChoiceField(label="Spent on", choices=[("", ""), *SupportSpend.Category.choices],
                                       required=False)
    spend_funding_source = forms.ModelChoiceField(label="Paid from", queryset=FundingSource.objects.none(),
                                                  required=False)
    spend_notes = forms.CharField(label="What it was for", max_length=300, required=False)
    SPEND_FIELDS = ("spend_amount", "spend_category", "spend_funding_source", "spend_notes")

    class Meta:
        model = Contact
        fields = [
            "date", "start_time", "duration_minutes", "mode", "attendance", "activities", "location",
            "next_steps", "follow_up_on", "notes",
        ]
        widgets = {
            "date": DATE,
            "start_time": TIME,
            "duration_minutes": DurationChoice,
            "mode": ChipSelect,
            "attendance": ChipSelect,
            "activities": UsualFirstChips,
            "follow_up_on": DATE,
            # A plain text box, so the phone keyboard's dictation and spelling work in it.
            "notes": forms.Textarea(attrs={"rows": 4, "spellcheck": "true", "autocapitalize": "sentences"}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {"date": {"required": "Enter the date of the contact"}}
        labels = {
            "start_time": "Time",
            "duration_minutes": "How long",
            "mode": "How",
            "attendance": "Attendance",
            "activities": "What you worked on",
            "location": "Where",
            "next_steps": "Next steps",
            "follow_up_on": "Follow up on",
        }
        help_texts = {
            "notes": "Keep it factual: the client may ask to see their record.",
            "follow_up_on": "It appears in your 'Due' list on this day.",
        }

    def __init__(self, *args, case=None, mentor=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The case and whom the contact is with, for the same-time check of a new contact.
        self.case, self.mentor = case, mentor
        self.same_time_as = None
        activities = Q(active=True)
        mode_choices = [c for c in Mode.choices if c[0] != Mode.GROUP]
        editing = bool(self.instance.pk)
        if editing:
            for name in ("submission_token", "save_anyway", *self.SPEND_FIELDS):
                del self.fields[name]
            activities |= Q(pk__in=self.instance.activities.values("pk"))
            if self.instance.mode == Mode.GROUP:
                mode_choices = Mode.choices
        else:
            self.initial.setdefault("date", timezone.localdate())
            self.initial.setdefault("start_time", _now())
            self.initial.setdefault("duration_minutes", 60)
            self.fields["spend_funding_source"].queryset = FundingSource.objects.filter(active=True)
        self.fields["activities"].queryset = Activity.objects.filter(activities).order_by("order", "name")
        if case is not None and not editing:
            self.fields["activities"].widget.usual = usual_activities(case.programme_id)
        self.fields["mode"].choices = mode_choices
        self.fields["mode"].widget.choices = mode_choices
        self.fields["attendance"].widget.choices = self.fields["attendance"].choices = [
            c for c in self.fields["attendance"].choices if c[0]
        ]
        self.fields["location"].choices = [("", "Not recorded"), *Location.choices]
        self.helper = _helper(*self._layout(editing))

    def _layout(self, editing):
        """What every contact needs first (attendance, how, how long, what, notes), then the
        rest folded: a phone shows Save without scrolling past what is rarely changed."""
        when = ("date", "start_time", "location", "next_steps", "follow_up_on")
        layout = [
            "attendance", "mode", "duration_minutes", "activities", "notes",
            Fold("Date, time, place and next steps",
                 Row(Column("date", css_class="col-6"), Column("start_time", css_class="col-6")),
                 "location", "next_steps", "follow_up_on",
                 opened=lambda form: editing or any(name in form.errors for name in when)),
        ]
        if not editing:
            layout += [
                Fold("Support spend (a taxi fare, work boots…)",
                     Row(Column("spend_amount", css_class="col-6"), Column("spend_category", css_class="col-6")),
                     "spend_funding_source", "spend_notes",
                     opened=lambda form: form.is_bound and any(form.data.get(form.add_prefix(name))
                                                               for name in form.SPEND_FIELDS)),
                # save_anyway is not in the layout: the page shows it with the same-time warning only.
                "submission_token",
            ]
        return layout

    def clean_spend_amount(self):
        amount = self.cleaned_data.get("spend_amount")
        if amount is not None and amount <= 0:
            raise forms.ValidationError("Enter an amount more than £0, for example 12.50.")
        return amount

    def spend(self):
        """The support spend typed with the contact, unsaved (log_contact saves it), or None."""
        data = self.cleaned_data
        if "spend_amount" not in self.fields or data.get("spend_amount") is None:
            return None
        return SupportSpend(amount=data["spend_amount"], category=data["spend_category"],
                            funding_source=data.get("spend_funding_source"), notes=data.get("spend_notes", ""))

    def _clean_spend(self, cleaned):
        if "spend_amount" not in self.fields:
            return
        if cleaned.get("spend_amount") is not None and not cleaned.get("spend_category"):
            self.add_error("spend_category", "Choose what the money was spent on")
        elif cleaned.get("spend_amount") is None and "spend_amount" not in self.errors and any(
            cleaned.get(name) for name in ("spend_category", "spend_funding_source", "spend_notes")
        ):
            self.add_error("spend_amount", "Enter the amount spent, or clear the support spend")

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(
                "A contact cannot be in the future. To plan the next session, set 'Follow up on' instead."
            )
        return day

    def clean(self):
        cleaned = super().clean()
        day, follow_up = cleaned.get("date"), cleaned.get("follow_up_on")
        if day and follow_up and follow_up < day:
            self.add_error("follow_up_on", "The follow-up date must be on or after the contact's date.")
        self._clean_spend(cleaned)
        name = self.add_prefix("duration_minutes")
        if (self.data.get(name) == "other" and not self.data.get(f"{name}_other")
                and cleaned.get("attendance") == Attendance.ATTENDED):
            self.add_error("duration_minutes", "Type how many minutes, or choose one of the usual lengths")
        if self.case is not None and not self.instance.pk and day and not self.errors and not cleaned.get("save_anyway"):
            self._check_same_time(day, cleaned.get("start_time"))
        return cleaned

    def _check_same_time(self, day, start_time):
        earlier = (
            # Through the case, which the view loaded through the access door.
            self.case.contacts.possibly_the_same_as(case=self.case, day=day, start_time=start_time, mentor=self.mentor)
            .select_related("mentor", "created_by").order_by("start_time", "pk").first()
        )
        if earlier is None:
            return
        self.same_time_as = earlier
        # The summary at the top says it, the box with the tick says what to do: not a third time
        # inside the form (this check runs only when no field has an error to show).
        self.helper.form_show_errors = False
        when = f"at {earlier.start_time:%H:%M} " if earlier.start_time else ""
        if earlier.mentor_id:
            by = f" (by {earlier.mentor})"
        elif earlier.created_by_id:
            by = f" (by {earlier.created_by.get_full_name() or earlier.created_by.get_username()})"
        else:
            by = ""
        self.add_error(None, forms.ValidationError(
            f"A contact with {self.case.client.name_for_header} {when}{_on_day(day)} is already logged{by}. "
            "Save this one as well?", code="same_time",
        ))


class ContactUpdateForm(VersionedForm, ContactForm):
    """An edit carries the version it started from, so a stale save can be refused."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout.extend(["version", "original"])


class GroupSessionForm(GuidedForm, forms.Form):
    """One session, several clients: recorded once, an attended contact for each client present."""

    submission_token = SubmissionTokenField()
    title = forms.CharField(max_length=200, help_text="e.g. 'Employability workshop'.")
    date = forms.DateField(widget=DATE, initial=timezone.localdate)
    start_time = forms.TimeField(label="Time", widget=TIME, required=False, initial=_now)
    duration_minutes = forms.IntegerField(
        label="How long (minutes)", min_value=1, max_value=1440, required=False, initial=90,
        widget=DurationChoice,
    )
    location = forms.ChoiceField(label="Where", choices=[("", "Not recorded"), *Location.choices], required=False)
    programme = forms.ModelChoiceField(queryset=None, empty_label=None)
    cases = forms.ModelMultipleChoiceField(
        label="Clients present", queryset=None, widget=ChipSelectMultiple,
        help_text="Each client ticked gets an attended group contact.",
    )
    activities = forms.ModelMultipleChoiceField(
        label="What the session covered", queryset=None, required=False, widget=ChipSelectMultiple,
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                            help_text="About the session, not individual clients.")

    def __init__(self, *args, user, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        cases = (
            access.changeable_cases(user).open().select_related("client", "programme")
            .order_by("programme__name", "client__last_name", "client__first_name")
        )
        self.programmes = list(
            access.visible_programmes(user).filter(pk__in=cases.values("programme_id")).order_by("name")
        )
        self.chosen_programme = self._chosen(self.data.get("programme") if self.is_bound else programme)
        field = self.fields["programme"]
        field.queryset = access.visible_programmes(user).filter(pk__in=[p.pk for p in self.programmes])
        field.label_from_instance = lambda programme: programme.name
        if self.chosen_programme:
            field.initial = self.chosen_programme.pk
            field.widget = forms.HiddenInput()
        # Every open case is valid, so a client of another programme is named in the error; only
        # the chosen programme's clients are offered.
        self.fields["cases"].queryset = cases
        self.shown_cases = cases.filter(programme=self.chosen_programme) if self.chosen_programme else cases.none()
        offered = forms.ModelMultipleChoiceField(queryset=self.shown_cases)
        offered.label_from_instance = lambda case: case.client.name_for_header
        self.fields["cases"].widget.choices = offered.choices
        self.fields["activities"].queryset = Activity.objects.filter(active=True).order_by("order", "name")
        self.helper = _helper(
            "title", Row(Column("date", css_class="col-6"), Column("start_time", css_class="col-6")),
            "duration_minutes", "location", "programme", "cases", "activities", "notes", "submission_token",
        )

    def _chosen(self, pk):
        """The programme the session is for: the one asked for, or the only one there is."""
        if len(self.programmes) == 1:
            return self.programmes[0]
        return next((p for p in self.programmes if str(p.pk) == str(pk)), None)

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError("Record a group session once it has happened.")
        return day

    def clean(self):
        cleaned = super().clean()
        programme, cases = cleaned.get("programme"), cleaned.get("cases")
        if programme and cases:
            outside = [c for c in cases if c.programme_id != programme.pk]
            if outside:
                names = ", ".join(c.client.name_for_header for c in outside)
                self.add_error("cases", f"Not in {programme.name}: {names}. A session belongs to one programme.")
        return cleaned


class SupportSpendForm(GuidedForm, forms.ModelForm):
    class Meta:
        model = SupportSpend
        fields = ["spent_on", "category", "amount", "funding_source", "notes"]
        widgets = {"spent_on": DATE, "amount": forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"})}
        labels = {"spent_on": "Date", "amount": "Amount (£)", "funding_source": "Paid from", "notes": "What it was for"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sources = self.fields["funding_source"]
        # The organisation's list (admin: Funding sources); a retired one is no longer offered.
        sources.queryset = FundingSource.objects.filter(active=True)
        sources.help_text = "The budget it was paid from. Your organisation keeps this list."
        self.helper = _helper(
            Row(Column("spent_on", css_class="col-6"), Column("amount", css_class="col-6")),
            "category", "funding_source", "notes",
        )

    def clean_spent_on(self):
        day = self.cleaned_data["spent_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("Record spend once the money is spent.")
        return day

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError("Enter an amount more than £0, for example 12.50.")
        return amount


class GoalForm(GuidedForm, VersionedForm, forms.ModelForm):
    area = forms.ChoiceField(label="Area", choices=[("", "Not set"), *GOAL_AREAS], required=False,
                             help_text="The part of the progress wheel it belongs to.")

    class Meta:
        model = Goal
        fields = ["description", "area", "target_on", "steps", "status", "reviewed_on"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "steps": forms.Textarea(attrs={"rows": 3}),
            "target_on": DATE,
            "reviewed_on": DATE,
            "status": ChipSelect,
        }
        labels = {"description": "Goal, in the client's own words", "steps": "Steps towards it"}
        help_texts = {"description": "e.g. 'Get my provisional licence so I can drive for work.'"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].widget.choices = self.fields["status"].choices = [
            c for c in self.fields["status"].choices if c[0]
        ]
        if self.instance.area and self.instance.area not in dict(GOAL_AREAS):
            self.fields["area"].choices = [*self.fields["area"].choices, (self.instance.area, self.instance.area)]
        self.helper = _helper(
            "description", "area", Row(Column("target_on", css_class="col-6"), Column("reviewed_on", css_class="col-6")),
            "steps", "status", "version", "original",
        )
