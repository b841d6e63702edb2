import django_filters
from django import forms

from .models import Activity, Attendance, Contact, Mode

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ContactFilter(django_filters.FilterSet):
    """Filters of a case's contact list: when, how, attended or not, what was worked on."""

    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="From", widget=DATE)
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="To", widget=DATE)
    mode = django_filters.ChoiceFilter(label="How", choices=Mode.choices, empty_label="Any")
    attendance = django_filters.ChoiceFilter(choices=Attendance.choices, empty_label="Any")
    activity = django_filters.ModelChoiceFilter(
        label="Activity", field_name="activities", queryset=Activity.objects.order_by("order", "name"),
        empty_label="Any", distinct=True,
    )

    class Meta:
        model = Contact
        fields = []
