import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients.models import Case, Client, ClosureReason
from clients.tests.factories import CaseFactory, ClientFactory
from mentoring.models import AuditEvent
from referrals.models import Referral, ReferralSource
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def referral_data(programme, **extra):
    data = {
        "first_name": "Rowan", "last_name": "Testperson", "date_of_birth": "2004-02-29", "gender": "male",
        "programme": programme.pk, "source": ReferralSource.objects.get(code="iom").pk,
        "received_on": timezone.localdate().isoformat(), "referrer_name": "P. Officer",
        "referrer_organisation": "Northshire Probation", "referrer_contact": "01234 567890",
        "needs": "Housing; benefits", "wants_help_with": "Finding a flat", "readiness": "ready",
    }
    data.update(extra)
    return data


def test_referral_is_accepted_closed_and_reopened_as_a_linked_case(client, lead, programme):
    client.force_login(lead)
    response = client.post(reverse("referrals:referral_create"), referral_data(programme))
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("referrals:referral_detail", args=[referral.pk])
    assert referral.decision == Referral.Decision.PENDING
    assert referral.client.first_name == "Rowan" and referral.source.code == "iom"
    assert AuditEvent.objects.filter(verb="referral.received", object_id=str(referral.pk)).exists()

    response = client.post(reverse("referrals:referral_decide", args=[referral.pk]),
                           {"decision": "accept", "on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    referral.refresh_from_db()
    case = referral.case
    assert referral.decision == Referral.Decision.ACCEPTED and referral.decided_by == lead
    assert case.status == Case.Status.TO_ALLOCATE and case.programme == programme

    page = client.get(reverse("clients:client_detail", args=[referral.client_id]))
    assert "To allocate" in page.content.decode()

    reason = ClosureReason.objects.get(code="moved_away")
    response = client.post(reverse("clients:case_close", args=[case.pk]),
                           {"reason": reason.pk, "on": timezone.localdate().isoformat(), "summary": "Moved to family."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.closure_reason == reason and case.closing_summary == "Moved to family."

    response = client.post(reverse("clients:case_reopen", args=[case.pk]), {"on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    new_case = Case.objects.get(previous_case=case)
    assert new_case.status == Case.Status.TO_ALLOCATE and new_case.client_id == case.client_id
    timeline = client.get(reverse("clients:client_detail", args=[case.client_id])).content.decode()
    assert "Case re-opened in" in timeline and "Case closed: Moved away" in timeline


def test_declined_referral_opens_no_case(client, lead, programme):
    referral = ReferralFactory(programme=programme)
    client.force_login(lead)
    response = client.post(reverse("referrals:referral_decide", args=[referral.pk]),
                           {"decision": "decline", "on": timezone.localdate().isoformat(), "reason": "Lives out of area"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.decision == Referral.Decision.DECLINED and referral.decision_reason == "Lives out of area"
    assert referral.case is None and not Case.objects.exists()


def test_declining_without_a_reason_is_refused_and_keeps_the_referral_pending(client, lead, programme):
    referral = ReferralFactory(programme=programme)
    client.force_login(lead)
    response = client.post(reverse("referrals:referral_decide", args=[referral.pk]),
                           {"decision": "decline", "on": timezone.localdate().isoformat(), "reason": " "})
    assert response.status_code == 200
    assert "Say why the referral is declined." in response.content.decode()
    referral.refresh_from_db()
    assert referral.decision == Referral.Decision.PENDING


def test_withdrawn_referral_opens_no_case(client, manager, programme):
    referral = ReferralFactory(programme=programme)
    client.force_login(manager)
    client.post(reverse("referrals:referral_decide", args=[referral.pk]),
                {"decision": "withdraw", "on": timezone.localdate().isoformat(), "reason": "Moved away"})
    referral.refresh_from_db()
    assert referral.decision == Referral.Decision.WITHDRAWN and referral.case is None


def test_new_client_with_same_name_and_birth_date_shows_a_duplicate_warning(client, lead, programme):
    existing = ClientFactory(first_name="Rowan", last_name="Testperson", date_of_birth=date(2004, 2, 29), client_ref="C-77")
    CaseFactory(client=existing, programme=programme)  # known to the lead's programme, so shown in full
    client.force_login(lead)
    response = client.post(reverse("referrals:referral_create"), referral_data(programme, first_name="rowan"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Possible duplicate" in body and "C-77" in body and f'value="{existing.pk}"' in body
    assert "Finding a flat" in body and "Northshire Probation" in body  # nothing typed is lost
    assert not Referral.objects.exists() and Client.objects.count() == 1

    response = client.post(reverse("referrals:referral_create"), referral_data(programme, use_client=existing.pk))
    assert response.status_code == 302
    assert Referral.objects.get().client == existing and Client.objects.count() == 1


def test_a_referral_for_sian_o_neill_warns_of_the_sian_oneill_already_held(client, lead, programme):
    existing = ClientFactory(first_name="Siân", last_name="O'Neill", date_of_birth=date(2004, 2, 29), client_ref="C-78")
    CaseFactory(client=existing, programme=programme)
    client.force_login(lead)

    response = client.post(reverse("referrals:referral_create"),
                           referral_data(programme, first_name="Sian", last_name="O’Neill"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Possible duplicate" in body and f'value="{existing.pk}"' in body
    assert not Referral.objects.exists() and Client.objects.count() == 1


def test_confirming_a_different_person_creates_a_new_client_despite_the_match(client, lead, programme):
    ClientFactory(first_name="Rowan", last_name="Testperson", date_of_birth=date(2004, 2, 29))
    client.force_login(lead)
    response = client.post(reverse("referrals:referral_create"), referral_data(programme, create_anyway="on"))
    assert response.status_code == 302
    assert Client.objects.filter(first_name="Rowan").count() == 2


def duplicate_labels(body):
    """{client pk: label text} of the radios in the duplicate warning."""
    return {int(pk): " ".join(text.split()) for pk, text in re.findall(
        r'<label class="form-check-label" for="use-client-(\d+)">(.*?)</label>', body, re.S)}


def known_elsewhere(other_programme, **extra):
    """Rowan Testperson, born 29 Feb 2004: a client of the other programme only."""
    existing = ClientFactory(first_name="Rowan", last_name="Testperson", date_of_birth=date(2004, 2, 29), **extra)
    ReferralFactory(client=existing, programme=other_programme)
    return existing


def test_duplicate_held_by_another_programme_is_flagged_without_its_reference_or_postcode(
    client, lead, programme, other_programme,
):
    existing = known_elsewhere(other_programme, client_ref="C-FAR-77", postcode="NE1 4XY")
    client.force_login(lead)
    response = client.post(reverse("referrals:referral_create"), referral_data(programme))
    body = response.content.decode()
    assert response.status_code == 200 and "Possible duplicate" in body
    assert duplicate_labels(body) == {existing.pk: (
        "A client with this name and date of birth is already held by another part of the organisation. "
        "Use that record (details hidden)"
    )}
    assert "C-FAR-77" not in body and "NE1 4XY" not in body and other_programme.name not in body
    assert not Referral.objects.filter(programme=programme).exists() and Client.objects.count() == 1


def test_lead_sees_reference_and_postcode_only_of_the_duplicates_they_may_see(
    client, lead, programme, other_programme,
):
    hidden = known_elsewhere(other_programme, client_ref="C-FAR-77", postcode="NE1 4XY")
    mine = ClientFactory(first_name="Rowan", last_name="Testperson", date_of_birth=date(2004, 2, 29),
                         client_ref="C-OWN-11", postcode="LS1 1AA")
    ReferralFactory(client=mine, programme=programme, decision=Referral.Decision.DECLINED,
                    decided_on=timezone.localdate(), decision_reason="Not ready")
    client.force_login(lead)
    body = client.post(reverse("referrals:referral_create"), referral_data(programme)).content.decode()
    labels = duplicate_labels(body)
    assert labels[mine.pk] == "Use this client: Rowan Testperson, born 29 Feb 2004, ref C-OWN-11, LS1 1AA"
    assert "details hidden" in labels[hidden.pk]
    assert "C-FAR-77" not in body and "NE1 4XY" not in body


def test_choosing_the_hidden_duplicate_refers_the_existing_client(client, lead, programme, other_programme):
    existing = known_elsewhere(other_programme, client_ref="C-FAR-77", postcode="NE1 4XY")
    client.force_login(lead)
    body = client.post(reverse("referrals:referral_create"), referral_data(programme)).content.decode()
    [chosen] = [pk for pk, label in duplicate_labels(body).items() if "details hidden" in label]
    response = client.post(reverse("referrals:referral_create"), referral_data(programme, use_client=chosen))
    referral = Referral.objects.get(programme=programme)
    assert response.status_code == 302 and response["Location"] == reverse("referrals:referral_detail", args=[referral.pk])
    assert referral.client == existing and Client.objects.count() == 1


def test_choosing_a_client_the_lead_cannot_see_is_refused(client, lead, programme, other_programme):
    hidden = ReferralFactory(programme=other_programme).client
    client.force_login(lead)
    response = client.post(reverse("referrals:referral_create"), referral_data(programme, use_client=hidden.pk))
    assert response.status_code == 200 and not Referral.objects.filter(programme=programme).exists()
    response = client.get(reverse("referrals:referral_create"), {"client": hidden.pk})
    assert response.status_code == 404


def test_referral_for_a_client_found_by_search(client, lead, programme):
    known = ReferralFactory(programme=programme, decision=Referral.Decision.DECLINED, decided_on=timezone.localdate(),
                            decision_reason="Not ready").client
    client.force_login(lead)
    found = client.get(reverse("referrals:referral_create"), {"q": known.last_name}).content.decode()
    assert f"?client={known.pk}" in found
    data = referral_data(programme, client=known.pk, first_name="", last_name="", date_of_birth="")
    response = client.post(reverse("referrals:referral_create"), data)
    assert response.status_code == 302
    assert Referral.objects.filter(client=known).count() == 2


def test_lead_cannot_refer_into_a_programme_they_do_not_lead(client, lead, programme, other_programme):
    client.force_login(lead)
    response = client.post(reverse("referrals:referral_create"), referral_data(other_programme))
    assert response.status_code == 200 and not Referral.objects.exists()


def test_missing_name_and_birth_date_are_reported_next_to_the_fields(client, lead, programme):
    client.force_login(lead)
    response = client.post(reverse("referrals:referral_create"),
                           referral_data(programme, first_name="", date_of_birth=""))
    body = response.content.decode()
    assert "Enter the person&#x27;s first name." in body and "Enter the person&#x27;s date of birth." in body


def test_referral_queue_lists_pending_first_then_oldest(client, lead, programme):
    today = timezone.localdate()
    decided = ReferralFactory(programme=programme, received_on=today - timedelta(days=40),
                              decision=Referral.Decision.DECLINED, decided_on=today, decision_reason="x")
    newer = ReferralFactory(programme=programme, received_on=today - timedelta(days=2))
    older = ReferralFactory(programme=programme, received_on=today - timedelta(days=20))
    client.force_login(lead)
    response = client.get(reverse("referrals:referral_list"))
    rows = [r.pk for r in response.context["table"].page.object_list.data]
    assert rows == [older.pk, newer.pk, decided.pk]
    assert "20 days" in response.content.decode()
    pending_only = client.get(reverse("referrals:referral_list"), {"decision": "pending"})
    assert [r.pk for r in pending_only.context["table"].page.object_list.data] == [older.pk, newer.pk]


def _queue_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("referrals:referral_list"), {"sort": "client"})
    assert response.status_code == 200
    return len(queries), response


def test_referral_queue_keeps_the_same_query_count_for_5_or_50_rows(client, lead, programme):
    client.force_login(lead)
    ReferralFactory.create_batch(5, programme=programme)
    # session, user, roles, led programmes; count and one page of referrals (with client,
    # programme and source joined); the filter's programme and source choices.
    small, response = _queue_queries(client)
    assert len(response.context["table"].page.object_list) == 5
    ReferralFactory.create_batch(45, programme=programme)
    large, response = _queue_queries(client)
    assert len(response.context["table"].page.object_list) == 25
    assert large == small


def test_lead_home_lists_pending_referrals_with_waiting_days(client, lead, programme):
    ReferralFactory(programme=programme, received_on=timezone.localdate() - timedelta(days=9))
    client.force_login(lead)
    body = client.get(reverse("home")).content.decode()
    assert "Referrals waiting for a decision (1)" in body and "waiting 9 days" in body


def test_manager_home_shows_programme_figures_against_target(client, manager, programme):
    programme.target_clients = 40
    programme.save()
    for _ in range(3):
        ReferralFactory(programme=programme).accept()
    ReferralFactory(programme=programme)
    client.force_login(manager)
    body = client.get(reverse("home")).content.decode()
    assert "3 of 40, 8%" in body
