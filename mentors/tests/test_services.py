from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clients.models import Case, ClosureReason
from mentoring import access
from mentoring.models import AuditEvent
from mentors import services
from mentors.models import Allocation

from .factories import AllocationFactory, MentorFactory, TrainingFactory, WaitingCaseFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def test_allocating_a_lead_activates_a_case_waiting_for_a_mentor(waiting_case, alice, lead):
    allocation = services.allocate_mentor(case=waiting_case, mentor=alice, role="lead", by=lead)
    waiting_case.refresh_from_db()
    assert waiting_case.status == Case.Status.ACTIVE
    assert allocation.started_on == TODAY() and allocation.ended_on is None
    assert allocation.allocated_by == lead
    assert AuditEvent.objects.filter(verb="allocation.created", client_id=waiting_case.client_id).count() == 1
    assert AuditEvent.objects.filter(verb="case.activated", client_id=waiting_case.client_id).exists()


def test_a_new_lead_ends_the_previous_leads_allocation_the_same_day(waiting_case, alice, bob, lead):
    started = waiting_case.started_on
    services.allocate_mentor(case=waiting_case, mentor=alice, role="lead", by=lead, on=started)
    on = started + timedelta(days=10)
    services.allocate_mentor(case=waiting_case, mentor=bob, role="lead", by=lead, on=on)

    history = list(Allocation.objects.filter(case=waiting_case).order_by("started_on"))
    assert [(a.mentor, a.started_on, a.ended_on, a.end_reason) for a in history] == [
        (alice, started, on, "Re-allocated"),
        (bob, on, None, ""),
    ]
    assert list(Allocation.objects.current().filter(case=waiting_case).leads()) == [history[1]]
    assert AuditEvent.objects.filter(verb="allocation.ended", client_id=waiting_case.client_id).count() == 1


def test_supporting_mentors_join_without_replacing_the_lead(waiting_case, alice, bob, programme, lead):
    carol = MentorFactory(programmes=[programme])
    services.allocate_mentor(case=waiting_case, mentor=alice, role="lead", by=lead)
    services.allocate_mentor(case=waiting_case, mentor=bob, role="supporting", by=lead)
    services.allocate_mentor(case=waiting_case, mentor=carol, role="supporting", by=lead)
    current = Allocation.objects.current().filter(case=waiting_case)
    assert current.count() == 3
    assert list(current.leads().values_list("mentor", flat=True)) == [alice.pk]


def test_the_same_mentor_cannot_be_allocated_twice_in_the_same_role(waiting_case, alice, lead):
    services.allocate_mentor(case=waiting_case, mentor=alice, role="lead", by=lead)
    with pytest.raises(ValidationError):
        services.allocate_mentor(case=waiting_case, mentor=alice, role="lead", by=lead)


def test_a_mentor_who_is_not_vetted_cannot_be_allocated(waiting_case, programme, lead):
    expired = MentorFactory(programmes=[programme], dbs_renewal_due=TODAY() - timedelta(days=1))
    with pytest.raises(ValidationError, match="cannot be allocated: DBS renewal overdue since"):
        services.allocate_mentor(case=waiting_case, mentor=expired, by=lead, override_reason="We know them well")
    assert not Allocation.objects.exists()


def test_expired_training_refuses_the_allocation_even_with_a_reason(waiting_case, programme, lead):
    lapsed = MentorFactory(programmes=[programme])
    TrainingFactory(mentor=lapsed, expires_on=TODAY() - timedelta(days=3))
    with pytest.raises(ValidationError, match="cannot be allocated: Training expired"):
        services.allocate_mentor(case=waiting_case, mentor=lapsed, by=lead, override_reason="Short of mentors")
    assert not Allocation.objects.exists()


def test_a_soft_rule_is_overridden_only_with_a_reason_and_the_override_is_kept(waiting_case, programme, lead):
    full = MentorFactory(programmes=[programme], max_caseload=1)
    AllocationFactory(mentor=full, case=WaitingCaseFactory(programme=programme, status="active"))
    with pytest.raises(ValidationError, match=r"is not offered \(No room: caseload 1 of 1\): say why"):
        services.allocate_mentor(case=waiting_case, mentor=full, by=lead)
    allocation = services.allocate_mentor(case=waiting_case, mentor=full, by=lead, override_reason="Knows the family's worker")
    assert (allocation.suggested, allocation.overridden) == (False, ["capacity"])
    assert allocation.override_reason == "Knows the family's worker"


def test_allocating_an_offered_mentor_records_it_was_a_suggestion(waiting_case, alice, lead):
    allocation = services.allocate_mentor(case=waiting_case, mentor=alice, by=lead)
    assert (allocation.suggested, allocation.overridden) == (True, [])


def test_a_mentor_outside_the_programme_cannot_be_allocated(waiting_case, other_programme, lead):
    elsewhere = MentorFactory(programmes=[other_programme])
    with pytest.raises(ValidationError, match="cannot be allocated: Does not work in"):
        services.allocate_mentor(case=waiting_case, mentor=elsewhere, by=lead)


def test_closing_a_case_ends_its_allocations_and_keeps_the_history(waiting_case, alice, bob, lead):
    services.allocate_mentor(case=waiting_case, mentor=alice, role="lead", by=lead, on=waiting_case.started_on)
    services.allocate_mentor(case=waiting_case, mentor=bob, role="supporting", by=lead, on=waiting_case.started_on)
    closed_on = TODAY()
    services.close_case(waiting_case, reason=ClosureReason.objects.first(), on=closed_on, by=lead)

    allocations = Allocation.objects.filter(case=waiting_case)
    assert allocations.count() == 2
    assert set(allocations.values_list("ended_on", "end_reason")) == {(closed_on, "Case closed")}
    assert not Allocation.objects.current(closed_on).filter(case=waiting_case).exists()
    with pytest.raises(ValidationError):
        services.allocate_mentor(case=waiting_case, mentor=bob, by=lead)


