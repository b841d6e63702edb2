"""Booking the next session, changing or cancelling it, and 'Did not attend' on one that passed.

Every appointment is loaded through the access door for "change": another mentor's
appointment, or another programme's, is a 404.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, UpdateView

from mentoring import access
from mentoring.locking import ConflictMixin
from mentoring.utils import safe_next

from . import appointment_services as services
from .appointment_forms import AppointmentForm, AppointmentUpdateForm
from .appointment_models import Appointment
from .services import AlreadyRecorded, recorded_with
from .views import CASE_WORKERS, CaseMixin, _token, case_page_url


def when_words(appointment):
    """'today at 14:30', 'tomorrow at 09:00', 'on Tue 24 Nov 2026 at 10:15'."""
    today = timezone.localdate()
    days = (appointment.date - today).days
    day = {0: "today", 1: "tomorrow"}.get(days, f"on {appointment.date:%a %-d %b %Y}")
    return f"{day} at {appointment.start_time:%H:%M}"


def book_next_url(case_pk, next_url=""):
    url = reverse("contacts:appointment_create", args=[case_pk])
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def log_it_url(appointment, next_url=""):
    """The log-a-contact form, prefilled from the appointment and linked to it when saved."""
    query = {"appointment": appointment.pk, **({"next": next_url} if next_url else {})}
    return f"{reverse('contacts:contact_create', args=[appointment.case_id])}?{urlencode(query)}"


def booked_message(appointment, client):
    return format_html(
        'Next session with {} booked for {}. <a href="{}">Change it</a>',
        client.name_for_header, when_words(appointment), reverse("contacts:appointment_update", args=[appointment.pk]),
    )


class AppointmentCreateView(CaseMixin, CreateView):
    """Book the next session: from the client page, or straight after logging a contact."""

    model = Appointment
    form_class = AppointmentForm
    template_name = "contacts/appointment_form.html"
    extra_context = {"title": "Book the next session", "submit_label": "Book the session"}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "case": self.case, "user": self.request.user}

    def post(self, request, *args, **kwargs):
        earlier = recorded_with(Appointment, token=_token(request.POST), case=self.case)
        if earlier is not None:
            return self.already_booked(earlier)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        appointment = form.save(commit=False)
        appointment.case = self.case
        try:
            services.book(appointment=appointment, by=self.request.user, token=form.cleaned_data["submission_token"])
        except AlreadyRecorded as already:
            return self.already_booked(already.record)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, booked_message(appointment, self.case.client))
        return redirect(self.get_success_url())

    def already_booked(self, appointment):
        """The same form sent twice (a double tap): one appointment, and the person told so."""
        messages.info(self.request, format_html(
            'This session was already booked, {}. <a href="{}">Change it</a>', when_words(appointment),
            reverse("contacts:appointment_update", args=[appointment.pk]),
        ))
        return redirect(self.get_success_url())


class AppointmentUpdateView(access.ScopedQuerysetMixin, ConflictMixin, UpdateView):
    """Change a booked session (a stale save is refused, 409), or cancel it."""

    allowed_roles = CASE_WORKERS
    model = Appointment
    action = "change"
    form_class = AppointmentUpdateForm
    template_name = "contacts/appointment_form.html"
    conflict_noun = "this appointment"
    extra_context = {"title": "Change the booked session", "submit_label": "Save changes", "editing": True}

    def get_queryset(self):
        return Appointment.objects.restrict(self.request.user, "change").booked().select_related(
            "case__client", "case__programme")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "case": self.object.case, "user": self.request.user}

    def get_context_data(self, **kwargs):
        case = self.object.case
        return {**super().get_context_data(**kwargs), "case": case, "client": case.client, "appointment": self.object,
                "back_url": safe_next(self.request, case_page_url(case)), "next": safe_next(self.request, "")}

    def form_valid(self, form):
        # A stale save raises StaleEdit, answered by ConflictMixin (409, both versions named).
        appointment = form.save(commit=False)
        try:
            services.update(appointment=appointment, version=form.expected_version,
                            fields=form.edited_model_fields(), by=self.request.user)
        except services.NotBooked as closed:
            messages.info(self.request, f"Nothing changed: this session is already {closed.appointment.get_status_display().lower()}.")
        else:
            messages.success(self.request, booked_message(appointment, appointment.case.client))
        return redirect(safe_next(self.request, case_page_url(appointment.case)))


def _load(request, pk):
    queryset = Appointment.objects.restrict(request.user, "change").select_related("case__client")
    return access.load_or_404(request, queryset, pk=pk)


@require_POST
@access.role_required(*CASE_WORKERS)
def appointment_cancel(request, pk):
    """Cancel a booked session: the row is kept, as cancelled, and the change audited."""
    appointment = _load(request, pk)
    back = safe_next(request, case_page_url(appointment.case))
    try:
        services.cancel(appointment=appointment, by=request.user)
    except services.NotBooked as closed:
        messages.info(request, f"This session is already {closed.appointment.get_status_display().lower()}.")
        return redirect(back)
    messages.success(request, format_html(
        'The session with {} {} is cancelled. <a href="{}">Book the next session</a>',
        appointment.case.client.name_for_header, when_words(appointment), book_next_url(appointment.case_id, back),
    ))
    return redirect(back)


@require_POST
@access.role_required(*CASE_WORKERS)
def appointment_missed(request, pk):
    """'Did not attend' on a passed session: one DNA contact, however often it is pressed."""
    appointment = _load(request, pk)
    back = safe_next(request, reverse("home"))
    name = appointment.case.client.name_for_header
    try:
        contact = services.missed(appointment=appointment, by=request.user)
    except AlreadyRecorded as already:
        messages.info(request, format_html(
            'This missed session was already recorded. <a href="{}">Change or correct it</a>',
            reverse("contacts:contact_update", args=[already.record.pk]),
        ))
        return redirect(back)
    except services.NotBooked as closed:
        messages.info(request, f"This session is already {closed.appointment.get_status_display().lower()}.")
        return redirect(back)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(back)
    messages.success(request, format_html(
        'Recorded: {} did not attend {} ({}). <a href="{}">Book the next session</a> · '
        'Pressed by mistake? <a href="{}">Change or correct it</a>',
        name, when_words(appointment), contact.get_mode_display().lower(), book_next_url(appointment.case_id, back),
        reverse("contacts:contact_update", args=[contact.pk]),
    ))
    return redirect(back)
