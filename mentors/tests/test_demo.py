from datetime import timedelta

import pytest
from django.utils import timezone

from clients.models import Case
from mentoring import demo as core_demo
from mentors import demo
from mentors.models import Allocation, Mentor

from .factories import WaitingCaseFactory

pytestmark = pytest.mark.django_db


def _context():
    context = {}
    core_demo.seed(context)
    return context


def test_demo_mentors_are_seeded_without_cases():
    context = _context()
    demo.seed(context)
    assert Mentor.objects.count() == 8
    assert {m.mentor_type for m in Mentor.objects.all()} == {"paid", "volunteer", "peer"}
    jess = context["mentors"]["mentor"]
    assert jess.user.username == "mentor" and jess.programmes.count() == 2
    assert any("DBS renewal due" in w for w in context["mentors"]["mentor2"].compliance_warnings())
    assert any("overdue" in w for w in context["mentors"]["M-005"].compliance_warnings())
    assert not Allocation.objects.exists()


def test_demo_allocations_give_the_demo_mentor_a_caseload_and_keep_history():
    context = _context()
    today = timezone.localdate()
    programmes = list(context["programmes"].values())
    cases = [
        WaitingCaseFactory(programme=programmes[n % 2], started_on=today - timedelta(days=200 - n * 8)) for n in range(20)
    ]
    for case in cases[:3]:
        Case.objects.filter(pk=case.pk).update(status="closed", ended_on=case.started_on + timedelta(days=90))
        case.refresh_from_db()
    context["cases"] = cases
    demo.seed(context)

    jess = context["mentors"]["mentor"]
    assert Allocation.objects.current().filter(mentor=jess, case__status="active").count() == 8
    assert Allocation.objects.filter(end_reason="Re-allocated").count() == 1
    assert Case.objects.filter(pk__in=[c.pk for c in cases], status="to_allocate").count() == 3
    for case in cases[:3]:
        (allocation,) = case.allocations.all()
        assert (allocation.ended_on, allocation.end_reason) == (case.ended_on, "Case closed")
    assert Allocation.objects.current().filter(role="supporting").count() == 1
