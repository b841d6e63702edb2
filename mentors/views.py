from django.contrib import messages
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, DetailView, FormView, TemplateView, UpdateView
from django_filters.views import FilterView

from mentoring import access, audit
from mentoring.locking import ConflictMixin, StaleEdit, retry_form
from mentoring.tables import SingleTableMixin
from mentoring.utils import is_stale, safe_next

from . import dbs, matching, services
from .filters import MentorFilter
from .forms import (
    AllocateForm,
    ConflictForm,
    EndAllocationForm,
    MatchPreferenceForm,
    MentorForm,
    ProgressionForm,
    ProposalForm,
    ReallocateForm,
    SupervisionForm,
    TrainingForm,
)
from .models import Allocation, CaseMatchPreference, Mentor, MentorConflict, cases_needing_a_lead
from .tables import MentorTable

LEADS = (access.LEAD, access.MANAGER)


def _client_url(case):
    try:
        return reverse("clients:client_detail", args=[case.client_id])
    except NoReverseMatch:
        return reverse("mentors:allocation_board")


class MentorListView(access.RoleRequiredMixin, SingleTableMixin, FilterView):
    """Leads see the mentors in their programmes, managers every mentor."""

    allowed_roles = LEADS
    model = Mentor
    table_class = MentorTable
    filterset_class = MentorFilter
    template_name = "mentors/mentor_list.html"
    table_pagination = {"per_page": 25}

    def get_queryset(self):
        # Queries: mentors with caseload and expired training as subqueries (1), count (1),
        # their programmes (1).
        return (
            access.managed_mentors(self.request.user)
            .with_caseload()
            .with_compliance()
            .prefetch_related("programmes")
        )


class MentorDetailView(access.ScopedQuerysetMixin, DetailView):
    """A mentor's page: leads and managers of their programmes, and the mentor (read only)."""

    scope = "visible_mentors"
    template_name = "mentors/mentor_detail.html"
    context_object_name = "mentor"

    def get_queryset(self):
        return super().get_queryset().with_caseload().with_compliance().prefetch_related("programmes", "strengths")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        mentor, user = self.object, self.request.user
        today = timezone.localdate()
        allocations = list(
            Allocation.objects.filter(mentor=mentor, case__in=access.visible_cases(user))
            .select_related("case__client", "case__programme", "allocated_by")
            .order_by("-started_on", "-id")
        )
        access.record_listed(self.request, [a.case.client_id for a in allocations], verb="mentor.allocations_viewed")
        context.update(
            today=today,
            can_manage=access.managed_mentors(user).filter(pk=mentor.pk).exists(),
            current_allocations=[a for a in allocations if a.is_current(today) and a.case.is_open],
            past_allocations=[a for a in allocations if not (a.is_current(today) and a.case.is_open)],
            training=list(mentor.training.all()),
            expired_training_ids=set(mentor.training.expired(today).values_list("pk", flat=True)),
            supervisions=list(mentor.supervisions.select_related("supervisor")),
            progressions=list(mentor.progressions.all()),
            warnings=mentor.compliance_warnings(today),
        )
        return context


class MentorFormMixin:
    model = Mentor
    form_class = MentorForm
    template_name = "mentors/mentor_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def get_success_url(self):
        return reverse("mentors:mentor_detail", args=[self.object.pk])

    @transaction.atomic
    def form_valid(self, form):
        response = super().form_valid(form)
        if "user" in form.changed_data:
            audit.record(
                self.request.user, "mentor.sign_in_changed", self.object, request=self.request,
                previous_user=form.initial.get("user"), new_user=self.object.user_id,
            )
        return response


class MentorCreateView(access.RoleRequiredMixin, MentorFormMixin, SuccessMessageMixin, CreateView):
    allowed_roles = LEADS
    success_message = "Mentor %(first_name)s %(last_name)s added."


class MentorUpdateView(access.ScopedQuerysetMixin, MentorFormMixin, SuccessMessageMixin, ConflictMixin, UpdateView):
    allowed_roles = LEADS
    scope = "managed_mentors"
    conflict_noun = "this mentor's details"
    success_message = "Changes to %(first_name)s %(last_name)s saved."

    @transaction.atomic
    def form_valid(self, form):
        # Un-ticking "Active" is the mentor leaving: the same workflow as the re-allocation screen.
        leaving = form.initial.get("active") and not form.cleaned_data["active"]
        response = super().form_valid(form)
        if leaving:
            result = services.mark_mentor_left(
                mentor=self.object, by=self.request.user, reason="Marked as no longer active on their profile",
            )
            messages.info(self.request, leaving_message(self.request.user, self.object, result))
        return response


