"""Small builders for contacts tests: a case allocated to a mentor, contacts on it."""

from datetime import timedelta

import factory
from django.utils import timezone

from clients.models import Case
from clients.tests.factories import CaseFactory
from contacts.models import Contact, Goal
from mentors.models import Allocation, Mentor
from mentors.tests.factories import MentorFactory


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=2))
    duration_minutes = 45


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    description = "Get my provisional licence"


def mentor_for(user, programme):
    """The user's mentor profile: a vetted paid mentor in `programme`, named as the user is."""
    return MentorFactory(user=user, first_name=user.first_name, last_name=user.last_name,
                         mentor_type=Mentor.Type.PAID, programmes=[programme])


def allocated_case(mentor, programme, *, ended_on=None, **kwargs):
    """An active case of the mentor's (their current lead allocation), started 60 days ago."""
    kwargs.setdefault("status", Case.Status.ACTIVE)
    kwargs.setdefault("started_on", timezone.localdate() - timedelta(days=60))
    case = CaseFactory(programme=programme, **kwargs)
    Allocation.objects.create(case=case, mentor=mentor, started_on=case.started_on, ended_on=ended_on)
    return case
