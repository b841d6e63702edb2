"""Home-page panels: the mentor's 'Due' list and client cards, and a lead's due list."""

from datetime import timedelta

from django.db.models import Count, Prefetch, Window
from django.db.models.functions import Coalesce
from django.utils import timezone

from clients.models import Case, RiskFlag
from mentoring import access
from mentoring.dashboard import panel
from mentoring.models import Programme
from mentors.models import Allocation

from .appointment_models import Appointment
from .models import Contact, Goal, is_quiet, quiet_cases, quiet_since, with_contact_summary, with_last_attended

DUE_LIST_LIMIT = 10


def _with_flags(cases, user):
    flags = RiskFlag.objects.restrict(user, "view").active()
    return cases.select_related("client", "programme").prefetch_related(
        Prefetch("client__risk_flags", queryset=flags, to_attr="prefetched_active_risk_flags")
    )


def _card(case, today):
    quiet = case.status == Case.Status.ACTIVE and is_quiet(case, today)
    last = case.last_contact_on
    return {
        "case": case,
        "client": case.client,
        "last_contact_on": last,
        "days_since": (today - last).days if last else None,
        "quiet": quiet,
        "quiet_days": (today - quiet_since(case)).days,
        "next_follow_up_on": case.next_follow_up_on,
        "follow_up_overdue": bool(case.next_follow_up_on and case.next_follow_up_on < today),
    }


def mentor_due(user, today=None):
    """The mentor's caseload cards and what is due: a fixed number of queries for any caseload.

    Queries: the cases with their contact summary (1), risk flags (1), due follow-ups (1),
    goals past their target date (1), booked sessions gone by with nothing logged (1).
    """
    today = today or timezone.localdate()
    # Their own caseload, through the door: a mentor who also leads sees their programmes
    # in the lead's panel, not here.
    mine = Allocation.objects.restrict(user, "view").current(today).filter(mentor__user=user).values("case_id")
    cases = list(
        _with_flags(with_contact_summary(Case.objects.restrict(user, "view").open().filter(pk__in=mine)), user)
        .order_by("client__last_name", "client__first_name", "pk")
    )
    cards = [_card(case, today) for case in cases]
    case_ids = [case.pk for case in cases]
    follow_ups = list(
        Contact.objects.restrict(user, "view").filter(case_id__in=case_ids).follow_ups_due(today)
        .select_related("case__client").order_by("follow_up_on", "pk")
    )
    goals = list(
        Goal.objects.restrict(user, "view").filter(case_id__in=case_ids).past_target(today)
        .select_related("case__client").order_by("target_on")
    )
    # A booked session whose time has gone by with nothing logged: log it, or mark it a DNA.
    passed = list(
        Appointment.objects.restrict(user, "view").filter(case_id__in=case_ids).passed()
        .select_related("case__client").order_by("date", "start_time", "pk")
    )
    quiet = sorted((card for card in cards if card["quiet"]), key=lambda card: -card["quiet_days"])
    return {
        "today": today,
        "cards": cards,
        "follow_ups": [{"contact": c, "days_overdue": (today - c.follow_up_on).days} for c in follow_ups],
        "quiet": quiet,
        "goals": [{"goal": g, "days_overdue": (today - g.target_on).days} for g in goals],
        "appointments": passed,
        "due_count": len(follow_ups) + len(quiet) + len(goals) + len(passed),
    }


@panel(roles=[access.MENTOR], order=10, template="contacts/panels/mentor_home.html")
def mentor_home(request):
    return mentor_due(request.user)


def coming_up(user, today=None):
    """The booked sessions of today and tomorrow the user may see, in time order: a mentor's
    own cases, a lead's programmes (the access door decides). One query, however many."""
    today = today or timezone.localdate()
    tomorrow = today + timedelta(days=1)
    booked = list(
        Appointment.objects.restrict(user, "view").on_days(today, tomorrow)
        .select_related("case__client", "mentor").order_by("date", "start_time", "pk")
    )
    return {
        "today": today,
        # The clients named here are read (mentoring.dashboard.records_in finds them).
        "appointments": booked,
        "days": [
            {"label": label, "day": day, "appointments": [a for a in booked if a.date == day]}
            for label, day in (("Today", today), ("Tomorrow", tomorrow))
        ],
        "count": len(booked),
    }


@panel(roles=[access.MENTOR, access.LEAD], order=5, template="contacts/panels/coming_up.html")
def today_and_tomorrow(request):
    return coming_up(request.user)


def lead_due(user, today=None):
    """What is due across the programmes a lead leads: overdue follow-ups, people going quiet,
    goals past target, booked sessions gone by unlogged. Each list is capped, with its full count; a fixed number of queries."""
    today = today or timezone.localdate()
    programmes = list(Programme.objects.filter(pk__in=access.led_programme_ids(user)))
    if not programmes:
        return None
    cases = Case.objects.restrict(user, "view").open().filter(programme__in=programmes)
    leads = Allocation.objects.restrict(user, "view").current(today).leads().select_related("mentor")
    current_leads = Prefetch("allocations", queryset=leads, to_attr="current_leads")
    # Quiet since the last attended contact, or since the case opened if there has been none.
    oldest = (Coalesce("last_attended_on", "started_on"), "pk")
    # The ten quietest and how many there are in one pass, then their client, programme and
    # mentor: joining those for every quiet case of a large programme costs more than the sort.
    quietest = list(
        quiet_cases(cases, programmes, today).annotate(total=Window(Count("pk"))).order_by(*oldest)
        .values_list("pk", "total")[:DUE_LIST_LIMIT]
    )
    quiet_list = list(
        with_last_attended(Case.objects.restrict(user, "view").filter(pk__in=[pk for pk, _ in quietest]))
        .select_related("client", "programme").prefetch_related(current_leads).order_by(*oldest)
    )
    follow_ups = Contact.objects.restrict(user, "view").filter(case__in=cases).follow_ups_due(today)
    passed = Appointment.objects.restrict(user, "view").filter(case__in=cases).passed()
    goals = Goal.objects.restrict(user, "view").filter(case__in=cases).past_target(today)
    return {
        "today": today,
        "quiet": [{"case": c, "days": (today - quiet_since(c)).days,
                   "mentor": c.current_leads[0].mentor if c.current_leads else None} for c in quiet_list],
        "quiet_count": quietest[0][1] if quietest else 0,
        "follow_ups": [
            {"contact": c, "days_overdue": (today - c.follow_up_on).days}
            for c in follow_ups.select_related("case__client", "mentor").order_by("follow_up_on", "pk")[:DUE_LIST_LIMIT]
        ],
        "follow_up_count": follow_ups.count(),
        "goals": [
            {"goal": g, "days_overdue": (today - g.target_on).days}
            for g in goals.select_related("case__client").order_by("target_on", "pk")[:DUE_LIST_LIMIT]
        ],
        "goal_count": goals.count(),
        "appointments": list(passed.select_related("case__client", "mentor").order_by("date", "start_time", "pk")
                             [:DUE_LIST_LIMIT]),
        "appointment_count": passed.count(),
    }


@panel(roles=[access.LEAD], order=40, template="contacts/panels/lead_due.html")
def lead_home(request):
    return lead_due(request.user)
