"""What contacts adds to a client's page: a contacts section, goals, and timeline events.

Each function runs a fixed number of queries, however long the client's history.
"""

from datetime import datetime
from urllib.parse import urlencode

from django.db.models import Count, Prefetch, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from clients.registry import Link, TimelineEvent, client_links, client_section, timeline_source
from mentoring import access

from .models import Activity, Appointment, Attendance, Contact, Goal, SupportSpend, with_contact_summary

NOTE_LENGTH = 140


def _case_ids(cases):
    return [case.pk for case in cases]


@client_links("main", order=10)
def log_a_contact(request, client, cases):
    """The page's main action: log a contact on the first open case this user may change."""
    open_ids = [case.pk for case in cases if case.is_open]
    changeable = set(access.changeable_cases(request.user).filter(pk__in=open_ids).values_list("pk", flat=True)) if open_ids else set()
    case = next((case for case in cases if case.pk in changeable), None)
    return [Link("Log a contact", reverse("contacts:contact_create", args=[case.pk]), case_id=case.pk)] if case else []


@client_links("page", order=10)
def book_next_session(request, client, cases):
    """Book the next session on the first open case this user may change."""
    open_ids = [case.pk for case in cases if case.is_open]
    changeable = set(access.changeable_cases(request.user).filter(pk__in=open_ids).values_list("pk", flat=True)) if open_ids else set()
    case = next((case for case in cases if case.pk in changeable), None)
    if case is None:
        return []
    url = f"{reverse('contacts:appointment_create', args=[case.pk])}?{urlencode({'next': request.path})}"
    return [Link("Book the next session", url, case_id=case.pk)]


@client_section(order=16, title="Booked sessions", template="contacts/sections/appointments.html")
def appointments_section(request, client, cases):
    """The sessions booked from today on, each with its change link for whoever may change it."""
    ids = _case_ids(cases)
    if not ids:
        return None
    booked = list(Appointment.objects.restrict(request.user, "view").filter(case_id__in=ids, date__gte=timezone.localdate())
                  .booked().select_related("case__programme", "mentor"))
    if not booked:
        return None
    changeable = set(access.changeable_cases(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    return {"appointments": [{"appointment": a, "can_change": a.case_id in changeable} for a in booked]}


@client_section(order=15, title="Contacts", template="contacts/sections/contacts.html")
def contacts_section(request, client, cases):
    """Per case: last contact, next follow-up, spend, and the buttons to log."""
    ids = _case_ids(cases)
    if not ids:
        return None
    from clients.models import Case

    cases_seen = Case.objects.restrict(request.user, "view").filter(pk__in=ids)
    summary = list(with_contact_summary(cases_seen).select_related("programme").annotate(
        contact_count=Count("contacts", distinct=True)
    ).order_by("-started_on", "-pk"))
    changeable = set(access.changeable_cases(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    spend = dict(
        SupportSpend.objects.restrict(request.user, "view").filter(case_id__in=ids).order_by().values("case")
        .annotate(total=Sum("amount"))
        .values_list("case", "total")
    )
    today = timezone.localdate()
    return {
        "client": client,
        "cases": [
            {"case": case, "can_change": case.pk in changeable and case.is_open, "spend_total": spend.get(case.pk),
             "days_since": (today - case.last_contact_on).days if case.last_contact_on else None}
            for case in summary
        ],
    }


@client_section(order=20, title="Goals", template="contacts/sections/goals.html")
def goals_section(request, client, cases):
    ids = _case_ids(cases)
    if not ids:
        return None
    changeable = set(access.changeable_cases(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    goals = list(Goal.objects.restrict(request.user, "view").filter(case_id__in=ids).select_related("case__programme"))
    today = timezone.localdate()
    open_cases = [case for case in cases if case.pk in changeable and case.is_open]
    return {
        "goals": [{"goal": g, "can_change": g.case_id in changeable, "past_target": g.is_past_target(today)} for g in goals],
        "add_case": open_cases[0] if open_cases else None,
    }


def _at(day, time):
    if time is None:
        return None
    return timezone.make_aware(datetime.combine(day, time))


@timeline_source
def contact_events(request, client, cases):
    """Contacts with their activities, group sessions, goals and support spend."""
    ids = _case_ids(cases)
    if not ids:
        return []
    events = []
    # Only what an event shows: the timeline of a long-supported client runs to hundreds.
    contacts = (
        Contact.objects.restrict(request.user, "view").filter(case_id__in=ids)
        .only("date", "start_time", "mode", "attendance", "notes", "follow_up_on", "group_session__title")
        .select_related("group_session")
        .prefetch_related(Prefetch("activities", queryset=Activity.objects.only("name").order_by("order", "name")))
    )
    for contact in contacts:
        how = f"Group session: {contact.group_session.title}" if contact.group_session_id else contact.get_mode_display()
        title = how if contact.attendance == Attendance.ATTENDED else f"{how}: {contact.get_attendance_display().lower()}"
        activities = ", ".join(a.name for a in contact.activities.all())
        detail = " · ".join(part for part in (
            activities, Truncator(contact.notes).chars(NOTE_LENGTH),
            f"Follow up on {contact.follow_up_on:%-d %b %Y}" if contact.follow_up_on else "",
        ) if part)
        events.append(TimelineEvent(
            on=contact.date, at=_at(contact.date, contact.start_time), kind="contact", title=title, detail=detail,
            url=reverse("contacts:contact_update", args=[contact.pk]),
            icon="group" if contact.group_session_id else "contact",
        ))
    for goal in Goal.objects.restrict(request.user, "view").filter(case_id__in=ids):
        url = reverse("contacts:goal_update", args=[goal.pk])
        set_on = timezone.localtime(goal.created_at).date()
        events.append(TimelineEvent(on=set_on, at=goal.created_at, kind="goal", title="Goal set",
                                    detail=Truncator(goal.description).chars(NOTE_LENGTH), url=url, icon="goal"))
        if goal.status != Goal.Status.OPEN and goal.reviewed_on:
            events.append(TimelineEvent(on=goal.reviewed_on, kind="goal", title=f"Goal {goal.get_status_display().lower()}",
                                        detail=Truncator(goal.description).chars(NOTE_LENGTH), url=url, icon="goal"))
    for spend in SupportSpend.objects.restrict(request.user, "view").filter(case_id__in=ids):
        events.append(TimelineEvent(on=spend.spent_on, kind="spend", title=f"Support spend: £{spend.amount:,.2f}",
                                    detail=spend.get_category_display(), icon="spend"))
    return events
