"""Filters of the privacy screens: the audit trail and the change history."""

import django_filters
from auditlog.models import LogEntry
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from mentoring import access, audit
from mentoring.models import AuditEvent

from .audit_words import CHANGE_KINDS
from .privacy import change_history_q


def users(request=None):
    return get_user_model().objects.order_by("username")


# The clients a search may stand for: a reference matches one, part of a name may match many;
# past this many the trail asks for more of the name (each is a condition of the query).
MATCHED_CLIENTS = 20
CLIENT_LABEL = "Client (name or reference)"
CLIENT_HELP = "Part of their name, or their client, probation or police reference."


def date_range_filters(field_name):
    """The "From" and "To" date filters on a date-time field, as a pair (date_from, date_to)."""
    return (
        django_filters.DateFilter(label="From", field_name=field_name, lookup_expr="date__gte",
                                  widget=forms.DateInput(attrs={"type": "date"})),
        django_filters.DateFilter(label="To", field_name=field_name, lookup_expr="date__lte",
                                  widget=forms.DateInput(attrs={"type": "date"})),
    )


def client_ids_matching(user, text):
    """Ids of the clients the user may see whose name (folded, as the client search compares
    it) or reference matches `text`: at most MATCHED_CLIENTS + 1, so a caller can tell there
    were more."""
    text = (text or "").strip()
    if not text:
        return []
    clients = access.visible_clients(user).search(text).order_by("pk")
    return list(clients.values_list("pk", flat=True)[:MATCHED_CLIENTS + 1])


class ClientSearchMixin:
    """The client filter of both tabs: a text box, matched against names and references."""

    too_many_clients = False

    def matched_client_ids(self, value):
        user = getattr(self.request, "user", None)
        pks = client_ids_matching(user, value)
        self.too_many_clients = len(pks) > MATCHED_CLIENTS
        return pks[:MATCHED_CLIENTS]


class AuditEventFilter(ClientSearchMixin, django_filters.FilterSet):
    """Reads, state changes, exports, sign-ins and failed sign-ins."""

    user = django_filters.ModelChoiceFilter(label="Who", queryset=users, field_name="user", empty_label="Anyone")
    client = django_filters.CharFilter(label=CLIENT_LABEL, method="filter_client", help_text=CLIENT_HELP)
    action = django_filters.ChoiceFilter(label="Kind", choices=AuditEvent.Action.choices, empty_label="Any")
    event = django_filters.ChoiceFilter(label="What happened", field_name="verb", choices=audit.event_choices,
                                        empty_label="Anything")
    date_from, date_to = date_range_filters("at")

    class Meta:
        model = AuditEvent
        fields = ["user", "client", "action", "event", "date_from", "date_to"]

    def filter_client(self, queryset, name, value):
        # Events about the client's record and list pages that named them (detail client_ids).
        return queryset.about_clients(self.matched_client_ids(value))


class ChangeFilter(ClientSearchMixin, django_filters.FilterSet):
    """Field-level change history (django-auditlog) with before and after values."""

    user = django_filters.ModelChoiceFilter(label="Who", queryset=users, field_name="actor", empty_label="Anyone")
    client = django_filters.CharFilter(label=CLIENT_LABEL, method="filter_client", help_text=CLIENT_HELP)
    action = django_filters.ChoiceFilter(label="Kind", choices=[(value, CHANGE_KINDS.get(value, label))
                                                                for value, label in LogEntry.Action.choices],
                                         empty_label="Any")
    date_from, date_to = date_range_filters("timestamp")

    class Meta:
        model = LogEntry
        fields = ["user", "client", "action", "date_from", "date_to"]

    def filter_client(self, queryset, name, value):
        query = Q(pk__in=[])
        for pk in self.matched_client_ids(value):
            query |= change_history_q(pk)
        return queryset.filter(query)
