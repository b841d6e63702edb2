"""Two managers acting on one erasure at the same moment: one request, one outcome, and a clear
word to the other (never an IntegrityError, never a cancelled request that was carried out).
Real threads on their own PostgreSQL connections (mentoring/tests/concurrency.py)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clients.models import Client
from dataio import privacy
from dataio.models import ErasureRequest
from mentoring.models import AuditEvent, Role
from mentoring.tests.concurrency import run_together
from mentoring.tests.factories import UserFactory, with_totp

from .privacy_world import *  # noqa: F403 (fixtures)

REASON = "Asked in writing; no reason to keep the record."
TODAY = timezone.localdate


@pytest.fixture
def third_manager(db):
    user = UserFactory(username="ivy", first_name="Ivy", last_name="Manager", role=Role.MANAGER)
    with_totp(user)
    return user


def _one_refusal(outcomes):
    errors = [o.error for o in outcomes if o.error is not None]
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), outcomes
    return errors[0].messages[0]


@pytest.mark.django_db(transaction=True)
def test_two_managers_asking_to_erase_one_client_at_once_make_one_request(manager, second_manager, two_people):
    (alpha, _), _ = two_people

    def another_request_in_flight():
        # A third request, not yet committed, that both see no trace of when they look.
        Client.objects.select_for_update().get(pk=alpha.pk)
        ErasureRequest.objects.create(client_id=alpha.pk, requested_by=manager, reason=REASON)

    outcomes = run_together(
        lambda: privacy.request_erasure(client=alpha, by=manager, reason=REASON),
        lambda: privacy.request_erasure(client=alpha, by=second_manager, reason=REASON),
        hold=another_request_in_flight,
    )

    assert _one_refusal(outcomes) == "An erasure request for this client is already waiting for approval."
    assert ErasureRequest.objects.filter(client_id=alpha.pk).count() == 1
    assert AuditEvent.objects.filter(verb="erasure.requested", client_id=alpha.pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_managers_approving_one_erasure_at_once_anonymise_once(manager, second_manager, third_manager, two_people):
    (alpha, _), _ = two_people
    erasure = privacy.request_erasure(client=alpha, by=manager, reason=REASON)

    outcomes = run_together(
        lambda: privacy.approve_erasure(erasure=erasure, by=second_manager),
        lambda: privacy.approve_erasure(erasure=erasure, by=third_manager),
        hold=ErasureRequest.objects.filter(pk=erasure.pk),
    )

    erasure.refresh_from_db()
    winner = erasure.approved_by.get_full_name()
    assert _one_refusal(outcomes) == (
        f"This request is no longer waiting for approval: it was approved by {winner} on {TODAY():%-d %b %Y}."
    )
    assert AuditEvent.objects.filter(verb="erasure.approved", client_id=alpha.pk).count() == 1
    assert AuditEvent.objects.filter(verb="client.anonymised", client_id=alpha.pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_approving_and_cancelling_one_erasure_at_once_leave_one_outcome(manager, second_manager, two_people):
    (alpha, _), _ = two_people
    erasure = privacy.request_erasure(client=alpha, by=manager, reason=REASON)
    seen_by_approver, seen_by_canceller = ErasureRequest.objects.get(pk=erasure.pk), ErasureRequest.objects.get(pk=erasure.pk)

    outcomes = run_together(
        lambda: privacy.approve_erasure(erasure=seen_by_approver, by=second_manager),
        lambda: privacy.cancel_erasure(erasure=seen_by_canceller, by=manager),
        hold=ErasureRequest.objects.filter(pk=erasure.pk),
    )

    assert "This request is no longer waiting for approval: it was" in _one_refusal(outcomes)
    erasure.refresh_from_db()
    alpha.refresh_from_db()
    assert alpha.is_anonymised == (erasure.status == ErasureRequest.Status.COMPLETED)
    assert AuditEvent.objects.filter(verb__in=["erasure.approved", "erasure.cancelled"], client_id=alpha.pk).count() == 1


@pytest.mark.django_db
def test_cancelling_a_request_another_manager_approved_meanwhile_is_refused(manager, second_manager, two_people):
    (alpha, _), _ = two_people
    erasure = privacy.request_erasure(client=alpha, by=manager, reason=REASON)
    page_seen = ErasureRequest.objects.get(pk=erasure.pk)
    privacy.approve_erasure(erasure=erasure, by=second_manager)

    with pytest.raises(ValidationError) as refused:
        privacy.cancel_erasure(erasure=page_seen, by=manager)

    assert refused.value.messages == [
        f"This request is no longer waiting for approval: it was approved by Hana Manager on {TODAY():%-d %b %Y}."
    ]
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.COMPLETED


@pytest.mark.django_db
def test_pressing_cancel_on_a_request_approved_meanwhile_says_so_on_the_page(client, manager, second_manager, two_people):
    (alpha, _), _ = two_people
    erasure = privacy.request_erasure(client=alpha, by=manager, reason=REASON)
    privacy.approve_erasure(erasure=erasure, by=second_manager)
    client.force_login(manager)

    response = client.post(reverse("dataio:erasure_cancel", kwargs={"pk": erasure.pk}), follow=True)

    assert response.status_code == 200
    assert (f"This request is no longer waiting for approval: it was approved by Hana Manager on {TODAY():%-d %b %Y}."
            in response.content.decode())
    assert not AuditEvent.objects.filter(verb="erasure.cancelled").exists()


@pytest.mark.django_db(transaction=True)
def test_two_managers_applying_retention_at_once_anonymise_each_client_once(manager, second_manager, two_people):
    (alpha, _), (beta, _) = two_people

    outcomes = run_together(
        lambda: privacy.apply_retention(by=manager), lambda: privacy.apply_retention(by=second_manager),
        hold=Client.objects.filter(pk=alpha.pk),
    )

    assert [o.error for o in outcomes] == [None, None]
    assert sorted(pk for o in outcomes for pk in o.value) == sorted([alpha.pk, beta.pk])
    for person in (alpha, beta):
        assert AuditEvent.objects.filter(verb="client.anonymised", client_id=person.pk).count() == 1
