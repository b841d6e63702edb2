"""What contacts adds to the client list: the last attended contact and the "needs attention" filters."""

from clients.registry import case_annotation, case_filter
from mentoring.models import Programme

from .models import Contact, Goal, quiet_cases, with_last_attended


@case_annotation
def last_attended(cases):
    return with_last_attended(cases)


@case_filter(name="quiet", label="Going quiet")
def going_quiet(cases, on):
    programmes = Programme.objects.filter(pk__in=cases.values("programme"))
    return quiet_cases(cases, programmes, on)


@case_filter(name="follow_up", label="Follow-up overdue or due today")
def follow_up_due(cases, on):
    return cases.filter(pk__in=Contact.objects.filter(case__in=cases).follow_ups_due(on).values("case"))


@case_filter(name="goal", label="Goal past its target date")
def goal_past_target(cases, on):
    return cases.filter(pk__in=Goal.objects.filter(case__in=cases).past_target(on).values("case"))
