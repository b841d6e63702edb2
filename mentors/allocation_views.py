"""The allocation screens: the board of cases waiting for a lead mentor, the whole-list
proposal, one case's suggestions (with its preferences and conflicts), and ending an allocation.

The mentor's own pages (profile, records, re-allocation, DBS checks) are in views.py.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, FormView, TemplateView

from clients.models import Case
from mentoring import access
from mentoring.locking import StaleEdit, retry_form
from mentoring.utils import is_stale, safe_next

from . import matching, services
from .forms import AllocateForm, ConflictForm, EndAllocationForm, MatchPreferenceForm, ProposalForm
from .models import Allocation, CaseMatchPreference, Mentor, MentorConflict, cases_needing_a_lead
from .views import LEADS


def _client_url(case):
    return reverse("clients:client_detail", args=[case.client_id])



def waiting_cases(user):
    """The cases waiting for a lead mentor that `user` allocates, oldest first."""
    return list(
        cases_needing_a_lead(access.managed_cases(user)).select_related("client", "programme").order_by("started_on", "id")
    )


class AllocationBoardView(access.RoleRequiredMixin, TemplateView):
    """Cases waiting for a lead mentor, each with its top three suggestions; mentors by spare capacity."""

    allowed_roles = LEADS
    template_name = "mentors/allocation_board.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        cases = waiting_cases(user)
        access.record_listed(self.request, [case.client_id for case in cases], verb="allocation_board.viewed")
        suggestions = matching.suggestions_for_cases(cases, limit=3)
        mentors = (
            access.managed_mentors(user).available().with_caseload().with_compliance()
            .annotate(spare=F("max_caseload") - F("caseload"))
            .prefetch_related("programmes")
            .order_by("-spare", "first_name", "last_name")
        )
        return super().get_context_data(
            rows=[(case, suggestions.get(case.pk, [])) for case in cases], mentors=mentors, **kwargs
        )


class ProposalView(access.RoleRequiredMixin, FormView):
    """A proposed mentor for every waiting case at once; the lead changes any and confirms."""

    allowed_roles = LEADS
    form_class = ProposalForm
    template_name = "mentors/allocation_proposal.html"

    def get_form_kwargs(self):
        if not hasattr(self, "proposals"):
            cases = waiting_cases(self.request.user)
            access.record_listed(self.request, [c.client_id for c in cases], verb="allocation_proposal.viewed")
            self.proposals = matching.plan(cases)
        return {**super().get_form_kwargs(), "proposals": self.proposals}

    def form_valid(self, form):
        try:
            created = services.allocate_proposals(pairs=form.pairs(), by=self.request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{len(created)} case{'s' if len(created) != 1 else ''} allocated.")
        return redirect("mentors:allocation_board")

    def form_invalid(self, form):
        if any(e.code == "stale" for e in form.non_field_errors().as_data()):
            # Show the proposal as things are now, with the reason nothing was allocated.
            messages.error(self.request, form.non_field_errors()[0])
            del self.proposals
            return self.render_to_response(self.get_context_data(form=ProposalForm(**{
                k: v for k, v in self.get_form_kwargs().items() if k not in ("data", "files")
            })))
        return super().form_invalid(form)


class AllocateView(access.ScopedQuerysetMixin, DetailView):
    """Suggestions with their reasons for one case; pick one, or choose another with a reason."""

    allowed_roles = LEADS
    audit_verb = "case.allocation_viewed"
    model = Case
    action = "manage"
    template_name = "mentors/allocate.html"
    context_object_name = "case"

    def get_queryset(self):
        return super().get_queryset().open().select_related("client", "programme")

    def get_preference(self):
        found = CaseMatchPreference.objects.restrict(self.request.user, "manage").filter(case=self.object).first()
        return found or CaseMatchPreference(case=self.object)

    def programme_mentors(self, case):
        """The active mentors of the case's programme whom the user manages."""
        return Mentor.objects.restrict(self.request.user, "manage").active().filter(programmes=case.programme)

    def conflicts(self, case):
        return MentorConflict.objects.restrict(self.request.user, "change").filter(client=case.client)

    def build(self, allocate_form=None, preference_form=None, data=None, conflict=None, conflict_form=None):
        case, user = self.object, self.request.user
        ctx = matching.load([case])
        matches = matching.rank(case, ctx)
        offered = [m for m in matches if m.offered]
        allowed = [m.mentor.pk for m in matches if not m.hard_vetoes]
        eligible = Mentor.objects.restrict(user, "manage").filter(pk__in=allowed).with_caseload().order_by("first_name", "last_name")
        current = list(Allocation.objects.restrict(user, "manage").current().filter(case=case).select_related("mentor"))
        lead = next((a for a in current if a.role == Allocation.Role.LEAD), None)
        if data is None and self.request.method == "POST" and "allocate" in self.request.POST:
            data = self.request.POST
        allocate_form = allocate_form or AllocateForm(
            data, case=case, eligible=eligible, suggested_ids=[m.mentor.pk for m in offered], lead=lead,
            initial={"mentor": offered[0].mentor.pk if offered else None},
        )
        preference_form = preference_form or MatchPreferenceForm(instance=self.get_preference())
        programme_mentors = self.programme_mentors(case).order_by("first_name", "last_name")
        return {
            "case": case, "suggestions": offered[:5], "not_offered": [m for m in matches if not m.offered],
            "caution": matching.caution(case, ctx), "allocate_form": allocate_form,
            "preference_form": preference_form, "current_allocations": current,
            "conflicts": self.conflicts(case).select_related("mentor"),
            "conflict_form": conflict_form or ConflictForm(mentors=programme_mentors),
            "lead_seen": AllocateForm.seen_value(lead),
            "next": safe_next(self.request, ""), "today": timezone.localdate(), "conflict": conflict,
        }

    def record_conflict(self, request, case):
        mentors = self.programme_mentors(case)
        form = ConflictForm(request.POST, mentors=mentors, instance=MentorConflict(client=case.client, recorded_by=request.user))
        if not form.is_valid():
            return self.render_to_response(self.build(conflict_form=form))
        try:
            with transaction.atomic():
                form.save()
        except IntegrityError:
            pass  # The same conflict was already recorded: it stands.
        messages.success(request, f"Conflict recorded: {form.instance.mentor} will not be offered for this client.")
        return redirect(request.get_full_path())

    def remove_conflict(self, request, case):
        pk = request.POST.get("remove_conflict", "")
        found = self.conflicts(case).filter(pk=int(pk) if pk.isdigit() else None).first()
        if found is not None:
            found.delete()
            messages.success(request, f"Conflict with {found.mentor} removed.")
        return redirect(request.get_full_path())

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.build())

    def post(self, request, *args, **kwargs):
        self.object = case = self.get_object()
        if "record_conflict" in request.POST:
            return self.record_conflict(request, case)
        if "remove_conflict" in request.POST:
            return self.remove_conflict(request, case)
        if "save_preferences" in request.POST:
            form = MatchPreferenceForm(request.POST, instance=self.get_preference())
            if form.is_valid():
                try:
                    try:
                        with transaction.atomic():
                            form.save()
                    except IntegrityError:
                        # Another lead saved this case's first preferences at the same moment:
                        # theirs stand, shown as any other change made meanwhile.
                        raise StaleEdit(self.get_preference()) from None
                except StaleEdit as stale:
                    current = stale.current
                    retry = retry_form(form, lambda data: MatchPreferenceForm(data, instance=current),
                                       noun="the client's preferences")
                    context = self.build(preference_form=retry, conflict=retry.conflict)
                    return self.render_to_response(context, status=409)
                messages.success(request, "Preferences saved: the suggestions below take them into account.")
                return redirect(request.get_full_path())
            return self.render_to_response(self.build(preference_form=form))
        context = self.build()
        form = context["allocate_form"]
        if form.is_valid():
            try:
                allocation = services.allocate_mentor(
                    case=case, mentor=form.cleaned_data["mentor"], role=form.cleaned_data["role"], by=request.user,
                    on=form.cleaned_data["started_on"], override_reason=form.cleaned_data["override_reason"],
                    lead_seen_id=form.lead_seen_id(),
                )
            except ValidationError as error:
                if not is_stale(error):
                    form.add_error(None, error)
                    return self.render_to_response(context)
                # Said at the top of the page, which now shows the new lead; what was typed
                # stays, and the next press allocates against what the person has now seen.
                messages.error(request, error.messages[0])
                data = request.POST.copy()
                data["lead_seen"] = AllocateForm.seen_value(services.current_lead(case))
                return self.render_to_response(self.build(data=data))
            else:
                messages.success(
                    request, f"{allocation.mentor} is now {allocation.get_role_display().lower()} for {case.client.name_for_header}."
                )
                return redirect(safe_next(request, _client_url(case)))
        return self.render_to_response(context)


