"""Two leads allocating or re-allocating the same case at the same moment: one lead mentor,
and the other is told who was allocated instead of silently replacing them. Real threads on
their own PostgreSQL connections (mentoring/tests/concurrency.py)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clients.models import Case
from mentoring.models import AuditEvent
from mentoring.tests.concurrency import run_together, signed_in_browsers
from mentors import services
from mentors.models import Allocation, Mentor

from .factories import AllocationFactory, MentorFactory, WaitingCaseFactory

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = timezone.localdate


def test_two_leads_allocating_a_lead_to_one_case_at_once_allocate_one(programme, lead, manager):
    case = WaitingCaseFactory(programme=programme)
    alice = MentorFactory(programmes=[programme], first_name="Alice", last_name="Mentor")
    dana = MentorFactory(programmes=[programme], first_name="Dana", last_name="Mentor")

    # Both pages showed the case with no lead.
    outcomes = run_together(
        lambda: services.allocate_mentor(case=case, mentor=alice, by=lead, lead_seen_id=None),
        lambda: services.allocate_mentor(case=case, mentor=dana, by=manager, lead_seen_id=None),
    )

    errors = [o.error for o in outcomes if o.error is not None]
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), outcomes
    allocation = Allocation.objects.get(case=case)
    assert errors[0].messages == [
        f"Since you opened this page, {allocation.mentor} was allocated as lead mentor. Check and allocate again."
    ]
    assert AuditEvent.objects.filter(verb="allocation.created", client_id=case.client_id).count() == 1


def test_two_leads_pressing_allocate_at_once_leave_one_lead_and_tell_the_other(programme, lead, manager):
    case = WaitingCaseFactory(programme=programme, client__first_name="Mina", client__last_name="Mycase")
    mentors = [MentorFactory(programmes=[programme], first_name=name, last_name="Mentor") for name in ("Alice", "Dana")]
    url = reverse("mentors:allocate", args=[case.pk])
    browsers = signed_in_browsers(lead, manager)
    posts = [
        lambda b=b, m=m: b.post(url, {"allocate": "1", "mentor": m.pk, "role": "lead", "lead_seen": "none",
                                      "started_on": TODAY().isoformat(), "override_reason": "Knows the area"})
        for b, m in zip(browsers, mentors, strict=True)
    ]

    # Both requests get as far as the case's row lock before either allocates.
    outcomes = run_together(*posts, hold=Case.objects.filter(pk=case.pk))

    assert [o.error for o in outcomes] == [None, None]
    assert sorted(o.value.status_code for o in outcomes) == [200, 302]
    allocation = Allocation.objects.get(case=case)
    refused = next(o.value for o in outcomes if o.value.status_code == 200).content.decode()
    assert f"Since you opened this page, {allocation.mentor} was allocated as lead mentor." in refused


def test_two_leads_reallocating_a_mentors_case_at_once_move_it_once(programme, lead, manager):
    alice = MentorFactory(programmes=[programme], first_name="Alice", last_name="Mentor")
    bob = MentorFactory(programmes=[programme], first_name="Bob", last_name="Mentor")
    carol = MentorFactory(programmes=[programme], first_name="Carol", last_name="Mentor")
    case = WaitingCaseFactory(programme=programme, status=Case.Status.ACTIVE)
    AllocationFactory(case=case, mentor=alice)
    # Each lead's screen listed Alice's case before either of them saved it.
    first, second = {Case.objects.get(pk=case.pk): bob}, {Case.objects.get(pk=case.pk): carol}
    leave_until = TODAY() + timezone.timedelta(days=30)

    outcomes = run_together(
        lambda: services.reallocate_cases(from_mentor=Mentor.objects.get(pk=alice.pk), assignments=first,
                                          reason="On leave", by=lead, on_leave_until=leave_until),
        lambda: services.reallocate_cases(from_mentor=Mentor.objects.get(pk=alice.pk), assignments=second,
                                          reason="On leave", by=manager, on_leave_until=leave_until),
        hold=Mentor.objects.filter(pk=alice.pk),
    )

    errors = [o.error for o in outcomes if o.error is not None]
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), outcomes
    assert "Alice Mentor has no current allocation on the case of" in errors[0].messages[0]
    assert Allocation.objects.filter(case=case).count() == 2  # Alice's, ended, and one new lead
    assert Allocation.objects.current().filter(case=case).count() == 1
    assert AuditEvent.objects.filter(verb="mentor.cases_reallocated").count() == 1
