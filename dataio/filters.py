"""Filters of the privacy screens: the audit trail and the change history."""

import django_filters
from auditlog.models import LogEntry
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from clients.models import Client
from mentoring.models import AuditEvent

from .privacy import change_history_q


def users(request=None):
    return get_user_model().objects.order_by("username")


# A reference matches one client; an id at most one more (an id that is also someone's reference).
MATCHED_CLIENTS = 5


def client_ids_matching(text):
    """Clients named by id or reference (client, probation or police)."""
    text = (text or "").strip()
    query = Q(client_ref__iexact=text) | Q(probation_ref__iexact=text) | Q(police_ref__iexact=text)
    if text.isdigit():
        query |= Q(pk=int(text))
    return Client.objects.filter(query).values("pk")


class AuditEventFilter(django_filters.FilterSet):
    """Reads, state changes, exports, sign-ins and failed sign-ins."""

    user = django_filters.ModelChoiceFilter(label="Who", queryset=users, field_name="user")
    client = django_filters.CharFilter(label="Client (id or reference)", method="filter_client")
    action = django_filters.ChoiceFilter(label="What", choices=AuditEvent.Action.choices, empty_label="Any")
    date_from = django_filters.DateFilter(label="From", field_name="at", lookup_expr="date__gte",
                                          widget=forms.DateInput(attrs={"type": "date"}))
    date_to = django_filters.DateFilter(label="To", field_name="at", lookup_expr="date__lte",
                                        widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = AuditEvent
        fields = ["user", "client", "action", "date_from", "date_to"]

    def filter_client(self, queryset, name, value):
        # Events about the client's record and list pages that named them (detail client_ids).
        return queryset.about_clients(client_ids_matching(value).values_list("pk", flat=True)[:MATCHED_CLIENTS])


class ChangeFilter(django_filters.FilterSet):
    """Field-level change history (django-auditlog) with before and after values."""

    user = django_filters.ModelChoiceFilter(label="Who", queryset=users, field_name="actor")
    client = django_filters.CharFilter(label="Client (id or reference)", method="filter_client")
    action = django_filters.ChoiceFilter(label="What", choices=LogEntry.Action.choices, empty_label="Any")
    date_from = django_filters.DateFilter(label="From", field_name="timestamp", lookup_expr="date__gte",
                                          widget=forms.DateInput(attrs={"type": "date"}))
    date_to = django_filters.DateFilter(label="To", field_name="timestamp", lookup_expr="date__lte",
                                        widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = LogEntry
        fields = ["user", "client", "action", "date_from", "date_to"]

    def filter_client(self, queryset, name, value):
        pks = list(client_ids_matching(value).values_list("pk", flat=True)[:MATCHED_CLIENTS])
        query = Q(pk__in=[])
        for pk in pks:
            query |= change_history_q(pk)
        return queryset.filter(query)