class AllocationEndView(access.ParentObjectMixin, FormView):
    """End a current allocation: from that day the mentor no longer sees the case. A case left
    without a lead mentor goes back to 'Cases to allocate'."""

    allowed_roles = LEADS
    parent_model = Allocation
    parent_action = "manage"
    parent_attribute = "allocation"
    form_class = EndAllocationForm
    template_name = "mentors/allocation_end.html"

    def get_parent_queryset(self):
        allocations = super().get_parent_queryset().select_related("case__client", "case__programme", "mentor")
        if self.request.method != "POST":
            # A press on a page opened before someone else ended it is told so by end_allocation.
            allocations = allocations.exclude(ended_on__lte=timezone.localdate())
        return allocations

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "allocation": self.allocation}

    def get_context_data(self, **kwargs):
        return super().get_context_data(allocation=self.allocation, next=safe_next(self.request, ""), **kwargs)

    def form_valid(self, form):
        try:
            services.end_allocation(
                allocation=self.allocation, on=form.cleaned_data["ended_on"], reason=form.cleaned_data["reason"],
                by=self.request.user,
            )
        except ValidationError as error:
            if is_stale(error):
                messages.error(self.request, error.messages[0])
                return redirect(self.get_success_url())
            form.add_error(None, error)
            return self.form_invalid(form)
        message = f"{self.allocation.mentor}'s allocation to {self.allocation.case.client.name_for_header} ended."
        case = self.allocation.case
        case.refresh_from_db(fields=["status"])
        if case.status == case.Status.TO_ALLOCATE:
            message += " The case has no lead mentor now: it is back in 'Cases to allocate'."
        messages.success(self.request, message)
        return redirect(self.get_success_url())

    def get_success_url(self):
        return safe_next(self.request, reverse("mentors:mentor_detail", args=[self.allocation.mentor_id]))
