import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients.models import Case, ClosureReason, RiskFlag
from clients.tests.factories import CaseFactory, RiskFlagFactory
from mentoring.models import AuditEvent
from mentors.models import Allocation, Mentor
from mentors.services import resume_case

pytestmark = pytest.mark.django_db


def mentor_for(user, programme):
    mentor = Mentor.objects.create(user=user, first_name=user.first_name, last_name=user.last_name)
    mentor.programmes.add(programme)
    return mentor


def allocate(case, mentor):
    Allocation.objects.create(case=case, mentor=mentor, started_on=case.started_on)
    case.activate()


@pytest.fixture
def flagged_case(programme):
    case = CaseFactory(programme=programme, client__first_name="Flora", client__last_name="Flagged")
    RiskFlagFactory(client=case.client, kind=RiskFlag.Kind.TO_OTHERS, level="high", review_on=date(2030, 12, 2))
    return case


def _list_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries), response


def _add_clients(programme, mentor, count):
    for i in range(count):
        case = CaseFactory(programme=programme)
        allocate(case, mentor)
        if i % 2:
            RiskFlagFactory(client=case.client)


def test_client_list_keeps_the_same_query_count_for_5_or_50_rows(client, lead, programme, mentor_user):
    mentor = mentor_for(mentor_user, programme)
    client.force_login(lead)
    url = reverse("clients:client_list")
    _add_clients(programme, mentor, 5)
    small, response = _list_queries(client, url, {"sort": "-name"})
    assert len(response.context["table"].page.object_list) == 5
    _add_clients(programme, mentor, 45)
    # session, user, roles, led programmes; count and one page of clients; prefetches of flags,
    # cases (with programme), allocations and mentors; the filter's programme and mentor choices.
    large, response = _list_queries(client, url, {"sort": "-name"})
    assert len(response.context["table"].page.object_list) == 25
    assert large == small


def test_mentor_sees_only_their_own_clients_in_the_list(client, mentor_user, other_mentor_user, programme):
    alice, bob = mentor_for(mentor_user, programme), mentor_for(other_mentor_user, programme)
    mine, theirs = CaseFactory(programme=programme), CaseFactory(programme=programme)
    allocate(mine, alice)
    allocate(theirs, bob)
    client.force_login(mentor_user)
    body = client.get(reverse("clients:client_list")).content.decode()
    assert mine.client.last_name in body and theirs.client.last_name not in body


def test_client_list_searches_name_reference_and_birth_date_and_filters(client, lead, programme, mentor_user):
    mentor = mentor_for(mentor_user, programme)
    CaseFactory(programme=programme, client__first_name="Ada", client__last_name="Quill",
                      client__client_ref="WM-0042", client__date_of_birth=date(1999, 1, 2))
    ben = CaseFactory(programme=programme, client__first_name="Ben", client__last_name="Rook")
    allocate(ben, mentor)
    RiskFlagFactory(client=ben.client, kind=RiskFlag.Kind.TO_SELF)
    client.force_login(lead)
    url = reverse("clients:client_list")

    def names(**params):
        response = client.get(url, params)
        return {c.first_name for c in response.context["table"].page.object_list.data}

    assert names(q="quill") == {"Ada"}
    assert names(q="WM-0042") == {"Ada"}
    assert names(q="02/01/1999") == {"Ada"}
    assert names(status="active") == {"Ben"}
    assert names(status="to_allocate") == {"Ada"}
    assert names(mentor=mentor.pk) == {"Ben"}
    assert names(risk="to_self") == {"Ben"}
    assert names(programme=programme.pk) == {"Ada", "Ben"}


def test_client_list_mentor_filter_lists_the_programmes_mentors_and_keeps_the_choice(client, lead, programme, mentor_user):
    mentor = mentor_for(mentor_user, programme)
    mentor.first_name, mentor.last_name = "Dee", "O'Brien & <Co>"
    mentor.save()
    client.force_login(lead)
    page = client.get(reverse("clients:client_list"), {"mentor": mentor.pk}).content.decode()
    assert f'<option value="{mentor.pk}" selected>Dee O&#x27;Brien &amp; &lt;Co&gt;</option>' in page
    assert re.search(r'<label\s+for="id_mentor"[^>]*>\s*Mentor', page)
    assert re.search(r'<select [^>]*class="[^"]*form-select[^"]*" id="id_mentor" name="mentor">', page)


