import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from mentoring import access
from mentoring.widgets import LongSelect

from . import registry
from .models import Case, RiskFlag


class ClientFilter(django_filters.FilterSet):
    """Search and filters of the client list; every option comes from what the user may see."""

    q = django_filters.CharFilter(label="Search", method="search",
                                  help_text="Name, reference or date of birth (dd/mm/yyyy).")
    programme = django_filters.ModelChoiceFilter(label="Programme", method="in_programme", queryset=None)
    status = django_filters.ChoiceFilter(label="Case status", method="with_status", choices=Case.Status.choices)
    mentor = django_filters.ModelChoiceFilter(label="Mentor", method="with_mentor", queryset=None, widget=LongSelect)
    risk = django_filters.ChoiceFilter(label="Risk flag", method="with_risk", choices=RiskFlag.Kind.choices)
    due = django_filters.ChoiceFilter(label="Needs attention", method="needing_attention", choices=())

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["programme"].queryset = access.visible_programmes(request.user)
        self.filters["mentor"].queryset = (
            access.visible_mentors(request.user).only("first_name", "last_name").order_by("first_name", "last_name")
        )
        self.filters["due"].extra["choices"] = [(name, f.label) for name, f in registry.CASE_FILTERS.items()]

    def search(self, queryset, name, value):
        return queryset.search(value)

    def in_programme(self, queryset, name, value):
        return queryset.filter(cases__programme=value).distinct()

    def with_status(self, queryset, name, value):
        return queryset.filter(cases__status=value).distinct()

    def with_mentor(self, queryset, name, value):
        # The reverse relation of mentors.Allocation: clients does not import mentors.
        # Current allocations, as mentors.Allocation.objects.current() defines them.
        today = timezone.localdate()
        return queryset.filter(
            Q(cases__allocations__ended_on__isnull=True) | Q(cases__allocations__ended_on__gt=today),
            cases__allocations__mentor=value, cases__allocations__started_on__lte=today,
        ).distinct()

    def with_risk(self, queryset, name, value):
        return queryset.filter(risk_flags__kind=value, risk_flags__active=True).distinct()

    def needing_attention(self, queryset, name, value):
        cases = access.visible_cases(self.request.user).open()
        return queryset.filter(cases__in=registry.CASE_FILTERS[value].cases(cases, timezone.localdate())).distinct()

    @property
    def form(self):
        form = super().form
        form.fields["q"].widget = forms.TextInput(attrs={"type": "search", "autocomplete": "off"})
        return form
