import csv
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, FormView, UpdateView
from django_filters.views import FilterView

from mentoring import access, audit
from mentoring.locking import ConflictMixin
from mentoring.tables import SingleTableMixin
from mentoring.utils import mid_sentence, safe_next, spreadsheet_safe

from . import appointment_services, services
from .appointment_models import Appointment
from .filters import ContactFilter
from .forms import ContactForm, ContactUpdateForm, GoalForm, GroupSessionForm, SupportSpendForm
from .models import Attendance, Contact, Goal, GroupSession, SupportSpend
from .tables import ContactTable

CASE_WORKERS = (access.MENTOR, access.LEAD, access.MANAGER)


def case_page_url(case):
    return reverse("clients:client_detail", args=[case.client_id])


def _day(value):
    today = timezone.localdate()
    return "today" if value == today else f"{value:%a %-d %b}"


def _on(value):
    return "today" if value == timezone.localdate() else f"on {value:%a %-d %b}"


def _token(data):
    """The form's one-time token (forms.SubmissionTokenField), or None if it sent none."""
    try:
        return UUID(data.get("submission_token", ""))
    except ValueError:
        return None


def logged_message(contact, client, spend=None):
    """What the mentor is told once a contact is saved: a session that did not happen says so,
    and support spend saved with it is named."""
    name, day = client.name_for_header, contact.date
    if contact.attendance == Attendance.DID_NOT_ATTEND:
        text = f"Recorded: {name} did not attend {_on(day)}."
    elif contact.attendance == Attendance.CANCELLED_BY_CLIENT:
        text = f"Recorded: {name} cancelled the session {_on(day)}."
    elif contact.attendance == Attendance.CANCELLED_BY_SERVICE:
        text = f"Recorded: the session with {name} {_on(day)} was cancelled by the service."
    else:
        text = f"Contact with {name} logged for {_day(day)}."
    if spend is not None:
        text += f" Support spend of £{spend.amount:,.2f} for {mid_sentence(spend.get_category_display())} recorded."
    # The moment to plan the next one is straight after logging this one.
    return format_html('{} <a href="{}">Change it</a> · <a href="{}">Book the next session</a>', text,
                       reverse("contacts:contact_update", args=[contact.pk]),
                       reverse("contacts:appointment_create", args=[contact.case_id]))


class CaseMixin(access.CaseScopedMixin):
    """Views about one case (`case_pk`), returning where the mentor came from."""

    allowed_roles = CASE_WORKERS
    case_kwarg = "case_pk"

    def get_success_url(self):
        return safe_next(self.request, case_page_url(self.case))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(case=self.case, client=self.case.client,
                       back_url=safe_next(self.request, case_page_url(self.case)),
                       next=safe_next(self.request, ""))
        return context


class ContactCreateView(CaseMixin, CreateView):
    """Log a contact: one screen, one submit, back where the mentor came from."""

    model = Contact
    form_class = ContactForm
    template_name = "contacts/contact_form.html"

    def get_form_kwargs(self):
        # The case offers its programme's usual activities first; on a post, whom the contact
        # will be with (as log_contact decides) is for the same-time check.
        kwargs = {**super().get_form_kwargs(), "case": self.case}
        if self.request.method == "POST":
            kwargs["mentor"] = services.default_mentor(user=self.request.user, case=self.case)
        return kwargs

    @cached_property
    def appointment(self):
        """The booked session this contact logs ("Log it": `?appointment=`), through the door."""
        pk = self.request.GET.get("appointment", "")
        if not pk.isdigit():
            return None
        return Appointment.objects.restrict(self.request.user, "change").booked().filter(case=self.case, pk=pk).first()

    def get_initial(self):
        """Prefilled from the booked session being logged: its day, time, how and where."""
        initial = super().get_initial()
        booked = self.appointment
        if booked is not None:
            if booked.date <= timezone.localdate():
                initial["date"] = booked.date
            initial.update(start_time=booked.start_time, mode=booked.mode, location=booked.location)
            if booked.duration_minutes:
                initial["duration_minutes"] = booked.duration_minutes
        return initial

    def post(self, request, *args, **kwargs):
        earlier = services.recorded_with(Contact, token=_token(request.POST), case=self.case)
        if earlier is not None:
            return self.already_saved(earlier)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        contact = form.save(commit=False)
        contact.case = self.case
        spend = form.spend()
        try:
            services.log_contact(contact=contact, activities=form.cleaned_data["activities"], by=self.request.user,
                                 token=form.cleaned_data["submission_token"], spend=spend)
        except services.AlreadyRecorded as already:
            return self.already_saved(already.record)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        if self.appointment is not None:
            appointment_services.attended(appointment=self.appointment, contact=contact, by=self.request.user)
        messages.success(self.request, logged_message(contact, self.case.client, spend))
        return redirect(self.get_success_url())

    def already_saved(self, contact):
        """The same form sent again (a double tap, a retry after an error): nothing new is saved."""
        messages.info(self.request, format_html(
            'This contact was already saved. <a href="{}">Change it</a>', reverse("contacts:contact_update", args=[contact.pk])
        ))
        return redirect(self.get_success_url())


