import pytest
from django.urls import reverse

from dataio.models import ErasureRequest
from mentoring.models import AuditEvent

from .privacy_world import *  # noqa: F403 (fixtures)

pytestmark = pytest.mark.django_db


def _request(client, person, reason="Asked in writing on 3 Nov; no reason to keep the record."):
    return client.post(reverse("dataio:erasure_request", kwargs={"pk": person.pk}), {"reason": reason, "confirm": "on"})


def test_a_manager_requests_erasure_with_a_reason(client, manager, two_people):
    (alpha, _), _ = two_people
    client.force_login(manager)
    assert client.get(reverse("dataio:erasure_request", kwargs={"pk": alpha.pk})).status_code == 200
    response = _request(client, alpha)
    assert response.status_code == 302
    erasure = ErasureRequest.objects.get(client_id=alpha.pk)
    assert erasure.is_pending and erasure.requested_by == manager
    alpha.refresh_from_db()
    assert not alpha.is_anonymised  # nothing happens before a second manager approves
    assert AuditEvent.objects.filter(verb="erasure.requested", client_id=alpha.pk).exists()
    assert "Asked in writing" in client.get(reverse("dataio:retention")).content.decode()


def test_the_reason_may_not_name_the_person(client, manager, two_people):
    (alpha, words), _ = two_people
    client.force_login(manager)
    response = _request(client, alpha, reason=f"{words['first_name']} asked us to delete everything")
    assert response.status_code == 200
    assert "Leave the person&#x27;s name" in response.content.decode()
    assert f"{words['first_name']} asked us" in response.content.decode()  # what was typed is kept
    assert not ErasureRequest.objects.exists()


def test_the_requester_cannot_approve_their_own_request(client, manager, two_people):
    (alpha, _), _ = two_people
    client.force_login(manager)
    _request(client, alpha)
    erasure = ErasureRequest.objects.get()
    response = client.post(reverse("dataio:erasure_approve", kwargs={"pk": erasure.pk}), {"confirm": "on"})
    assert response.status_code == 403
    alpha.refresh_from_db()
    erasure.refresh_from_db()
    assert not alpha.is_anonymised and erasure.is_pending


def test_a_second_manager_approves_and_only_then_the_record_is_anonymised(client, manager, second_manager, two_people):
    (alpha, words), (beta, _) = two_people
    client.force_login(manager)
    _request(client, alpha)
    erasure = ErasureRequest.objects.get()
    client.force_login(second_manager)
    page = client.get(reverse("dataio:retention")).content.decode()
    assert reverse("dataio:erasure_approve", kwargs={"pk": erasure.pk}) in page
    not_confirmed = client.post(reverse("dataio:erasure_approve", kwargs={"pk": erasure.pk}), {})
    assert not_confirmed.status_code == 302
    alpha.refresh_from_db()
    assert not alpha.is_anonymised
    response = client.post(reverse("dataio:erasure_approve", kwargs={"pk": erasure.pk}), {"confirm": "on"})
    assert response.status_code == 302
    alpha.refresh_from_db()
    erasure.refresh_from_db()
    assert alpha.is_anonymised and alpha.first_name == "Anonymised"
    assert erasure.status == ErasureRequest.Status.COMPLETED and erasure.approved_by == second_manager
    event = AuditEvent.objects.get(action=AuditEvent.Action.ANONYMISE, client_id=alpha.pk)
    assert event.detail["reason"] == erasure.reason and event.detail["trigger"] == "erasure"
    assert event.username == "hana"
    beta.refresh_from_db()
    assert not beta.is_anonymised


def test_a_pending_request_can_be_cancelled(client, manager, second_manager, two_people):
    (alpha, _), _ = two_people
    client.force_login(manager)
    _request(client, alpha)
    erasure = ErasureRequest.objects.get()
    assert client.post(reverse("dataio:erasure_cancel", kwargs={"pk": erasure.pk})).status_code == 302
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.CANCELLED and erasure.cancelled_by == manager
    client.force_login(second_manager)
    response = client.post(reverse("dataio:erasure_approve", kwargs={"pk": erasure.pk}), {"confirm": "on"}, follow=True)
    assert response.status_code == 200  # approving a cancelled request is refused with what became of it
    assert "This request is no longer waiting for approval: it was cancelled by Erin Manager on" in response.content.decode()
    alpha.refresh_from_db()
    assert not alpha.is_anonymised


def test_only_one_request_per_client_waits_at_a_time(client, manager, two_people):
    (alpha, _), _ = two_people
    client.force_login(manager)
    _request(client, alpha)
    response = _request(client, alpha)
    assert response.status_code == 200
    assert "already waiting for approval" in response.content.decode()
    assert ErasureRequest.objects.count() == 1


def test_approving_by_get_is_not_allowed(client, second_manager, manager, two_people):
    (alpha, _), _ = two_people
    erasure = ErasureRequest.objects.create(client_id=alpha.pk, requested_by=manager, reason="Asked in writing")
    client.force_login(second_manager)
    assert client.get(reverse("dataio:erasure_approve", kwargs={"pk": erasure.pk})).status_code == 405