def test_client_list_never_shows_notes(client, lead, programme):
    CaseFactory(programme=programme, client__notes="Sensitive note text")
    client.force_login(lead)
    assert "Sensitive note text" not in client.get(reverse("clients:client_list")).content.decode()


def test_reading_a_client_page_is_audited(client, lead, programme):
    case = CaseFactory(programme=programme)
    client.force_login(lead)
    client.get(reverse("clients:client_detail", args=[case.client_id]))
    event = AuditEvent.objects.get(verb="client.viewed")
    assert event.user == lead and event.client_id == case.client_id


def test_client_page_shows_preferred_name_age_status_mentor_and_log_contact(client, mentor_user, programme):
    case = CaseFactory(programme=programme, client__first_name="Robert", client__preferred_name="Bobby",
                       client__last_name="Example")
    allocate(case, mentor_for(mentor_user, programme))
    case.pause(reason="in custody")
    client.force_login(mentor_user)
    response = client.get(reverse("clients:client_detail", args=[case.client_id]))
    body = response.content.decode()
    assert "<h1>Bobby Example</h1>" in body
    assert f"Age {case.client.age}" in body and "Paused (in custody)" in body and "Alice Mentor" in body
    assert response.context["log_case"] == case
    assert "Case paused" in body  # from the timeline


def test_timeline_is_newest_first(client, lead, programme):
    case = CaseFactory(programme=programme, started_on=timezone.localdate() - timedelta(days=30))
    RiskFlagFactory(client=case.client, raised_on=timezone.localdate() - timedelta(days=5))
    client.force_login(lead)
    timeline = client.get(reverse("clients:client_detail", args=[case.client_id])).context["timeline"]
    assert [e.on for e in timeline] == sorted((e.on for e in timeline), reverse=True)
    assert timeline[0].kind == "risk" and timeline[-1].kind == "case"


@pytest.mark.parametrize("url_name", [
    "clients:client_detail", "clients:client_update", "clients:risk_flag_create",
    "clients:case_close", "clients:case_pause", "clients:case_reopen", "clients:case_resume",
    "referrals:referral_detail",
])
def test_risk_banner_shows_on_every_page_of_a_flagged_client(client, lead, flagged_case, url_name):
    from referrals.tests.factories import ReferralFactory

    client.force_login(lead)
    pk = {
        "clients:client_detail": flagged_case.client_id, "clients:client_update": flagged_case.client_id,
        "clients:risk_flag_create": flagged_case.client_id,
        "referrals:referral_detail": ReferralFactory(client=flagged_case.client, programme=flagged_case.programme).pk,
    }.get(url_name, flagged_case.pk)
    body = client.get(reverse(url_name, args=[pk])).content.decode()
    assert 'class="alert alert-danger risk-banner"' in body
    assert "Risk to others: high, review due 2 Dec" in body  # words, not only colour


def test_risk_banner_shows_on_the_flag_edit_page(client, lead, flagged_case):
    client.force_login(lead)
    flag = flagged_case.client.risk_flags.get()
    assert "risk-banner" in client.get(reverse("clients:risk_flag_update", args=[flag.pk])).content.decode()


def test_unflagged_client_has_no_banner(client, lead, programme):
    case = CaseFactory(programme=programme)
    client.force_login(lead)
    assert "risk-banner" not in client.get(reverse("clients:client_detail", args=[case.client_id])).content.decode()


