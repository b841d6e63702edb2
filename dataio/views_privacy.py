"""Privacy screens for managers: subject-access export, retention, erasure, the audit trail."""

import csv

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView, TemplateView
from django_filters.views import FilterView

from clients.models import Client
from mentoring import access, audit
from mentoring.models import AuditEvent
from mentoring.pdf import write_pdf
from mentoring.tables import SingleTableMixin
from mentoring.utils import spreadsheet_safe

from . import privacy
from .filters import MATCHED_CLIENTS, AuditEventFilter, ChangeFilter, client_ids_matching
from .forms import ConfirmForm, ErasureRequestForm
from .models import ErasureRequest
from .tables import AuditEventTable, ChangeTable, DueClientTable


class ManagerRequiredMixin(access.RoleRequiredMixin):
    """Managers only: exports, retention, erasure and the audit trail (access.can_export)."""

    allowed_roles = (access.MANAGER,)  # the role access.can_export names
    denied_message = "Only managers may use the privacy tools."


def manager_required(view):
    return access.role_required(access.MANAGER)(view)


def banner_client(client):
    """The risk banner wants `client.active_risk_flags`; give it a list if the model has none."""
    if hasattr(type(client), "active_risk_flags"):
        return client
    return {"active_risk_flags": list(client.risk_flags.filter(active=True))}


# ---- Subject-access export ------------------------------------------------------------------


class ClientExportView(ManagerRequiredMixin, access.ScopedQuerysetMixin, DetailView):
    """A client's subject-access page: the two downloads, and erasure on request."""

    model = Client
    audit_verb = "client.privacy_viewed"
    template_name = "dataio/privacy/client_export.html"
    context_object_name = "client"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        client = self.object
        pending = ErasureRequest.objects.pending().for_client(client.pk).select_related("requested_by").first()
        context.update(
            banner_client=banner_client(client),
            pending=pending,
            may_approve=pending is not None and pending.may_be_approved_by(self.request.user),
            confirm_form=ConfirmForm(button="Approve and erase"),
        )
        return context


class ClientExportJSONView(ManagerRequiredMixin, access.ScopedQuerysetMixin, DetailView):
    model = Client

    def get(self, request, *args, **kwargs):
        client = self.get_object()
        document = privacy.subject_access_document(client.pk, generated_by=request.user)
        audit.record_export(request, "client.exported", client, format="json")
        response = HttpResponse(document, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="subject-access-client-{client.pk}.json"'
        return response


class ClientExportPDFView(ManagerRequiredMixin, access.ScopedQuerysetMixin, DetailView):
    model = Client

    def get(self, request, *args, **kwargs):
        client, sections = privacy.subject_access_sections(self.get_object().pk)
        html = render_to_string(
            "dataio/privacy/subject_access_pdf.html",
            {"client": client, "sections": sections, "generated_at": timezone.now(),
             "organisation": settings.ORGANISATION_NAME},
            request=request,
        )
        pdf = write_pdf(html, ["css/subject-access-pdf.css"], base_url=request.build_absolute_uri("/"))
        audit.record_export(request, "client.exported", client, format="pdf")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="subject-access-client-{client.pk}.pdf"'
        return response


# ---- Retention and erasure ------------------------------------------------------------------


class RetentionView(ManagerRequiredMixin, SingleTableMixin, TemplateView):
    """Who is due for anonymisation, pending erasure requests, and the button to run it."""

    template_name = "dataio/privacy/retention.html"
    table_class = DueClientTable
    table_pagination = {"per_page": 50}
    list_audit_verb = "retention.viewed"

    def get_table_data(self):
        return privacy.clients_due_for_anonymisation()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pending = list(ErasureRequest.objects.pending().select_related("requested_by"))
        clients = Client.objects.restrict(self.request.user, "view").in_bulk([r.client_id for r in pending])
        for erasure in pending:
            erasure.client = clients.get(erasure.client_id)
            erasure.may_approve = erasure.may_be_approved_by(self.request.user)
        context.update(
            pending=pending,
            form=kwargs.get("form") or ConfirmForm(button="Anonymise everyone listed"),
            approve_form=ConfirmForm(button="Approve and erase"),
            retention_years=settings.RETENTION_YEARS,
            cutoff=privacy.retention_cutoff(),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = ConfirmForm(request.POST, button="Anonymise everyone listed")
        if not form.is_valid():  # the page's error summary says what to do
            return self.render_to_response(self.get_context_data(form=form), status=400)
        done = privacy.apply_retention(by=request.user)
        audit.record(request.user, "retention.applied", action=audit.Action.ANONYMISE, request=request, clients=len(done))
        messages.success(request, f"Anonymised {len(done)} client{'s' if len(done) != 1 else ''} past the retention period.")
        return redirect("dataio:retention")


class ErasureRequestView(ManagerRequiredMixin, access.ParentObjectMixin, FormView):
    """A manager asks for a client's record to be erased; a second manager must approve."""

    template_name = "dataio/privacy/erasure_request.html"
    form_class = ErasureRequestForm
    parent_model = Client
    parent_action = "view"
    parent_attribute = "client_record"
    parent_verb = "client.erasure_form_viewed"

    def get_parent_queryset(self):
        return super().get_parent_queryset().not_anonymised()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "client": self.client_record}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            client=self.client_record,
            banner_client=banner_client(self.client_record),
            pending=ErasureRequest.objects.pending().for_client(self.client_record.pk).first(),
        )
        return context

    def form_valid(self, form):
        try:
            privacy.request_erasure(client=self.client_record, by=self.request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request, f"Erasure of client {self.client_record.pk} requested. A different manager must approve it."
        )
        return redirect("dataio:retention")


