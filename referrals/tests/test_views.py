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


def rowan(**extra):
    """Rowan Testperson, born 29 Feb 2004: the person referral_data refers."""
    return ClientFactory(first_name="Rowan", last_name="Testperson", date_of_birth=date(2004, 2, 29), **extra)


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
    existing = rowan(client_ref="C-77")
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
    rowan()
    client.force_login(lead)
    response = client.post(reverse("referrals:referral_create"), referral_data(programme, create_anyway="on"))
    assert response.status_code == 302
    assert Client.objects.filter(first_name="Rowan").count() == 2


def test_the_duplicate_warning_says_it_once_and_offers_one_radio_group(client, lead, programme):
    existing = rowan()
    CaseFactory(client=existing, programme=programme)
    client.force_login(lead)
    url = reverse("referrals:referral_create")
    body = client.post(url, referral_data(programme)).content.decode()
    assert body.count("We already hold a client with this name and date of birth.") == 1
    warning = body[body.index("Possible duplicate"):body.index("</section>", body.index("Possible duplicate"))]
    assert 'type="checkbox"' not in warning
    assert warning.count('type="radio" name="use_client"') == 2  # the match, and "none of these"
    assert 'value="new"' in warning and "create a new client anyway" in warning

    response = client.post(url, referral_data(programme, use_client="new"))
    assert response.status_code == 302
    assert Client.objects.filter(first_name="Rowan").count() == 2


def test_a_refused_duplicate_choice_keeps_the_radio_chosen(client, lead, programme):
    existing = rowan()
    CaseFactory(client=existing, programme=programme)
    client.force_login(lead)
    body = client.post(reverse("referrals:referral_create"),
                       {**referral_data(programme, use_client="new"), "programme": ""}).content.decode()
    assert 'value="new" id="id_create_anyway" checked' in body


def duplicate_labels(body):
    """{client pk: label text} of the radios in the duplicate warning."""
    return {int(pk): " ".join(text.split()) for pk, text in re.findall(
        r'<label class="form-check-label" for="use-client-(\d+)">(.*?)</label>', body, re.S)}


def known_elsewhere(other_programme, **extra):
    """Rowan Testperson, born 29 Feb 2004: a client of the other programme only."""
    existing = rowan(**extra)
    ReferralFactory(client=existing, programme=other_programme)
    return existing


def test_a_match_held_by_another_programme_is_not_disclosed_and_a_new_record_waits_for_a_managers_check(
    client, lead, programme, other_programme,
):
    existing = known_elsewhere(other_programme, client_ref="C-FAR-77", postcode="NE1 4XY")
    client.force_login(lead)

    response = client.post(reverse("referrals:referral_create"), referral_data(programme), follow=True)

    body = response.content.decode()
    referral = Referral.objects.get(programme=programme)
    assert response.redirect_chain[-1][0] == reverse("referrals:referral_detail", args=[referral.pk])
    assert "Possible duplicate" not in body and "C-FAR-77" not in body and "NE1 4XY" not in body
    assert "duplicate" not in body.lower()
    new = referral.client
    assert new != existing and Client.objects.filter(first_name="Rowan").count() == 2
    existing.refresh_from_db()
    assert new.duplicate_check_since is not None and existing.duplicate_check_since is None
    assert AuditEvent.objects.get(verb="client.created", object_id=str(new.pk)).detail["duplicate_check"] is True


def test_a_hidden_match_answers_with_the_same_words_and_queries_as_no_match(client, lead, programme, other_programme):
    known_elsewhere(other_programme)
    client.force_login(lead)
    url = reverse("referrals:referral_create")

    def post(**extra):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, referral_data(programme, **extra))
        page = client.get(response["Location"]).content.decode()
        return response.status_code, len(queries), page

    hidden_status, hidden_queries, hidden_page = post()  # Rowan Testperson: held by the other programme
    none_status, none_queries, none_page = post(first_name="Robin", last_name="Nomatch")

    assert hidden_status == none_status == 302
    assert hidden_queries == none_queries
    referrals = Referral.objects.filter(programme=programme).order_by("pk")

    def normalise(page, referral):
        """The page without what differs by design: the name typed, the ids, the CSRF token."""
        for value, stand_in in ((referral.client.first_name, "X"), (referral.client.last_name, "Y")):
            page = page.replace(value, stand_in)
        for number in (referral.pk, referral.client_id):  # a whole number only: not the 12 of "col-12"
            page = re.sub(rf"(?<![\w-]){number}(?![\w-])", "N", page)
        return re.sub(r'value="[A-Za-z0-9]{64}"', 'value="token"', page)

    assert normalise(hidden_page, referrals[0]) == normalise(none_page, referrals[1])


