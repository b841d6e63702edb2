"""Every read of a client's record is audited, by the access door rather than view by view.

The first test walks every page of the access matrix that a mentor, a lead or a manager may
open and, wherever a world client's name appears, expects a VIEW event by that user naming
that client: its own (`client_id`) or a list page's (`detail["client_ids"]`).
"""

import re

import pytest
from django.db import DatabaseError
from django.urls import reverse

from mentoring.models import AuditEvent
from tests.test_access_matrix import ROWS

pytestmark = pytest.mark.django_db

CASE_WORKERS = ["mentor", "lead", "manager"]
PAGES = [(row, role) for row in ROWS for role in CASE_WORKERS if row.method == "get" and row.expect(role) == 200]
CLIENTS = ["my_client", "past_client", "other_client", "far_client"]


def names_shown(body, world):
    """The world's clients whose first or last name the page shows."""
    shown = []
    for name in CLIENTS:
        person = getattr(world, name)
        if re.search(rf"\b({re.escape(person.first_name)}|{re.escape(person.last_name)})\b", body):
            shown.append(person)
    return shown


def views_naming(user, client_pk):
    return [
        e for e in AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, user=user)
        if e.client_id == client_pk or client_pk in e.detail.get("client_ids", [])
    ]


def _body(response):
    if not response["Content-Type"].startswith(("text/", "application/json")):
        return ""  # a PDF report: no client is named in it
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


@pytest.mark.parametrize("role", CASE_WORKERS)
def test_every_page_that_names_a_client_records_that_the_user_read_them(client, world, people, role):
    user = people[role]
    client.force_login(user)
    unrecorded, naming = [], 0
    for row, page_role in PAGES:
        if page_role != role:
            continue
        url = reverse(row.name, kwargs=row.kwargs(world) if row.kwargs else None)
        response = client.get(url)
        assert response.status_code == 200, url
        shown = names_shown(_body(response), world)
        naming += bool(shown)
        unrecorded += [f"{row.id}: {person}" for person in shown if not views_naming(user, person.pk)]
    assert not unrecorded, f"pages that showed a client to the {role} and recorded no read: {unrecorded}"
    # The walk proves nothing unless the world's names were on the pages.
    assert naming >= {"mentor": 15, "lead": 25, "manager": 25}[role]


def test_a_client_page_writes_one_event_in_one_insert(client, world, lead, django_assert_max_num_queries):
    client.force_login(lead)
    with django_assert_max_num_queries(60) as queries:
        client.get(reverse("clients:client_detail", args=[world.my_client.pk]))
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "mentoring_auditevent"')]
    assert len(inserts) == 1
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW)
    assert (event.verb, event.client_id, event.user) == ("client.viewed", world.my_client.pk, lead)


def test_the_edit_form_and_the_close_form_record_a_read(client, world, lead):
    client.force_login(lead)
    client.get(reverse("clients:client_update", args=[world.my_client.pk]))
    client.get(reverse("clients:case_close", args=[world.my_case.pk]))
    verbs = set(AuditEvent.objects.filter(client_id=world.my_client.pk, action="view").values_list("verb", flat=True))
    assert verbs == {"client.viewed", "case.viewed"}


def test_a_search_by_name_records_who_was_listed_but_not_the_words_searched(client, world, lead):
    client.force_login(lead)
    client.get(reverse("clients:client_list"), {"q": "Mycase"})
    event = AuditEvent.objects.get(verb="client_list.viewed")
    assert event.client_id is None and event.detail == {"client_ids": [world.my_client.pk]}
    client.get(reverse("referrals:referral_create"), {"q": "Othercase"})
    event = AuditEvent.objects.get(verb="client_search.viewed")
    assert event.detail == {"client_ids": [world.other_client.pk]}
    for word in ("Mycase", "Othercase"):
        assert not AuditEvent.objects.filter(detail__icontains=word).exists()


def test_the_home_page_records_the_mentors_caseload_as_one_event(client, world, mentor_user):
    client.force_login(mentor_user)
    body = client.get(reverse("home")).content.decode()
    assert "Mycase" in body
    event = AuditEvent.objects.get(action="view")
    assert event.verb == "home.viewed" and world.my_client.pk in event.detail["client_ids"]
    assert world.other_client.pk not in event.detail["client_ids"]


def test_a_refused_page_records_no_read(client, world, mentor_user):
    client.force_login(mentor_user)
    # A mentor may not see offence detail, even of their own client: 403, and nothing was shown.
    assert client.get(reverse("outcomes:offence_list", args=[world.my_client.pk])).status_code == 403
    assert client.get(reverse("clients:client_detail", args=[world.other_client.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="view").exists()


def test_the_same_client_read_twice_in_one_request_is_one_event(client, world, lead):
    client.force_login(lead)
    # The contact list loads the case and lists its contacts: one read of the client.
    client.get(reverse("contacts:case_contacts", args=[world.my_case.pk]))
    events = AuditEvent.objects.filter(action="view")
    assert [(e.verb, e.client_id) for e in events] == [("case.contacts_viewed", world.my_client.pk)]


def test_an_export_stands_for_the_read_of_what_it_exports(client, world, lead):
    client.force_login(lead)
    client.get(reverse("contacts:case_contacts_csv", args=[world.my_case.pk]))
    events = AuditEvent.objects.filter(client_id=world.my_client.pk, action__in=["view", "export"])
    assert [(e.action, e.verb) for e in events] == [("export", "case.contacts_exported")]


def test_a_page_whose_read_cannot_be_recorded_is_not_served(client, world, lead, monkeypatch):
    def refuse(*args, **kwargs):
        raise DatabaseError("audit table unavailable")

    monkeypatch.setattr(AuditEvent.objects, "bulk_create", refuse)
    client.force_login(lead)
    with pytest.raises(DatabaseError):
        client.get(reverse("clients:client_detail", args=[world.my_client.pk]))


# By part of their name or their reference (was: also by id; the filter now searches as the client search does).
@pytest.mark.parametrize("typed", ["{name}", "{ref}"])
def test_the_audit_screen_finds_list_pages_that_named_the_client(client, world, lead, manager, typed):
    client.force_login(lead)
    client.get(reverse("clients:client_list"))  # names every client of the lead's programme
    client.get(reverse("clients:client_detail", args=[world.other_client.pk]))
    client.force_login(manager)
    person = world.my_client
    person.client_ref = "REF-MINA"
    person.save()
    response = client.get(reverse("dataio:audit_list"),
                          {"client": typed.format(name=person.last_name.lower(), ref=person.client_ref), "action": "view"})
    verbs = [row.record.verb for row in response.context["table"].page.object_list]
    assert verbs == ["client_list.viewed"]
