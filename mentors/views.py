"""A mentor's own pages: the list, profile, records (training, supervision, progression),
re-allocating their cases, and DBS status checks.

The allocation screens (board, proposal, allocating one case, ending an allocation) are in
allocation_views.py.
"""

from django.contrib import messages
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, DetailView, FormView, UpdateView
from django_filters.views import FilterView

from mentoring import access, audit
from mentoring.locking import ConflictMixin
from mentoring.tables import SingleTableMixin

from . import dbs, matching, services
from .filters import MentorFilter
from .forms import MentorForm, ProgressionForm, ReallocateForm, SupervisionForm, TrainingForm
from .models import Allocation, Mentor
from .tables import MentorTable

LEADS = (access.LEAD, access.MANAGER)


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

    model = Mentor
    template_name = "mentors/mentor_detail.html"
    context_object_name = "mentor"

    def get_queryset(self):
        return super().get_queryset().with_caseload().with_compliance().prefetch_related("programmes", "strengths")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        mentor, user = self.object, self.request.user
        today = timezone.localdate()
        allocations = list(
            Allocation.objects.restrict(user, "view").filter(mentor=mentor)
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
    action = "manage"
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


class MentorRecordCreateView(access.ParentObjectMixin, SuccessMessageMixin, CreateView):
    """Add a training, supervision or progression entry to a mentor the user manages."""

    allowed_roles = LEADS
    parent_model = Mentor
    parent_action = "manage"
    parent_attribute = "mentor"
    template_name = "mentors/mentor_record_form.html"
    heading = ""

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


class MentorReallocateView(access.ParentObjectMixin, FormView):
    """A mentor leaves or goes on leave: every current case on one screen, re-allocated in bulk."""

    allowed_roles = LEADS
    parent_model = Mentor
    parent_action = "manage"
    parent_attribute = "mentor"
    form_class = ReallocateForm
    template_name = "mentors/mentor_reallocate.html"

    def get_rows(self):
        if hasattr(self, "_rows"):
            return self._rows
        user = self.request.user
        held = (
            Allocation.objects.restrict(user, "manage").current().filter(mentor=self.mentor)
            .exclude(case__status="closed").values("case_id")
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
            Mentor.objects.restrict(user, "manage").available().vetted().exclude(pk=self.mentor.pk)
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
