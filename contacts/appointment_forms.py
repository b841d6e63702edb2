"""The 'Book the next session' form, and its edit form that refuses a stale save."""

from crispy_forms.layout import Column, Row
from django import forms
from django.utils import timezone

from mentoring.forms import GuidedForm
from mentoring.locking import VersionedForm
from mentors.models import Mentor

from .appointment_models import BOOKABLE_MODES, Appointment
from .forms import DATE, TIME, ChipSelect, SubmissionTokenField, _helper
from .models import Location


class AppointmentForm(GuidedForm, forms.ModelForm):
    """When, how or where, and with whom: what a mentor needs to turn up to the next session."""

    submission_token = SubmissionTokenField()

    class Meta:
        model = Appointment
        fields = ["date", "start_time", "duration_minutes", "mode", "location", "place", "mentor"]
        widgets = {"date": DATE, "start_time": TIME, "mode": ChipSelect,
                   "duration_minutes": forms.NumberInput(attrs={"min": 1, "max": 1440, "inputmode": "numeric"})}
        labels = {"start_time": "Time", "mentor": "With", "location": "Where", "place": "Place (optional)"}
        error_messages = {"date": {"required": "Enter the date of the session"},
                          "start_time": {"required": "Enter the time of the session, for example 14:30"}}

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        editing = bool(self.instance.pk)
        if editing:
            del self.fields["submission_token"]
        self.fields["mode"].choices = self.fields["mode"].widget.choices = BOOKABLE_MODES
        self.fields["location"].choices = [("", "Not set"), *Location.choices]
        # Whom it may be with: the programme's mentors this user may see (a mentor: themself).
        mentors = self.fields["mentor"]
        mentors.queryset = Mentor.objects.restrict(user, "view").filter(programmes=case.programme_id).order_by(
            "last_name", "first_name")
        mentors.required = False
        mentors.empty_label = "Me, or the client's mentor"
        layout = [Row(Column("date", css_class="col-6"), Column("start_time", css_class="col-6")),
                  "mode", "location", "place", "duration_minutes", "mentor"]
        layout += ["version", "original"] if editing else ["submission_token"]
        self.helper = _helper(*layout)

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day and day < timezone.localdate():
            raise forms.ValidationError(
                f"{day:%-d %b %Y} has passed: book the next session for today or a later day. "
                "To record a session that happened, log a contact instead."
            )
        return day


class AppointmentUpdateForm(VersionedForm, AppointmentForm):
    """An edit carries the version it started from, so a stale save is refused (409)."""
