from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import CreateView, DetailView, FormView, UpdateView
from django.views.generic.detail import SingleObjectMixin
from django_filters.views import FilterView

from mentoring import access, audit
from mentoring.locking import ConflictMixin
from mentoring.tables import SingleTableMixin
from mentoring.utils import is_stale

from . import registry
from .case_mentors import current_allocations
from .filters import ClientFilter
from .forms import CaseCloseForm, CasePauseForm, CaseReopenForm, CaseResumeForm, ClientForm, RiskFlagForm
from .models import Case, Client, RiskFlag
from .tables import ClientTable


def visible_case_prefetch(user, annotate=False):
    """The client's cases this user may see, with programme and mentors, as `visible_case_list`
    (with what the apps above add for the client list, if `annotate`)."""
    cases = (
        (registry.annotate_cases(access.visible_cases(user)) if annotate else access.visible_cases(user))
        .select_related("programme", "closure_reason", "previous_case")
        .prefetch_related("allocations__mentor")
        .order_by("-started_on", "-id")
    )
    return Prefetch("cases", queryset=cases, to_attr="visible_case_list")


class ClientListView(access.ScopedQuerysetMixin, SingleTableMixin, FilterView):
    model = Client
    table_class = ClientTable
    filterset_class = ClientFilter
    template_name = "clients/client_list.html"
    paginate_by = 25

    def get_queryset(self):
        return (
            super().get_queryset()
            .with_active_risk_flags()
            .prefetch_related(visible_case_prefetch(self.request.user, annotate=True))
        )

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["request"] = self.request
        return kwargs


class ClientScopedMixin:
    """Load the client through the access policy, with its banner flags and visible cases."""

    def get_queryset(self):
        return (
            super().get_queryset()
            .with_active_risk_flags()
            .prefetch_related(visible_case_prefetch(self.request.user))
        )


class ClientDetailView(ClientScopedMixin, access.ScopedQuerysetMixin, DetailView):
    model = Client
    template_name = "clients/client_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        client, user = self.object, self.request.user
        cases = client.visible_case_list
        changeable = set(access.changeable_cases(user).filter(client=client).values_list("pk", flat=True))
        managed = set(access.managed_cases(user).filter(client=client).values_list("pk", flat=True))
        open_cases = [c for c in cases if c.is_open]
        log_case = next((c for c in open_cases if c.pk in changeable), None)
        for case in cases:
            case.current_allocation_list = current_allocations(case)
        mentors = sorted({str(a.mentor) for c in open_cases for a in c.current_allocation_list})
        context.update(
            cases=cases,
            open_cases=open_cases,
            log_case=log_case,
            managed_case_ids=managed,
            current_mentors=mentors,
            can_change=access.changeable_clients(user).filter(pk=client.pk).exists(),
            risk_flags=client.risk_flags.order_by("-active", "kind"),
            sections=registry.sections_for(self.request, client, cases),
            timeline=registry.timeline_for(self.request, client, cases),
        )
        return context


class ClientUpdateView(ClientScopedMixin, access.ScopedQuerysetMixin, ConflictMixin, UpdateView):
    action = "change"
    model = Client
    form_class = ClientForm
    template_name = "clients/client_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(self.request.user, "client.updated", self.object, action=audit.Action.CHANGE,
                     request=self.request, fields=sorted(form.changed_data))
        messages.success(self.request, "Details saved.")
        return response

    def get_success_url(self):
        return reverse("clients:client_detail", args=[self.object.pk])


