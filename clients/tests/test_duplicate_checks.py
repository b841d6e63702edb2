"""The managers' duplicate check: records flagged at intake, compared, and a finding recorded."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import Client
from clients.tests.factories import CaseFactory, ClientFactory
from mentoring.models import AuditEvent
from referrals.models import Referral
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db

BORN = date(2004, 2, 29)


def flagged_pair(programme, other_programme, n=""):
    """A record held by the other programme, and a new one flagged when the lead typed it."""
    held = CaseFactory(programme=other_programme, client=ClientFactory(
        first_name=f"Siân{n}", last_name="O'Neill", date_of_birth=BORN, client_ref=f"C-HELD-{n}", postcode="NE1 4XY")).client
    new = ClientFactory(first_name=f"Sian{n}", last_name="O’Neill", date_of_birth=BORN, duplicate_check_since=timezone.now())
    referral = ReferralFactory(client=new, programme=programme)
    return held, new, referral


def test_a_manager_sees_each_flagged_record_beside_the_record_held_elsewhere(client, manager, programme, other_programme):
    held, new, _ = flagged_pair(programme, other_programme)
    ClientFactory(first_name="Sian", last_name="O'Neill", date_of_birth=date(2004, 3, 1))  # another birthday
    client.force_login(manager)

    response = client.get(reverse("clients:duplicate_check_list"))

    body = response.content.decode()
    assert response.status_code == 200
    [row] = response.context["rows"]
    assert row["client"] == new and row["held"] == [held]
    assert "C-HELD-" in body and other_programme.name in body and programme.name in body and "29 Feb 2004" in body
    home = client.get(reverse("home")).content.decode()
    assert "Records to check for a duplicate (1)" in home


def test_not_the_same_person_clears_the_flag_and_is_audited(client, manager, programme, other_programme):
    held, new, _ = flagged_pair(programme, other_programme)
    client.force_login(manager)

    response = client.post(reverse("clients:duplicate_check_close", args=[new.pk]), {"same_person": "no"}, follow=True)

    new.refresh_from_db()
    assert new.duplicate_check_since is None
    assert "recorded as not the same person" in response.content.decode()
    event = AuditEvent.objects.get(verb="client.duplicate_check_closed")
    assert (event.user, event.client_id, event.detail) == (manager, new.pk, {"same_person": False, "compared_with": [held.pk]})
    assert response.context["rows"] == []


def test_same_person_is_refused_until_the_referral_has_been_moved(client, manager, programme, other_programme):
    held, new, referral = flagged_pair(programme, other_programme)
    client.force_login(manager)
    url = reverse("clients:duplicate_check_close", args=[new.pk])

    refused = client.post(url, {"same_person": "yes"}, follow=True)

    assert "First record the referral on the existing record" in refused.content.decode()
    new.refresh_from_db()
    assert new.duplicate_check_since is not None
    ReferralFactory(client=held, programme=programme)
    referral.withdraw(reason="Recorded on the existing record", by=manager)

    client.post(url, {"same_person": "yes"})

    new.refresh_from_db()
    assert new.duplicate_check_since is None
    assert AuditEvent.objects.get(verb="client.duplicate_check_closed").detail["same_person"] is True


def test_a_check_already_closed_is_not_closed_twice(client, manager, programme, other_programme):
    _, new, _ = flagged_pair(programme, other_programme)
    client.force_login(manager)
    url = reverse("clients:duplicate_check_close", args=[new.pk])
    client.post(url, {"same_person": "no"})

    assert client.post(url, {"same_person": "no"}).status_code == 404
    assert AuditEvent.objects.filter(verb="client.duplicate_check_closed").count() == 1


def test_a_lead_can_neither_list_nor_close_duplicate_checks(client, lead, programme, other_programme):
    _, new, _ = flagged_pair(programme, other_programme)
    client.force_login(lead)

    assert client.get(reverse("clients:duplicate_check_list")).status_code == 403
    assert client.post(reverse("clients:duplicate_check_close", args=[new.pk]), {"same_person": "no"}).status_code == 403
    assert "Records to check for a duplicate" not in client.get(reverse("home")).content.decode()
    assert Client.objects.get(pk=new.pk).duplicate_check_since is not None


def test_the_list_runs_the_same_queries_for_two_or_six_flagged_records(
    client, manager, programme, other_programme, django_assert_max_num_queries,
):
    client.force_login(manager)
    for n in range(2):
        flagged_pair(programme, other_programme, n)
    # session, user, roles, two-factor check; count, the page of records, their referrals,
    # the referrals' programmes, the records held under the same names, their cases (with
    # programmes); the session's idle-time update (savepoint, update, release).
    with django_assert_max_num_queries(13) as small:
        assert len(client.get(reverse("clients:duplicate_check_list")).context["rows"]) == 2
    for n in range(2, 6):
        flagged_pair(programme, other_programme, n)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("clients:duplicate_check_list"))
    assert all(len(row["held"]) == 1 for row in response.context["rows"]) and len(response.context["rows"]) == 6
    assert Referral.objects.count() == 6
