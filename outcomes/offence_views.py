"""A client's offences and custody periods: the list and the forms to record them, for
project leads and managers only. The other outcomes pages are in views.py.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.views.generic import CreateView
from django_filters.views import FilterView

from clients.models import Client
from mentoring import access, audit
from mentoring.tables import SingleTableMixin

from .filters import OffenceFilter
from .forms import CustodyForm, OffenceForm
from .tables import OffenceTable
from .views import client_page_url


class OffenceAccessMixin(access.ParentObjectMixin):
    """The client is loaded through the door (404 outside the user's clients), then the role is
    checked: offence detail is for project leads and managers only (403 for a mentor, whose
    refused request shows nothing and so records no read)."""

    parent_model = Client
    parent_action = "view"
    parent_attribute = "client"
    parent_verb = "client.offences_viewed"

    def check_parent(self, parent):
        if not access.can_see_offences(self.request.user):
            raise PermissionDenied("Offence records are visible to project leads and managers only.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(client=self.client, client_url=client_page_url(self.client.pk), **kwargs)


class OffenceListView(OffenceAccessMixin, SingleTableMixin, FilterView):
    template_name = "outcomes/offence_list.html"
    table_class = OffenceTable
    filterset_class = OffenceFilter
    paginate_by = 25

    def get_queryset(self):
        return self.client.offences.select_related("category")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["custody_periods"] = list(self.client.custody_periods.all())
        context["offence_total"] = self.client.offences.count()
        return context


class ClientRecordCreateView(OffenceAccessMixin, CreateView):
    """Record an offence or a custody period on the client, back to their offence list."""

    parent_action = "change"
    audit_verb = None  # each view below names its event, which is also the read's

    @property
    def parent_verb(self):
        return self.audit_verb

    def audit_details(self, record):
        return {}

    def form_valid(self, form):
        form.instance.client = self.client
        record = form.save()
        audit.record(self.request.user, self.audit_verb, record, **self.audit_details(record))
        messages.success(self.request, f"Recorded: {record}.")
        return redirect("outcomes:offence_list", pk=self.client.pk)


class OffenceCreateView(ClientRecordCreateView):
    template_name = "outcomes/offence_form.html"
    form_class = OffenceForm
    audit_verb = "offence.recorded"

    def audit_details(self, record):
        return {"category": record.category.code}


class CustodyCreateView(ClientRecordCreateView):
    template_name = "outcomes/custody_form.html"
    form_class = CustodyForm
    audit_verb = "custody.recorded"

    def audit_details(self, record):
        return {"reason": record.reason}