class RiskFlagCreateView(access.ParentObjectMixin, CreateView):
    """Leads, managers and the client's current mentors raise a flag."""

    parent_model = Client
    parent_attribute = "client"
    model = RiskFlag
    form_class = RiskFlagForm
    template_name = "clients/riskflag_form.html"

    def get_parent_queryset(self):
        return super().get_parent_queryset().with_active_risk_flags()

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["client"] = self.client
        kwargs["instance"] = RiskFlag(client=self.client, raised_on=timezone.localdate())
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(client=self.client, **kwargs)

    def form_valid(self, form):
        try:
            with transaction.atomic():
                response = super().form_valid(form)
        except IntegrityError:
            # Someone raised a current flag of this kind at the same moment (one per kind).
            form.add_error("kind", "This client already has a current flag of this kind: edit that one instead.")
            return self.form_invalid(form)
        audit.record(self.request.user, "risk_flag.raised", self.object, action=audit.Action.CHANGE,
                     request=self.request, kind=self.object.kind, level=self.object.level)
        messages.success(self.request, f"Flag saved: {self.object}.")
        return response

    def get_success_url(self):
        return reverse("clients:client_detail", args=[self.client.pk])


class RiskFlagUpdateView(access.ScopedQuerysetMixin, ConflictMixin, UpdateView):
    action = "change"
    conflict_noun = "this flag"
    model = RiskFlag
    form_class = RiskFlagForm
    template_name = "clients/riskflag_form.html"

    def get_queryset(self):
        return super().get_queryset().select_related("client")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "client": self.object.client}

    def get_context_data(self, **kwargs):
        return super().get_context_data(client=self.object.client, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(self.request.user, "risk_flag.updated", self.object, action=audit.Action.CHANGE,
                     request=self.request, active=self.object.active, level=self.object.level)
        messages.success(self.request, "Flag updated.")
        return response

    def get_success_url(self):
        return reverse("clients:client_detail", args=[self.object.client_id])


class CaseActionView(access.ScopedQuerysetMixin, SingleObjectMixin, FormView):
    """One state change of a case (close, re-open, pause, resume) through its form's `apply`."""

    action = "manage"
    allowed_roles = (access.LEAD, access.MANAGER)
    model = Case
    context_object_name = "case"
    template_name = "clients/case_action_form.html"
    rule = ""  # the Case property that says whether this change applies now (can_close...)
    title = ""
    not_allowed = ""
    success_message = ""

    def get_queryset(self):
        return super().get_queryset().select_related("client", "programme", "closure_reason")

    def setup_object(self):
        self.object = self.get_object()
        clients = Client.objects.restrict(self.request.user, "view").with_active_risk_flags()
        self.client = clients.get(pk=self.object.client_id)
        self.applies = getattr(self.object, self.rule)

    def get(self, request, *args, **kwargs):
        self.setup_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_object()
        if not self.applies:
            messages.error(request, self.not_allowed)
            return redirect("clients:client_detail", pk=self.object.client_id)
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "case": self.object}

    def get_context_data(self, **kwargs):
        return super().get_context_data(client=self.client, title=self.title, applies=self.applies,
                                        not_allowed=self.not_allowed, **kwargs)

    def form_valid(self, form):
        try:
            form.apply(self.request.user)
        except ValidationError as error:
            if is_stale(error):
                # Someone changed the case since this page was opened: show them what it is now.
                messages.error(self.request, error.messages[0])
                return redirect("clients:client_detail", pk=self.object.client_id)
            for message in error.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(self.get_success_url(form))

    def get_success_url(self, form):
        return reverse("clients:client_detail", args=[self.object.client_id])


class CaseCloseView(CaseActionView):
    form_class = CaseCloseForm
    rule = "can_close"
    title = "Close case"
    not_allowed = "This case is already closed."
    success_message = "Case closed. Its mentors' allocations ended the same day."
    template_name = "clients/case_close_form.html"


class CaseReopenView(CaseActionView):
    form_class = CaseReopenForm
    rule = "can_reopen"
    title = "Re-open case"
    not_allowed = "Only a closed case that has not been re-opened before can be re-opened."
    success_message = "A new case is open, linked to the earlier one, and waits for a mentor."


class CasePauseView(CaseActionView):
    form_class = CasePauseForm
    rule = "can_pause"
    title = "Pause case"
    not_allowed = "Only an open case that is not already paused can be paused."
    success_message = "Case paused."


class CaseResumeView(CaseActionView):
    form_class = CaseResumeForm
    rule = "can_resume"
    title = "Resume case"
    not_allowed = "Only a paused case can be resumed."
    success_message = "Case resumed."