@require_POST
@access.role_required(*CASE_WORKERS)
def contact_missed(request, case_pk):
    """A missed appointment in two taps: 'Didn't attend' on a card, then this records it."""
    case = access.load_or_404(request, access.changeable_cases(request.user).select_related("client"), pk=case_pk)
    back = safe_next(request, reverse("home"))
    token = _token(request.POST)
    try:
        earlier = services.recorded_with(Contact, token=token, case=case)
        if earlier is not None:
            raise services.AlreadyRecorded(earlier)
        contact = services.record_missed(case=case, by=request.user, mode=request.POST.get("mode", ""), token=token)
    except services.AlreadyRecorded as already:
        messages.info(request, format_html(
            'This missed appointment was already recorded. <a href="{}">Change or correct it</a>',
            reverse("contacts:contact_update", args=[already.record.pk]),
        ))
        return redirect(back)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(back)
    messages.success(request, format_html(
        "Recorded: {} did not attend today ({}). <a href=\"{}\">Book the next session</a> · "
        "Pressed by mistake? <a href=\"{}\">Change or correct it</a>",
        case.client.name_for_header, contact.get_mode_display().lower(),
        reverse("contacts:appointment_create", args=[case.pk]), reverse("contacts:contact_update", args=[contact.pk]),
    ))
    return redirect(back)


class ContactUpdateView(access.ScopedQuerysetMixin, ConflictMixin, UpdateView):
    """Edit a contact: its mentor for 7 days, leads and managers of the programme always.

    Outside that window the contact is shown read-only. A save based on an older version
    than the one stored is refused and both versions are shown.
    """

    allowed_roles = CASE_WORKERS
    model = Contact
    form_class = ContactUpdateForm
    template_name = "contacts/contact_form.html"
    conflict_noun = "this contact"

    def get_queryset(self):
        return Contact.objects.restrict(self.request.user, "view").for_lists()

    def get_object(self, queryset=None):
        contact = super().get_object(queryset)
        self.case = contact.case
        user = self.request.user
        self.editable = (
            access.changeable_cases(user).filter(pk=contact.case_id).exists() and contact.can_be_edited_by(user)
        )
        return contact

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not self.editable:
            return self.render_to_response(self.get_context_data(read_only=True))
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not self.editable:
            raise PermissionDenied("This contact is read-only: the 7 days for editing have passed.")
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(case=self.case, client=self.case.client, contact=self.object, editing=True,
                       back_url=safe_next(self.request, case_page_url(self.case)), next=safe_next(self.request, ""))
        if context.get("read_only"):
            context.pop("form", None)
        return context

    def form_valid(self, form):
        # A stale save raises StaleContact, answered by ConflictMixin (409, both versions shown).
        contact = form.save(commit=False)
        services.update_contact(
            contact=contact, version=form.expected_version, save_m2m=form.save_m2m, by=self.request.user
        )
        messages.success(self.request, "Contact saved.")
        return redirect(safe_next(self.request, case_page_url(self.case)))


class GroupSessionCreateView(access.RoleRequiredMixin, FormView):
    """A group session recorded once: an attended 'group' contact for each client present."""

    allowed_roles = CASE_WORKERS
    form_class = GroupSessionForm
    template_name = "contacts/group_session_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "programme": self.request.GET.get("programme")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cases = context["form"].shown_cases
        access.record_listed(self.request, cases.values_list("client_id", flat=True), verb="group_session_form.viewed")
        return {**context, "back_url": safe_next(self.request, reverse("home")), "next": safe_next(self.request, "")}

    def post(self, request, *args, **kwargs):
        earlier = services.recorded_with(GroupSession, token=_token(request.POST), created_by=request.user)
        if earlier is not None:
            return self.already_recorded(earlier)
        return super().post(request, *args, **kwargs)

    def already_recorded(self, session):
        messages.info(self.request, f"This group session was already recorded: '{session.title}'.")
        return redirect(safe_next(self.request, reverse("home")))

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            session = services.record_group_session(
                programme=data["programme"], title=data["title"], on=data["date"], start_time=data["start_time"],
                duration_minutes=data["duration_minutes"], location=data["location"], notes=data["notes"],
                cases=data["cases"], activities=data["activities"], by=self.request.user,
                token=data["submission_token"],
            )
        except services.AlreadyRecorded as already:
            return self.already_recorded(already.record)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        count = session.contacts.count()
        messages.success(self.request, f"Group session '{session.title}' recorded: an attended contact for "
                                       f"{count} client{'s' if count != 1 else ''}.")
        return redirect(safe_next(self.request, reverse("home")))


