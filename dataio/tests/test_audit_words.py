"""The audit trail speaks English: events, who or what they were about, and their detail."""

import html
import re
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import Client
from mentoring import audit
from mentoring.models import AuditEvent
from mentoring.tests.factories import UserFactory
from mentors.models import Mentor

pytestmark = pytest.mark.django_db

URL = reverse("dataio:audit_list")
# The journeys' scan for codes (tests/test_journeys.py): snake_case words and dotted codes.
RAW_CODE = re.compile(r"(?<![\w./@-])(?:[a-z]+(?:_[a-z0-9]+)+|[a-z]{2,}(?:\.[a-z_]{2,})+)(?![\w/@-])")


@pytest.fixture
def sian(db):
    return Client.objects.create(first_name="Siân", last_name="O'Neill", client_ref="W-0012", date_of_birth=date(2001, 2, 3))


@pytest.fixture
def marcus(db, programme):
    return Mentor.objects.create(first_name="Marcus", last_name="Webb", email="marcus@example.org",
                                 mentor_type=Mentor.Type.PAID)


def table_text(response):
    """What the table's cells say, tags left out."""
    body = response.content.decode()
    table = body[body.index("<table"):body.index("</table>")]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table)))


def shown_verbs(response):
    return {row.record.verb for row in response.context["table"].page.object_list}


def test_the_audit_trail_says_signed_in_and_names_the_mentor_changed(client, manager, marcus):
    audit.record(manager, "user.signed_in", action=audit.Action.SIGN_IN)
    audit.record(manager, "mentor.sign_in_changed", marcus, previous_user=None, new_user=manager.pk)
    client.force_login(manager)
    text = table_text(client.get(URL))
    assert "Signed in" in text
    assert "Changed a mentor's sign-in account" in text
    assert "Mentor: Marcus Webb" in text
    assert "Sign-in account now: Erin Manager (erin)" in text
    assert "Erin Manager (erin)" in text  # who did it
    assert RAW_CODE.findall(text) == []


def test_the_audit_trail_names_the_client_with_their_reference(client, manager, sian):
    audit.record(manager, "client.viewed", sian, action=audit.Action.VIEW)
    client.force_login(manager)
    text = table_text(client.get(URL))
    assert "Viewed a client's record" in text
    assert "Client: Siân O'Neill (ref W-0012)" in text
    assert "clients.client" not in text and RAW_CODE.findall(text) == []


def test_the_audit_trail_finds_a_clients_events_by_typing_part_of_their_name(client, manager, sian):
    other = Client.objects.create(first_name="Tom", last_name="Other", client_ref="W-0099", date_of_birth=date(2000, 1, 1))
    audit.record(manager, "client.viewed", sian, action=audit.Action.VIEW)
    audit.record(manager, "client.updated", other, action=audit.Action.CHANGE)
    audit.record(manager, "client_list.viewed", action=audit.Action.VIEW, client_ids=[other.pk, sian.pk])
    client.force_login(manager)
    # Folded as the client search folds: no accents, apostrophes or case.
    for typed in ("sian", "oneill", "O'Neil", "SIÂN o'neill", "w-0012"):
        response = client.get(URL, {"client": typed})
        assert shown_verbs(response) == {"client.viewed", "client_list.viewed"}, typed
    assert shown_verbs(client.get(URL, {"client": "Nobody"})) == set()
    form = client.get(URL).content.decode()
    assert "Client (name or reference)" in form
    assert 'name="client"' in form and '<select name="client"' not in form


def test_the_changes_tab_finds_a_clients_changes_by_their_name(client, manager, sian):
    sian.area = "Northtown"
    sian.save()
    client.force_login(manager)
    response = client.get(URL, {"tab": "changes", "client": "o'neill"})
    assert {row.record.object_pk for row in response.context["table"].page.object_list} == {str(sian.pk)}


def test_a_search_matching_many_clients_says_so(client, manager):
    from dataio.filters import MATCHED_CLIENTS

    Client.objects.bulk_create([
        Client(first_name=f"Sam{n}", last_name="Commonname", search_name="sam commonname", date_of_birth=date(2000, 1, 1))
        for n in range(MATCHED_CLIENTS + 1)
    ])
    client.force_login(manager)
    body = client.get(URL, {"client": "commonname"}).content.decode()
    assert f"More than {MATCHED_CLIENTS} clients match" in body


def test_a_report_download_shows_its_period_in_words(client, manager, programme):
    client.force_login(manager)
    response = client.get(reverse("reports:report_csv"),
                          {"programmes": programme.pk, "start": "2026-07-01", "end": "2026-09-30"})
    assert response.status_code == 200
    assert AuditEvent.objects.get(verb="report.csv").detail["period"] == "2026-07-01..2026-09-30"
    text = table_text(client.get(URL))
    assert "Downloaded a report (CSV)" in text
    assert "Period: 1 Jul to 30 Sep 2026" in text
    assert "Programmes: Bridge 18-25" in text
    assert "2026-07-01" not in text and RAW_CODE.findall(text) == []