def test_client_details_are_saved_and_consent_records_who(client, lead, programme):
    case = CaseFactory(programme=programme, client__first_name="Kit", client__last_name="Example")
    client.force_login(lead)
    data = {"first_name": "Kit", "last_name": "Example", "date_of_birth": "2002-03-04", "gender": "non_binary",
            "preferred_name": "Kay", "consent_data_on": timezone.localdate().isoformat(), "care_experienced": "true",
            "version": case.client.version}
    response = client.post(reverse("clients:client_update", args=[case.client_id]), data)
    assert response.status_code == 302
    case.client.refresh_from_db()
    assert case.client.preferred_name == "Kay" and case.client.care_experienced is True
    assert case.client.consent_data_recorded_by == "Charlie Lead"


def test_mentor_adds_a_flag_but_not_a_second_current_flag_of_the_same_kind(client, mentor_user, programme):
    case = CaseFactory(programme=programme)
    allocate(case, mentor_for(mentor_user, programme))
    client.force_login(mentor_user)
    url = reverse("clients:risk_flag_create", args=[case.client_id])
    data = {"kind": "to_self", "level": "medium", "raised_on": timezone.localdate().isoformat(), "active": "on"}
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 200 and "already has a current flag of this kind" in again.content.decode()
    assert RiskFlag.objects.filter(client=case.client).count() == 1


def test_pausing_and_resuming_a_case_goes_through_the_model(client, lead, programme):
    case = CaseFactory(programme=programme)
    client.force_login(lead)
    client.post(reverse("clients:case_pause", args=[case.pk]),
                {"reason": "In custody", "on": timezone.localdate().isoformat()})
    case.refresh_from_db()
    assert case.status == Case.Status.PAUSED and case.pause_reason == "In custody"
    client.post(reverse("clients:case_resume", args=[case.pk]))
    case.refresh_from_db()
    assert case.status == Case.Status.TO_ALLOCATE  # no mentor yet: back to the queue
    assert AuditEvent.objects.filter(verb__in=["case.paused", "case.resumed"]).count() == 2


def test_closing_before_the_case_started_shows_the_reason(client, lead, programme):
    case = CaseFactory(programme=programme, started_on=timezone.localdate())
    client.force_login(lead)
    reason = ClosureReason.objects.get(code="completed")
    response = client.post(reverse("clients:case_close", args=[case.pk]),
                           {"reason": reason.pk, "on": (timezone.localdate() - timedelta(days=3)).isoformat()})
    assert response.status_code == 200 and "cannot close before it started" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.TO_ALLOCATE


def test_lead_home_shows_cases_to_allocate_and_risk_reviews_due(client, lead, programme, other_programme):
    waiting = CaseFactory(programme=programme, client__first_name="Wendy", client__last_name="Waiting")
    CaseFactory(programme=other_programme, client__first_name="Faraway")
    RiskFlagFactory(client=waiting.client, review_on=timezone.localdate() - timedelta(days=1))
    client.force_login(lead)
    body = client.get(reverse("home")).content.decode()
    assert "Cases to allocate (1)" in body and "Wendy Waiting" in body and "Faraway" not in body
    assert "Risk reviews due (1)" in body and "review overdue since" in body


def test_lead_panels_keep_a_fixed_query_count(client, lead, programme):
    client.force_login(lead)
    for _ in range(3):
        RiskFlagFactory(client=CaseFactory(programme=programme).client, review_on=timezone.localdate())
    small, _ = _list_queries(client, reverse("home"))
    for _ in range(20):
        RiskFlagFactory(client=CaseFactory(programme=programme).client, review_on=timezone.localdate())
    large, _ = _list_queries(client, reverse("home"))
    assert large <= small + 2  # the totals are counted separately once a panel overflows


def test_timeline_shows_the_reason_of_the_pause_in_force_which_the_audit_trail_does_not_keep(client, lead, programme):
    case = CaseFactory(programme=programme)
    case.pause(reason="in hospital for a while", by=lead)
    resume_case(case, by=lead)
    case.pause(reason="taking a break", by=lead)
    client.force_login(lead)
    timeline = client.get(reverse("clients:client_detail", args=[case.client_id])).context["timeline"]
    pauses = [event.detail for event in timeline if event.title == "Case paused"]
    assert pauses == ["taking a break", ""]  # newest first; the earlier reason went with the resume
    assert not AuditEvent.objects.filter(detail__icontains="hospital").exists()
