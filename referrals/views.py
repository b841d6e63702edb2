from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.views.generic import CreateView, DetailView, View
from django.views.generic.detail import SingleObjectTemplateResponseMixin
from django_filters.views import FilterView

from clients.models import Client
from clients.registry import links_for
from mentoring import access
from mentoring.tables import SingleTableMixin
from mentoring.utils import is_stale

from . import eligibility, services
from .filters import ReferralFilter
from .forms import ReferralDecisionForm, ReferralForm
from .models import Referral
from .tables import ReferralTable

LEADS = (access.LEAD, access.MANAGER)


class ReferralListView(access.ScopedQuerysetMixin, SingleTableMixin, FilterView):
    """The referral queue: pending first, oldest first, with waiting days."""

    action = "change"  # the queue is of referrals the user may decide
    allowed_roles = LEADS
    model = Referral
    table_class = ReferralTable
    filterset_class = ReferralFilter
    template_name = "referrals/referral_list.html"
    paginate_by = 25

    def get_queryset(self):
        return super().get_queryset().select_related("client", "programme", "source").queue()

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "request": self.request}


class ReferralCreateView(access.RoleRequiredMixin, CreateView):
    """Record a referral; find the person first (name, date of birth) or add them as new."""

    allowed_roles = LEADS
    model = Referral
    form_class = ReferralForm
    template_name = "referrals/referral_form.html"

    def chosen_client(self):
        pk = self.request.POST.get("client") or self.request.GET.get("client")
        if not pk or not str(pk).isdigit():
            return None
        return access.load_or_404(self.request, access.visible_clients(self.request.user).with_active_risk_flags(), pk=pk)

    def get_form_kwargs(self):
        self.client_obj = self.chosen_client()
        return {**super().get_form_kwargs(), "user": self.request.user, "chosen_client": self.client_obj}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()
        context["query"] = query
        context["chosen_client"] = self.client_obj
        if query and self.client_obj is None:
            context["search_results"] = list(
                access.visible_clients(self.request.user).not_anonymised().search(query)
                .with_active_risk_flags().order_by("last_name", "first_name")[:20]
            )
            access.record_listed(self.request, context["search_results"], verb="client_search.viewed")
        return context

    def form_valid(self, form):
        referral = form.save(commit=False)
        client = form.cleaned_data.get("client")
        try:
            self.object = services.receive_referral(
                referral=referral, client=client, new_client=form.new_client() if client is None else None,
                by=self.request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(self.request, f"Referral of {self.object.client.name_for_header} recorded: it waits for a decision.")
        return redirect("referrals:referral_detail", pk=self.object.pk)


def referral_client(user, referral):
    """The referral's client, with their banner flags, as the referral's reader may see it.

    A declined or withdrawn referral still shows who was referred (the referral holds it), but
    not the record: its client is then outside the user's clients, and the page uses the
    referral's own copy of the name (`referral.client`, loaded through the referral's scope).
    """
    clients = Client.objects.restrict(user, "view").with_active_risk_flags()
    return clients.filter(pk=referral.client_id).first() or referral.client


def eligibility_context(referral, checks=None):
    """The referral's eligibility checks, rule by rule, for the referral page."""
    return {"checks": checks if checks is not None else eligibility.checks(referral),
            "has_rules": eligibility.rules_of(referral.programme) is not None}


def case_links(request, case):
    """The accepted case's next steps, from the apps that own them ("Allocate a mentor", from
    mentors, while it waits), as the client page shows them: referrals names no upper app's URL."""
    return links_for("case", request, case.client, [case]) if case else []


class ReferralDetailView(access.ScopedQuerysetMixin, DetailView):
    model = Referral
    template_name = "referrals/referral_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("client", "programme", "source", "decided_by", "case")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        referral = self.object
        context["client"] = referral_client(self.request.user, referral)
        context["case_links"] = case_links(self.request, referral.case)
        # A declined or withdrawn referral keeps what was referred, not a view of the record.
        context["client_visible"] = access.visible_clients(self.request.user).filter(pk=referral.client_id).exists()
        context["can_decide"] = (
            referral.decision == Referral.Decision.PENDING
            and access.decidable_referrals(self.request.user).filter(pk=referral.pk).exists()
        )
        if context["can_decide"] and "decision_form" not in kwargs:
            context["decision_form"] = ReferralDecisionForm(referral=referral)
        context.update(eligibility_context(referral))
        return context


class ReferralDecideView(access.ScopedQuerysetMixin, SingleObjectTemplateResponseMixin, View):
    """POST: accept, decline or withdraw, through the referral's own methods."""

    model = Referral
    action = "change"  # deciding
    allowed_roles = LEADS
    template_name = "referrals/referral_detail.html"
    http_method_names = ["post"]

    def post(self, request, pk):
        referral = access.load_or_404(request, self.get_queryset().select_related("client", "programme", "source"), pk=pk)
        form = ReferralDecisionForm(request.POST, referral=referral)
        if form.is_valid():
            try:
                case = form.apply(request.user)
            except ValidationError as error:
                if is_stale(error):
                    return self.already_decided(referral, error)
                for message in error.messages:
                    form.add_error(None, message)
            else:
                if case is not None:
                    messages.success(request, "Referral accepted: the case is waiting for a mentor.")
                    next_steps = case_links(request, case)
                    return redirect(next_steps[0].url if next_steps
                                    else reverse("clients:client_detail", args=[referral.client_id]))
                messages.success(request, f"Referral {referral.get_decision_display().lower()}.")
                return redirect("referrals:referral_detail", pk=referral.pk)
        client = referral_client(request.user, referral)
        # The checks as this form has them, so a lead who changed a criterion sees its effect.
        checks = form.checks() if hasattr(form, "cleaned_data") else eligibility.checks(referral)
        return self.render_to_response({
            "referral": referral, "object": referral, "client": client, "decision_form": form,
            "can_decide": referral.decision == Referral.Decision.PENDING,
            "client_visible": access.visible_clients(request.user).filter(pk=referral.client_id).exists(),
            **eligibility_context(referral, checks),
        })


    def already_decided(self, referral, error):
        """Someone decided first: say who and when, and point to the case it opened."""
        message = error.messages[0]
        if referral.case_id:
            message = format_html('{} <a href="{}">The case is here.</a>', message,
                                  reverse("clients:client_detail", args=[referral.client_id]))
        messages.error(self.request, message)
        return redirect("referrals:referral_detail", pk=referral.pk)
