"""What outcomes adds to a client's page: sections (Progress, Achievements, Offences and
custody) and timeline events. Found by clients.registry.autodiscover(); each function runs a
fixed number of queries however long the client's history is."""

from itertools import groupby

from django.urls import reverse

from clients.registry import Link, TimelineEvent, client_links, client_section, timeline_source
from mentoring import access

from .models import Achievement, Assessment, CustodyPeriod, Domain, Offence, Questionnaire
from .progress import build_wheel

RECENT_OFFENCES = 5


def _case_ids(cases):
    return [case.pk for case in cases]


def _changeable_case_ids(request, cases):
    return set(access.changeable_cases(request.user).filter(pk__in=_case_ids(cases)).values_list("pk", flat=True))


@client_links("closing", order=10)
def exit_records(request, client, cases):
    """Before a case closes: its exit assessment and questionnaire."""
    links = []
    for case in cases:
        links += [
            Link("Record an exit assessment", reverse("outcomes:assessment_create", args=[case.pk]) + "?stage=exit", case_id=case.pk),
            Link("Record the exit questionnaire", reverse("outcomes:questionnaire_create", args=[case.pk]), case_id=case.pk),
        ]
    return links


@client_section(order=30, title="Progress", template="outcomes/sections/progress.html")
def progress(request, client, cases):
    """The latest wheel of each case (first against latest) with the distance travelled."""
    cases = list(cases)
    assessments = list(
        Assessment.objects.restrict(request.user, "view").filter(case_id__in=_case_ids(cases))
        .select_related("template")
        .prefetch_related("scores")
        .order_by("case_id", "template_id", "assessed_on", "id")
    )
    template_ids = {a.template_id for a in assessments}
    domains = {}
    for domain in Domain.objects.filter(template_id__in=template_ids).order_by("template_id", "order", "id"):
        domains.setdefault(domain.template_id, []).append(domain)
    cases_by_id = {case.pk: case for case in cases}
    wheels = []
    for (case_id, template_id), group in groupby(assessments, key=lambda a: (a.case_id, a.template_id)):
        group = list(group)
        wheel = build_wheel(group, domains.get(template_id, []), chart_id=f"wheel-case-{case_id}-{template_id}")
        wheels.append({"case": cases_by_id.get(case_id), "wheel": wheel, "assessments": group})
    wheels.sort(key=lambda w: w["wheel"].latest.assessed_on, reverse=True)
    changeable = _changeable_case_ids(request, cases)
    return {
        "wheels": wheels,
        "add_cases": [case for case in cases if case.pk in changeable and case.is_open],
        "changeable_case_ids": changeable,
    }


@client_section(order=40, title="Achievements", template="outcomes/sections/achievements.html")
def achievements(request, client, cases):
    cases = list(cases)
    rows = list(Achievement.objects.restrict(request.user, "view").filter(case_id__in=_case_ids(cases)).select_related("type"))
    changeable = _changeable_case_ids(request, cases)
    return {
        "achievements": rows,
        "add_cases": [case for case in cases if case.pk in changeable and case.is_open],
        "changeable_case_ids": changeable,
    }


@client_section(order=50, title="Offences and custody", template="outcomes/sections/offences.html")
def offences(request, client, cases):
    """Leads and managers see the offence history and custody; mentors only that offence
    records exist (custody periods are offence detail: a mentor sees none of them)."""
    allowed = access.can_see_offences(request.user)
    custody = list(CustodyPeriod.objects.restrict(request.user, "view").filter(client=client)) if allowed else []
    data = {"allowed": allowed, "custody_periods": custody, "client": client}
    if allowed:
        recent = list(Offence.objects.restrict(request.user, "view").filter(client=client).select_related("category")[:RECENT_OFFENCES])
        data.update(
            offences=recent,
            offence_count=Offence.objects.restrict(request.user, "view").filter(client=client).count() if len(recent) == RECENT_OFFENCES else len(recent),
        )
    else:
        data["offence_count"] = Offence.objects.restrict(request.user, "view").filter(client=client).count()
    return data


@timeline_source
def outcome_events(request, client, cases):
    case_ids = _case_ids(cases)
    events = []
    for assessment in Assessment.objects.restrict(request.user, "view").filter(case_id__in=case_ids).select_related("template"):
        events.append(TimelineEvent(
            on=assessment.assessed_on, kind="assessment", icon="wheel",
            title=f"{assessment.get_stage_display()} assessment: {assessment.template.name.lower()}",
            url=reverse("outcomes:assessment_detail", kwargs={"pk": assessment.pk}),
        ))
    for achievement in Achievement.objects.restrict(request.user, "view").filter(case_id__in=case_ids).select_related("type"):
        events.append(TimelineEvent(
            on=achievement.achieved_on, kind="achievement", icon="award",
            title=f"Achievement: {achievement.type.name}", detail=achievement.employer_or_course,
        ))
    for questionnaire in Questionnaire.objects.restrict(request.user, "view").filter(case_id__in=case_ids):
        events.append(TimelineEvent(on=questionnaire.completed_on, kind="questionnaire", icon="clipboard",
                                    title="Exit questionnaire completed"))
    if access.can_see_offences(request.user):
        for period in CustodyPeriod.objects.restrict(request.user, "view").filter(client=client):
            reason = f" ({period.get_reason_display().lower()})" if period.reason else ""
            events.append(TimelineEvent(on=period.started_on, kind="custody", icon="lock",
                                        title=f"Went into custody{reason}"))
            if period.ended_on:
                events.append(TimelineEvent(on=period.ended_on, kind="custody", icon="unlock",
                                            title="Released from custody"))
        offence_url = reverse("outcomes:offence_list", kwargs={"pk": client.pk})
        for offence in Offence.objects.restrict(request.user, "view").filter(client=client).select_related("category"):
            convicted = f"Convicted {offence.conviction_date:%-d %b %Y}" if offence.conviction_date else "Not convicted"
            events.append(TimelineEvent(on=offence.offence_date, kind="offence", icon="alert",
                                        title=f"Offence: {offence.category.name}", detail=convicted, url=offence_url))
    return events