class CaseRecordCreateView(CaseMixin, CreateView):
    """Add a record to the case on the simple form; back where the mentor came from."""

    template_name = "contacts/simple_form.html"

    def save_on_case(self, form, **fields):
        record = form.save(commit=False)
        record.case = self.case
        for name, value in fields.items():
            setattr(record, name, value)
        record.save()
        return record

    def saved(self, message):
        messages.success(self.request, message)
        return redirect(self.get_success_url())


class SupportSpendCreateView(CaseRecordCreateView):
    model = SupportSpend
    form_class = SupportSpendForm
    extra_context = {"title": "Record support spend", "submit_label": "Save spend"}

    def form_valid(self, form):
        spend = self.save_on_case(form, recorded_by=self.request.user)
        audit.record(self.request.user, "support_spend.recorded", spend, amount=str(spend.amount))
        return self.saved(f"£{spend.amount:,.2f} for {mid_sentence(spend.get_category_display())} recorded "
                          f"for {self.case.client.name_for_header}.")


class GoalCreateView(CaseRecordCreateView):
    model = Goal
    form_class = GoalForm
    extra_context = {"title": "Add a goal", "submit_label": "Save goal"}

    def form_valid(self, form):
        goal = self.save_on_case(form)
        audit.record(self.request.user, "goal.added", goal)
        return self.saved(f"Goal added for {self.case.client.name_for_header}.")


class GoalUpdateView(access.ScopedQuerysetMixin, ConflictMixin, UpdateView):
    allowed_roles = CASE_WORKERS
    model = Goal
    form_class = GoalForm
    template_name = "contacts/simple_form.html"
    extra_context = {"title": "Review a goal", "submit_label": "Save goal"}
    conflict_noun = "this goal"

    def get_queryset(self):
        return Goal.objects.restrict(self.request.user, "change").select_related(
            "case__client", "case__programme"
        )

    def get_context_data(self, **kwargs):
        case = self.object.case
        return {**super().get_context_data(**kwargs), "case": case, "client": case.client,
                "back_url": safe_next(self.request, case_page_url(case)), "next": safe_next(self.request, "")}

    def form_valid(self, form):
        goal = form.save()
        audit.record(self.request.user, "goal.updated", goal, status=goal.status)
        messages.success(self.request, "Goal saved.")
        return redirect(safe_next(self.request, case_page_url(goal.case)))


class CaseContactListView(CaseMixin, SingleTableMixin, FilterView):
    """Every contact on one case, filterable, paginated; CSV for leads and managers."""

    case_action = "view"
    audit_verb = "case.contacts_viewed"
    table_class = ContactTable
    filterset_class = ContactFilter
    template_name = "contacts/case_contacts.html"
    paginate_by = 25

    def get_queryset(self):
        return Contact.objects.restrict(self.request.user, "view").filter(case=self.case).for_lists()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_export"] = access.managed_cases(user).filter(pk=self.case.pk).exists()
        context["can_change"] = access.changeable_cases(user).filter(pk=self.case.pk).exists()
        context["spend_total"] = self.case.support_spend.aggregate(total=Sum("amount"))["total"]
        context["query"] = self.request.GET.urlencode()
        return context


@access.role_required(access.LEAD, access.MANAGER)
def case_contacts_csv(request, case_pk):
    """The contact list as CSV for the lead: the same filters; notes are left out."""
    case = access.load_or_404(request, access.managed_cases(request.user).select_related("client", "programme"), pk=case_pk)
    contacts = Contact.objects.restrict(request.user, "manage").filter(case=case).for_lists()
    filterset = ContactFilter(request.GET, queryset=contacts)
    contacts = filterset.qs
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="case-{case.pk}-contacts.csv"'
    writer = csv.writer(response)
    writer.writerow(["Date", "Time", "Minutes", "How", "Attendance", "Group session", "Activities", "Where",
                     "Mentor", "Next steps", "Follow up on"])
    rows = 0
    for c in contacts:
        writer.writerow([spreadsheet_safe(v) for v in (
            c.date.isoformat(), c.start_time.strftime("%H:%M") if c.start_time else "", c.duration_minutes,
            c.get_mode_display(), c.get_attendance_display(), c.group_session.title if c.group_session_id else "",
            "; ".join(a.name for a in c.activities.all()), c.get_location_display(),
            str(c.mentor) if c.mentor_id else "", c.next_steps, c.follow_up_on.isoformat() if c.follow_up_on else "",
        )])
        rows += 1
    audit.record_export(request, "case.contacts_exported", case, rows=rows, filters=audit.filter_detail(filterset.form))
    return response