@require_POST
@manager_required
def erasure_approve(request, pk):
    erasure = get_object_or_404(ErasureRequest.objects.select_related("approved_by", "cancelled_by"), pk=pk)
    get_object_or_404(access.visible_clients(request.user), pk=erasure.client_id)
    if not erasure.is_pending:
        # Another manager approved or cancelled it while this page was open.
        messages.error(request, f"This request is no longer waiting for approval: it was {erasure.outcome_in_words()}.")
        return redirect("dataio:retention")
    if not erasure.may_be_approved_by(request.user):
        raise PermissionDenied("You asked for this erasure: a different manager must approve it.")
    if not ConfirmForm(request.POST).is_valid():
        messages.error(request, "Tick the box to confirm: erasure cannot be undone.")
        return redirect("dataio:retention")
    try:
        client = privacy.approve_erasure(erasure=erasure, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("dataio:retention")
    messages.success(request, f"Client {client.pk} has been anonymised. The request and its approval are in the audit trail.")
    return redirect("dataio:retention")


@require_POST
@manager_required
def erasure_cancel(request, pk):
    erasure = get_object_or_404(ErasureRequest.objects.all(), pk=pk)
    get_object_or_404(access.visible_clients(request.user), pk=erasure.client_id)
    try:
        privacy.cancel_erasure(erasure=erasure, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("dataio:retention")
    messages.success(request, f"The erasure request for client {erasure.client_id} was cancelled.")
    return redirect("dataio:retention")


# ---- Audit trail ----------------------------------------------------------------------------

TABS = {
    # tab: (label, queryset, filterset, table)
    "events": ("Events: reads, exports, sign-ins", lambda: AuditEvent.objects.select_related("user"), AuditEventFilter, AuditEventTable),
    "changes": ("Changes with before and after", lambda: LogEntry.objects.select_related("actor", "content_type"),
                ChangeFilter, ChangeTable),
}


def _tab(request):
    tab = request.GET.get("tab")
    return tab if tab in TABS else "events"


class AuditListView(ManagerRequiredMixin, SingleTableMixin, FilterView):
    """The audit trail: who read, changed, exported, signed in; filters; read-only."""

    template_name = "dataio/privacy/audit_list.html"
    table_pagination = {"per_page": 50}

    def get_queryset(self):
        return TABS[_tab(self.request)][1]()

    def get_filterset_class(self):
        return TABS[_tab(self.request)][2]

    def get_table_class(self):
        return TABS[_tab(self.request)][3]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tab = _tab(self.request)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("sort", None)
        tabs = []
        for key, (label, *_rest) in TABS.items():
            query["tab"] = key
            tabs.append({"key": key, "label": label, "url": f"?{query.urlencode()}", "active": key == tab})
        query["tab"] = tab
        context.update(tab=tab, tabs=tabs, matched_clients=MATCHED_CLIENTS, csv_url=f"{reverse('dataio:audit_csv')}?{query.urlencode()}")
        return context


class _Echo:
    def write(self, value):
        return value


def _event_rows(queryset):
    yield ["when", "who", "kind", "what", "record type", "record id", "client id", "detail", "ip address", "event code"]
    for e in queryset.iterator(chunk_size=2000):
        yield [timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.username or "system", e.get_action_display(),
               audit.event_label(e.verb, e.action), e.object_type, e.object_id, e.client_id or "", privacy.display_value(e.detail) if e.detail else "",
               e.ip_address or "", e.verb]


def _change_rows(queryset):
    yield ["when", "who", "kind", "record type", "record id", "record", "field", "before", "after"]
    for entry in queryset.iterator(chunk_size=2000):
        base = [timezone.localtime(entry.timestamp).strftime("%Y-%m-%d %H:%M:%S"),
                entry.actor.get_username() if entry.actor else "system", entry.get_action_display(),
                entry.content_type.model, entry.object_pk, entry.object_repr]
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        if not changes:
            yield [*base, "", "", ""]
        for field, value in changes.items():
            before, after = value if isinstance(value, (list, tuple)) and len(value) == 2 else ("", value)
            yield [*base, field, privacy.display_value(before), privacy.display_value(after)]


@manager_required
def audit_csv(request):
    """The filtered audit trail as CSV; the export is itself an audit event."""
    tab = _tab(request)
    _label, queryset, filterset_class, _table = TABS[tab]
    filterset = filterset_class(request.GET, queryset=queryset(), request=request)
    rows = filterset.qs.order_by("-at" if tab == "events" else "-timestamp")
    filters = audit.filter_detail(filterset.form)
    if filterset.form.cleaned_data.get("client"):
        # The client as ids: the reference typed to find them would outlive their erasure.
        filters["client_ids"] = client_ids_matching(request.user, filterset.form.cleaned_data["client"])[:MATCHED_CLIENTS]
    audit.record_export(request, "audit.exported", format="csv", tab=tab, filters=filters)
    writer = csv.writer(_Echo())
    generator = _event_rows(rows) if tab == "events" else _change_rows(rows)
    response = StreamingHttpResponse(
        (writer.writerow([spreadsheet_safe(cell) for cell in row]) for row in generator), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{tab}-{stamp}.csv"'
    return response


urlpatterns = [
    path("audit/", AuditListView.as_view(), name="audit_list"),
    path("audit/csv/", audit_csv, name="audit_csv"),
    path("retention/", RetentionView.as_view(), name="retention"),
    path("clients/<int:pk>/subject-access/", ClientExportView.as_view(), name="client_export"),
    path("clients/<int:pk>/subject-access.json", ClientExportJSONView.as_view(), name="client_export_json"),
    path("clients/<int:pk>/subject-access.pdf", ClientExportPDFView.as_view(), name="client_export_pdf"),
    path("clients/<int:pk>/erasure/", ErasureRequestView.as_view(), name="erasure_request"),
    path("erasure/<int:pk>/approve/", erasure_approve, name="erasure_approve"),
    path("erasure/<int:pk>/cancel/", erasure_cancel, name="erasure_cancel"),
]
