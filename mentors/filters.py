from datetime import timedelta

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils import timezone

from mentoring import access

from .models import Mentor, Strength


class MentorFilter(django_filters.FilterSet):
    """Filters of the mentor list; programme options are the ones the user may see."""

    q = django_filters.CharFilter(label="Name", method="search")
    mentor_type = django_filters.ChoiceFilter(label="Type", choices=Mentor.Type.choices)
    programme = django_filters.ModelChoiceFilter(label="Programme", method="in_programme", queryset=None)
    status = django_filters.ChoiceFilter(
        label="Status", method="with_status",
        choices=[("available", "Active, not on leave"), ("on_leave", "On leave"), ("inactive", "Inactive")],
    )
    capacity = django_filters.ChoiceFilter(
        label="Capacity", method="with_capacity_filter",
        choices=[("spare", "Has room for another case"), ("full", "At or over capacity")],
    )
    compliance = django_filters.ChoiceFilter(
        label="Compliance", method="with_compliance_filter",
        choices=[("warnings", "Needs attention (DBS, references, training)")],
    )
    strength = django_filters.ModelChoiceFilter(
        label="Strength", field_name="strengths", queryset=Strength.objects.filter(active=True)
    )

    class Meta:
        model = Mentor
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["programme"].queryset = access.visible_programmes(request.user)

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(mentor_ref__iexact=word)
            )
        return queryset

    def in_programme(self, queryset, name, value):
        # A subquery of the mentors already listed: one row per mentor, however many programmes.
        return queryset.filter(pk__in=queryset.filter(programmes=value).values("pk"))

    def with_status(self, queryset, name, value):
        today = timezone.localdate()
        if value == "available":
            return queryset.available(today)
        if value == "on_leave":
            return queryset.active().filter(on_leave_until__gte=today)
        return queryset.filter(active=False)

    def with_capacity_filter(self, queryset, name, value):
        if value == "spare":
            return queryset.filter(caseload__lt=F("max_caseload"))
        return queryset.filter(caseload__gte=F("max_caseload"))

    def with_compliance_filter(self, queryset, name, value):
        today = timezone.localdate()
        soon = today + timedelta(days=30)
        return queryset.filter(
            Q(dbs_certificate_on__isnull=True)
            | Q(dbs_renewal_due__lte=soon)
            | Q(references_received=False)
            | Q(has_expired_training=True)
        )

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            if hasattr(field, "empty_label"):
                field.empty_label = "Any"
            elif getattr(field, "choices", None) and list(field.choices)[0][0] == "":
                field.choices = [("", "Any")] + list(field.choices)[1:]
        form.fields["q"].widget = forms.TextInput(attrs={"type": "search", "autocomplete": "off"})
        return form
