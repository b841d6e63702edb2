from datetime import date

import factory
from django.utils import timezone

from clients.models import Case, Client, RiskFlag
from mentoring.tests.factories import ProgrammeFactory


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    first_name = factory.Sequence(lambda n: f"Testname{n}")
    last_name = factory.Sequence(lambda n: f"Person{n}")
    date_of_birth = date(2001, 6, 15)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    client = factory.SubFactory(ClientFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    started_on = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))


class RiskFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskFlag

    client = factory.SubFactory(ClientFactory)
    kind = RiskFlag.Kind.TO_OTHERS
    level = "high"
