from datetime import timedelta

import factory
from django.utils import timezone

from clients.models import Case
from clients.tests.factories import CaseFactory
from mentoring.tests.factories import ProgrammeFactory
from mentors.models import Allocation, Mentor, Training


class WaitingCaseFactory(CaseFactory):
    """clients' CaseFactory for a case waiting for a mentor, opened 30 days ago: matching's start."""

    started_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    status = Case.Status.TO_ALLOCATE


class MentorFactory(factory.django.DjangoModelFactory):
    """A vetted, active volunteer mentor with room for six cases."""

    class Meta:
        model = Mentor
        skip_postgeneration_save = True

    first_name = factory.Sequence(lambda n: f"Mentorname{n}")
    last_name = factory.Sequence(lambda n: f"Surname{n}")
    mentor_type = Mentor.Type.VOLUNTEER
    dbs_level = Mentor.DbsLevel.ENHANCED
    dbs_certificate_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=200))
    dbs_renewal_due = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=500))
    references_received = True
    max_caseload = 6

    @factory.post_generation
    def programmes(self, create, extracted, **kwargs):
        if create and extracted:
            self.programmes.add(*extracted)

    @factory.post_generation
    def strengths(self, create, extracted, **kwargs):
        if create and extracted:
            self.strengths.add(*extracted)


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation

    case = factory.SubFactory(WaitingCaseFactory)
    mentor = factory.SubFactory(MentorFactory)
    role = Allocation.Role.LEAD
    started_on = factory.LazyAttribute(lambda a: a.case.started_on)


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Training

    mentor = factory.SubFactory(MentorFactory)
    course = "Safeguarding adults refresher"
    completed_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=100))


__all__ = ["AllocationFactory", "MentorFactory", "ProgrammeFactory", "TrainingFactory", "WaitingCaseFactory"]
