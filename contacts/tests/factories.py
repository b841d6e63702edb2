"""Small builders for contacts tests: a case allocated to a mentor, contacts on it."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from clients.models import Case, Client
from contacts.models import Contact, Goal
from mentors.models import Allocation, Mentor


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    first_name = factory.Sequence(lambda n: f"Client{n}")
    last_name = factory.Sequence(lambda n: f"Testperson{n}")
    date_of_birth = date(2001, 6, 1)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    client = factory.SubFactory(ClientFactory)
    started_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=60))
    status = Case.Status.ACTIVE


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
    profile = Mentor.objects.create(user=user, first_name=user.first_name, last_name=user.last_name,
                                    mentor_type=Mentor.Type.PAID)
    profile.programmes.add(programme)
    return profile


def allocated_case(mentor, programme, *, ended_on=None, **kwargs):
    case = CaseFactory(programme=programme, **kwargs)
    Allocation.objects.create(case=case, mentor=mentor, started_on=case.started_on, ended_on=ended_on)
    return case