def test_ending_an_allocation_needs_a_reason_and_a_date_after_it_started(waiting_case, alice, lead):
    allocation = services.allocate_mentor(case=waiting_case, mentor=alice, by=lead, on=waiting_case.started_on)
    with pytest.raises(ValidationError):
        services.end_allocation(allocation=allocation, on=TODAY(), reason=" ", by=lead)
    with pytest.raises(ValidationError):
        services.end_allocation(allocation=allocation, on=waiting_case.started_on - timedelta(days=1), reason="Moved", by=lead)
    services.end_allocation(allocation=allocation, on=TODAY(), reason="Mentor moved project", by=lead)
    allocation.refresh_from_db()
    assert (allocation.ended_on, allocation.end_reason) == (TODAY(), "Mentor moved project")
    with pytest.raises(ValidationError, match="already ended"):
        services.end_allocation(allocation=allocation, on=TODAY(), reason="Again", by=lead)


def test_a_mentor_whose_allocation_ended_gets_404_on_the_former_client(client, waiting_case, alice, mentor_user, lead):
    # Issue 13, point 5: the mentor used to keep read access to former clients; now they lose it.
    allocation = services.allocate_mentor(case=waiting_case, mentor=alice, by=lead, on=waiting_case.started_on)
    assert waiting_case in access.changeable_cases(mentor_user)
    assert waiting_case.client in access.visible_clients(mentor_user)

    services.end_allocation(allocation=allocation, on=TODAY(), reason="Client asked for a change", by=lead)

    assert waiting_case not in access.changeable_cases(mentor_user)
    assert waiting_case not in access.visible_cases(mentor_user)
    assert waiting_case.client not in access.visible_clients(mentor_user)
    assert waiting_case.client not in access.changeable_clients(mentor_user)
    # The day before, the allocation was still in force.
    assert Allocation.objects.current(TODAY() - timedelta(days=1)).filter(pk=allocation.pk).exists()
    # Through the screens: neither the client's page nor editing it opens.
    detail = reverse("clients:client_detail", args=[waiting_case.client_id])
    edit = reverse("clients:client_update", args=[waiting_case.client_id])
    client.force_login(mentor_user)
    assert client.get(detail).status_code == 404
    assert client.get(edit).status_code == 404


def test_a_mentor_who_leaves_hands_chosen_cases_over_in_their_role_and_no_case_stays_with_them(
    programme, alice, bob, lead
):
    # Before issue 13, point 5 a case left out stayed allocated to the inactive mentor.
    carol = MentorFactory(programmes=[programme])
    led = AllocationFactory(mentor=alice, case=WaitingCaseFactory(programme=programme, status="active"))
    supported = AllocationFactory(mentor=alice, role="supporting", case=WaitingCaseFactory(programme=programme, status="active"))
    kept = AllocationFactory(mentor=alice, case=WaitingCaseFactory(programme=programme, status="active"))

    left = services.mark_mentor_left(
        mentor=alice, assignments={led.case: bob, supported.case: carol, kept.case: None},
        reason="Mentor has left the service", by=lead,
    )

    assert len(left.reallocated) == 2
    for old in (led, supported, kept):
        old.refresh_from_db()
        assert (old.ended_on, old.end_reason) == (TODAY(), "Mentor has left the service")
    assert Allocation.objects.current().get(case=led.case, mentor=bob).role == "lead"
    assert Allocation.objects.current().get(case=supported.case, mentor=carol).role == "supporting"
    assert not Allocation.objects.current().filter(mentor=alice).exists()
    kept.case.refresh_from_db()
    assert kept.case.status == Case.Status.TO_ALLOCATE and left.queued == [kept.case]
    alice.refresh_from_db()
    assert alice.active is False
    event = AuditEvent.objects.get(verb="mentor.cases_reallocated")
    assert event.detail["cases"] == 2 and event.detail["reason"] == "Mentor has left the service"
    event = AuditEvent.objects.get(verb="mentor.left")
    assert event.detail["reallocated"] == 2 and event.detail["back_to_allocate"] == 1


def test_reallocation_is_all_or_nothing(programme, alice, bob, lead):
    unvetted = MentorFactory(programmes=[programme], references_received=False)
    first = AllocationFactory(mentor=alice, case=WaitingCaseFactory(programme=programme, status="active"))
    second = AllocationFactory(mentor=alice, case=WaitingCaseFactory(programme=programme, status="active"))
    with pytest.raises(ValidationError):
        services.reallocate_cases(
            from_mentor=alice, assignments={first.case: bob, second.case: unvetted}, reason="On leave", by=lead,
        )
    assert Allocation.objects.filter(mentor=alice, ended_on__isnull=True).count() == 2
    assert not Allocation.objects.filter(mentor=bob).exists()


def test_a_lead_cannot_be_allocated_before_another_lead_who_is_due_to_start_later(waiting_case, alice, bob, lead):
    starts = TODAY() + timedelta(days=14)
    services.allocate_mentor(case=waiting_case, mentor=alice, by=lead, on=starts)
    with pytest.raises(ValidationError) as refused:
        services.allocate_mentor(case=waiting_case, mentor=bob, by=lead)
    assert refused.value.messages == [
        f"Alice Mentor is due to start as lead mentor on {starts:%-d %b %Y}: "
        "end that allocation first, or allocate from that day or later."
    ]
    # Otherwise both would be current leads from that day.
    assert not Allocation.objects.filter(mentor=bob).exists()
    assert services.allocate_mentor(case=waiting_case, mentor=bob, role="supporting", by=lead).role == "supporting"
