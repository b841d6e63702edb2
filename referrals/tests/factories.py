import factory
from django.utils import timezone

from clients.tests.factories import ClientFactory
from mentoring.tests.factories import ProgrammeFactory
from referrals.models import Referral, ReferralSource


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    client = factory.SubFactory(ClientFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    source = factory.LazyFunction(lambda: ReferralSource.objects.get(code="probation"))
    received_on = factory.LazyFunction(timezone.localdate)