def test_lead_sees_only_the_duplicates_they_may_see_and_a_new_record_is_flagged_for_the_hidden_one(
    client, lead, programme, other_programme,
):
    hidden = known_elsewhere(other_programme, client_ref="C-FAR-77", postcode="NE1 4XY")
    mine = rowan(client_ref="C-OWN-11", postcode="LS1 1AA")
    ReferralFactory(client=mine, programme=programme)  # pending: the lead sees the client
    client.force_login(lead)

    body = client.post(reverse("referrals:referral_create"), referral_data(programme)).content.decode()

    assert duplicate_labels(body) == {mine.pk: "Use this client: Rowan Testperson, born 29 Feb 2004, ref C-OWN-11, LS1 1AA"}
    assert f'value="{hidden.pk}"' not in body and "C-FAR-77" not in body and "NE1 4XY" not in body
    assert "another part of the organisation" not in body

    response = client.post(reverse("referrals:referral_create"), referral_data(programme, create_anyway="on"))

    assert response.status_code == 302
    assert Referral.objects.filter(programme=programme).latest("pk").client.duplicate_check_since is not None


def test_use_client_naming_a_client_the_lead_cannot_see_gets_the_answer_an_unknown_id_gets(
    client, lead, programme, other_programme,
):
    hidden = known_elsewhere(other_programme)
    client.force_login(lead)
    url = reverse("referrals:referral_create")

    refused = client.post(url, referral_data(programme, use_client=hidden.pk))
    unknown = client.post(url, referral_data(programme, use_client=hidden.pk + 1000))

    assert refused.status_code == unknown.status_code == 200
    assert refused.context["form"].errors == unknown.context["form"].errors
    assert "Choose one of the matching clients listed" in refused.content.decode()
    assert not Referral.objects.filter(programme=programme).exists()
    assert client.get(reverse("clients:client_detail", args=[hidden.pk])).status_code == 404


def test_choosing_a_client_the_lead_cannot_see_is_refused(client, lead, programme, other_programme):
    hidden = ReferralFactory(programme=other_programme).client
    client.force_login(lead)
    response = client.post(reverse("referrals:referral_create"), referral_data(programme, use_client=hidden.pk))
    assert response.status_code == 200 and not Referral.objects.filter(programme=programme).exists()
    response = client.get(reverse("referrals:referral_create"), {"client": hidden.pk})
    assert response.status_code == 404


def test_referral_for_a_client_found_by_search(client, lead, programme):
    known = ReferralFactory(programme=programme).client  # pending: the lead sees the client
    client.force_login(lead)
    found = client.get(reverse("referrals:referral_create"), {"q": known.last_name}).content.decode()
    assert f"?client={known.pk}" in found
    data = referral_data(programme, client=known.pk, first_name="", last_name="", date_of_birth="")
    response = client.post(reverse("referrals:referral_create"), data)
    assert response.status_code == 302
    assert Referral.objects.filter(client=known).count() == 2


@pytest.mark.parametrize("decision", ["decline", "withdraw"])
def test_a_declined_or_withdrawn_referral_no_longer_shows_its_client_to_the_lead(client, lead, programme, decision):
    referral = ReferralFactory(programme=programme, client__phone="07700 900123")
    client.force_login(lead)
    assert client.get(reverse("clients:client_detail", args=[referral.client_id])).status_code == 200

    client.post(reverse("referrals:referral_decide", args=[referral.pk]),
                {"decision": decision, "on": timezone.localdate().isoformat(), "reason": "Not now"})

    assert client.get(reverse("clients:client_detail", args=[referral.client_id])).status_code == 404
    found = client.get(reverse("referrals:referral_create"), {"q": referral.client.last_name}).content.decode()
    assert f"?client={referral.client_id}" not in found
    detail = client.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    assert reverse("clients:client_detail", args=[referral.client_id]) not in detail


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
    assert "3 of 40, 7.5%" in body  # one decimal place, as the report shows it


def test_a_new_clients_name_and_date_of_birth_are_marked_required(client, lead, programme):
    client.force_login(lead)
    page = client.get(reverse("referrals:referral_create")).content.decode()
    for label in ("First name", "Last name", "Date of birth", "Referring agency"):
        assert re.search(rf"{label}\s*<span class=\"asteriskField[^\"]*\"> \(required\)</span>", page), label
    assert not re.search(r"Preferred name\s*<span", page)


def test_accepting_a_referral_takes_the_lead_to_allocate_a_mentor_and_the_referral_offers_it_until_allocated(
        client, lead, programme):
    client.force_login(lead)
    client.post(reverse("referrals:referral_create"), referral_data(programme))
    referral = Referral.objects.get()
    response = client.post(reverse("referrals:referral_decide", args=[referral.pk]),
                           {"decision": "accept", "on": timezone.localdate().isoformat()})
    referral.refresh_from_db()
    allocate = reverse("mentors:allocate", args=[referral.case.pk])
    assert response.status_code == 302 and response["Location"] == allocate
    page = client.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    assert f'<a href="{allocate}">Allocate a mentor</a>' in page

    referral.case.status = Case.Status.ACTIVE
    referral.case.save()
    page = client.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    assert "Allocate a mentor" not in page