def leaving_message(user, mentor, result):
    """What the lead is told when a mentor leaves: how many cases wait for a new mentor."""
    queued = len(result.queued)
    text = f"{queued} case{'s go' if queued != 1 else ' goes'} back to 'Cases to allocate'"
    elsewhere = len({case.pk for case in result.queued} - set(access.managed_cases(user).values_list("pk", flat=True)))
    if elsewhere:
        text += f" ({elsewhere} of them in programmes other leads run)"
    text += "."
    if result.signed_out:
        text += f" {mentor} can no longer sign in."
    return text


class MentorRecordCreateView(access.RoleRequiredMixin, SuccessMessageMixin, CreateView):
    """Add a training, supervision or progression entry to a mentor the user manages."""

    allowed_roles = LEADS
    template_name = "mentors/mentor_record_form.html"
    heading = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and access.has_role(request.user, *self.allowed_roles):
            self.mentor = get_object_or_404(access.managed_mentors(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        form.instance.mentor = self.mentor
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(mentor=self.mentor, heading=self.heading, **kwargs)

    def get_success_url(self):
        return reverse("mentors:mentor_detail", args=[self.mentor.pk])


class TrainingCreateView(MentorRecordCreateView):
    form_class = TrainingForm
    heading = "Add training or a qualification"
    success_message = "Training added."


class SupervisionCreateView(MentorRecordCreateView):
    form_class = SupervisionForm
    heading = "Record a supervision session"
    success_message = "Supervision recorded."

    def get_initial(self):
        return {**super().get_initial(), "supervisor": self.request.user.pk}


class ProgressionCreateView(MentorRecordCreateView):
    form_class = ProgressionForm
    heading = "Record a step in the mentor's progression"
    success_message = "Progression recorded."


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
    scope = "managed_cases"
    template_name = "mentors/allocate.html"
    context_object_name = "case"

    def get_queryset(self):
        return super().get_queryset().open().select_related("client", "programme")

    def get_preference(self):
        return CaseMatchPreference.objects.filter(case=self.object).first() or CaseMatchPreference(case=self.object)

    def build(self, allocate_form=None, preference_form=None, data=None, conflict=None, conflict_form=None):
        case = self.object
        ctx = matching.load([case])
        matches = matching.rank(case, ctx)
        offered = [m for m in matches if m.offered]
        allowed = [m.mentor.pk for m in matches if not m.hard_vetoes]
        eligible = Mentor.objects.filter(pk__in=allowed).with_caseload().order_by("first_name", "last_name")
        current = list(Allocation.objects.current().filter(case=case).select_related("mentor"))
        lead = next((a for a in current if a.role == Allocation.Role.LEAD), None)
        if data is None and self.request.method == "POST" and "allocate" in self.request.POST:
            data = self.request.POST
        allocate_form = allocate_form or AllocateForm(
            data, case=case, eligible=eligible, suggested_ids=[m.mentor.pk for m in offered], lead=lead,
            initial={"mentor": offered[0].mentor.pk if offered else None},
        )
        preference_form = preference_form or MatchPreferenceForm(instance=self.get_preference())
        programme_mentors = Mentor.objects.active().filter(programmes=case.programme).order_by("first_name", "last_name")
        return {
            "case": case, "suggestions": offered[:5], "not_offered": [m for m in matches if not m.offered],
            "caution": matching.caution(case, ctx), "allocate_form": allocate_form,
            "preference_form": preference_form, "current_allocations": current,
            "conflicts": MentorConflict.objects.filter(client=case.client).select_related("mentor"),
            "conflict_form": conflict_form or ConflictForm(mentors=programme_mentors),
            "lead_seen": AllocateForm.seen_value(lead),
            "next": safe_next(self.request, ""), "today": timezone.localdate(), "conflict": conflict,
        }

    def record_conflict(self, request, case):
        mentors = Mentor.objects.active().filter(programmes=case.programme)
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
        found = MentorConflict.objects.filter(client=case.client, pk=int(pk) if pk.isdigit() else None).first()
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
                        raise StaleEdit(CaseMatchPreference.objects.get(case=case)) from None
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


class AllocationEndView(access.RoleRequiredMixin, FormView):
    """End a current allocation: from that day the mentor no longer sees the case. A case left
    without a lead mentor goes back to 'Cases to allocate'."""

    allowed_roles = LEADS
    form_class = EndAllocationForm
    template_name = "mentors/allocation_end.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and access.has_role(request.user, *self.allowed_roles):
            allocations = Allocation.objects.filter(case__in=access.managed_cases(request.user))
            if request.method != "POST":
                # A press on a page opened before someone else ended it is told so by end_allocation.
                allocations = allocations.exclude(ended_on__lte=timezone.localdate())
            self.allocation = access.load_or_404(
                request,
                allocations.select_related("case__client", "case__programme", "mentor"), pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

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


class MentorReallocateView(access.ScopedQuerysetMixin, FormView):
    """A mentor leaves or goes on leave: every current case on one screen, re-allocated in bulk."""

    allowed_roles = LEADS
    scope = "managed_mentors"
    form_class = ReallocateForm
    template_name = "mentors/mentor_reallocate.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and access.has_role(request.user, *self.allowed_roles):
            self.mentor = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_rows(self):
        if hasattr(self, "_rows"):
            return self._rows
        user = self.request.user
        held = (
            Allocation.objects.current().filter(mentor=self.mentor).exclude(case__status="closed")
            .filter(case__in=access.managed_cases(user)).values("case_id")
        )
        cases = list(
            access.managed_cases(user).filter(pk__in=held).select_related("client", "programme")
            .order_by("client__last_name", "client__first_name", "pk")
        )
        self.hidden_count = (
            Allocation.objects.current().filter(mentor=self.mentor).exclude(case__status="closed")
            .exclude(case__in=access.managed_cases(user)).values("case").distinct().count()
        )
        plan = matching.plan_reallocation(cases, from_mentor=self.mentor)
        eligible = list(
            Mentor.objects.available().vetted().exclude(pk=self.mentor.pk)
            .filter(programmes__in={c.programme_id for c in cases}).distinct()
            .with_caseload().prefetch_related("programmes").order_by("first_name", "last_name")
        )
        rows = []
        for case in cases:
            ranked, pick = plan.get(case.pk, ([], None))
            in_programme = [m for m in eligible if any(p.pk == case.programme_id for p in m.programmes.all())]
            rows.append((case, ranked, in_programme, pick))
        access.record_listed(self.request, [case.client_id for case in cases], verb="mentor.reallocation_viewed")
        self._rows = rows
        return rows

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "rows": self.get_rows(), "from_mentor": self.mentor}

    def get_context_data(self, **kwargs):
        self.get_rows()
        return super().get_context_data(mentor=self.mentor, hidden_count=self.hidden_count, **kwargs)

    def form_valid(self, form):
        status = form.cleaned_data["mentor_status"]
        data = form.cleaned_data
        left = None
        try:
            if status == "leaving":
                left = services.mark_mentor_left(
                    mentor=self.mentor, assignments=form.assignments(), reason=data["reason"], by=self.request.user,
                    on=data["started_on"],
                )
                created = left.reallocated
            else:
                created = services.reallocate_cases(
                    from_mentor=self.mentor, assignments=form.assignments(), reason=data["reason"],
                    by=self.request.user, on=data["started_on"],
                    on_leave_until=data["on_leave_until"] if status == "leave" else None,
                )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        message = f"{len(created)} case{'s' if len(created) != 1 else ''} re-allocated from {self.mentor}."
        if left is not None:
            message += " " + leaving_message(self.request.user, self.mentor, left)
        messages.success(self.request, message)
        return redirect("mentors:mentor_detail", pk=self.mentor.pk)



@require_POST
@access.role_required(*LEADS)
def dbs_status_check(request, pk):
    """Ask the DBS Update Service about one mentor now."""
    mentor = get_object_or_404(access.managed_mentors(request.user), pk=pk)
    try:
        status = dbs.check_status(mentor, by=request.user)
    except dbs.StatusCheckFailed as error:
        messages.error(request, str(error))
    else:
        label = Mentor.DbsStatus(status).label
        if mentor.dbs_status_review_needed:
            messages.warning(request, f"DBS status: {label}. {mentor} is not offered for matching until you record a review.")
        else:
            messages.success(request, f"DBS status: {label}.")
    return redirect("mentors:mentor_detail", pk=mentor.pk)


@require_POST
@access.role_required(*LEADS)
def dbs_status_review(request, pk):
    """A lead has looked into a DBS status change: the mentor is vetted again."""
    mentor = get_object_or_404(access.managed_mentors(request.user), pk=pk)
    note = request.POST.get("note", "").strip()
    if not mentor.dbs_status_review_needed:
        messages.info(request, "No DBS status change is waiting for review.")
    elif not note:
        messages.error(request, "Say what you found (e.g. new certificate seen, risk assessment done).")
    else:
        mentor.record_dbs_review(note=note)
        audit.record(request.user, "mentor.dbs_status_reviewed", mentor)
        messages.success(request, f"Review recorded: {mentor} can be offered for matching again.")
    return redirect("mentors:mentor_detail", pk=mentor.pk)