def test_a_period_across_a_new_year_gives_both_years(client, manager):
    audit.record(manager, "report.jdl_export", action=audit.Action.EXPORT, period="2025-12-01..2026-01-31", people=3)
    client.force_login(manager)
    text = table_text(client.get(URL))
    assert "Period: 1 Dec 2025 to 31 Jan 2026" in text and "People in the file: 3" in text


def test_the_audit_trail_shows_when_as_a_date_and_time_in_words(client, manager, sian):
    at = timezone.make_aware(datetime(2026, 11, 23, 14, 5))
    AuditEvent.objects.create(user=manager, username="erin", action="state", verb="case.paused", at=at,
                              client_id=sian.pk, detail={"on": "2026-11-23"})
    client.force_login(manager)
    text = table_text(client.get(URL))
    assert "23 Nov 2026, 14:05" in text
    assert "Paused a case" in text and "On: 23 Nov 2026" in text


def test_the_audit_trail_never_shows_a_personal_field_of_the_detail(client, manager, sian):
    # Details hold ids and codes; if a personal field ever reached one, the trail masks it.
    audit.record(manager, "client.updated", sian, action=audit.Action.CHANGE, notes="Spoke about her brother",
                 first_name="Siân")
    client.force_login(manager)
    text = table_text(client.get(URL))
    assert "Spoke about her brother" not in text
    assert "Notes: [personal data]" in text and "First name: [personal data]" in text


def test_the_what_happened_filter_offers_words_and_finds_the_event(client, manager, sian):
    audit.record(manager, "user.signed_in", action=audit.Action.SIGN_IN)
    audit.record(manager, "case.closed", sian, action=audit.Action.STATE, reason="moved_away", on="2026-11-02")
    client.force_login(manager)
    body = client.get(URL).content.decode()
    assert ">Closed a case</option>" in body and ">Signed in</option>" in body
    response = client.get(URL, {"event": "case.closed"})
    assert shown_verbs(response) == {"case.closed"}
    text = table_text(response)
    assert "Reason: Moved away" in text and "On: 2 Nov 2026" in text


def test_an_unseen_client_is_named_by_number_only(client, manager, sian, monkeypatch):
    # The names come through the access door: with no client visible, a number, never a name.
    from mentoring import access

    audit.record(manager, "client.viewed", sian, action=audit.Action.VIEW)
    client.force_login(manager)
    monkeypatch.setattr(access, "visible_clients", lambda user: Client.objects.none())
    text = table_text(client.get(URL))
    assert f"Client {sian.pk}" in text and "O'Neill" not in text


def test_the_audit_trail_runs_a_fixed_number_of_queries_with_names(
    client, manager, sian, marcus, programme, django_assert_max_num_queries
):
    def events(n):
        for _ in range(n):
            person = Client.objects.create(first_name="Ann", last_name="Extra", date_of_birth=date(2000, 1, 1))
            account = UserFactory()
            audit.record(manager, "client.viewed", person, action=audit.Action.VIEW)
            audit.record(manager, "mentor.dbs_status_reviewed", marcus)
            audit.record(manager, "allocation.created", client_id=person.pk, mentor=marcus.pk, on="2026-01-02")
            audit.record(manager, "user.created", account, action=audit.Action.CHANGE)
            audit.record(manager, "report.pdf", action=audit.Action.EXPORT, programmes=[programme.code],
                         period="2026-04-01..2026-06-30", filters={"mentor": marcus.pk})

    client.force_login(manager)
    events(1)
    with django_assert_max_num_queries(14) as small:
        client.get(URL)
    events(12)
    with django_assert_max_num_queries(14) as large:
        client.get(URL)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_changes_tab_names_fields_and_choices_in_words(client, manager, sian):
    sian.risk_level = "very_high"
    sian.area = "Northtown"
    sian.save()
    client.force_login(manager)
    text = table_text(client.get(URL, {"tab": "changes", "client": "W-0012"}))
    assert "Overall risk level" in text and "Very high" in text and "Changed" in text and "Added" in text
    assert "Client " in text and "Erin Manager" not in text  # a change the test made: nobody signed in did it
    assert "risk_level" not in text and "very_high" not in text and RAW_CODE.findall(text) == []


def test_the_subject_access_copy_says_what_happened_in_words(manager, sian):
    import json

    from dataio.subject_access import subject_access_document

    audit.record(manager, "client.viewed", sian, action=audit.Action.VIEW)
    event = json.loads(subject_access_document(sian.pk))["audit_events"][-1]
    assert event["event"] == "Viewed a client's record" and event["object"] == f"Client {sian.pk}"
