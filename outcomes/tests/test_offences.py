from datetime import date

import pytest
from django.test import RequestFactory
from django.urls import reverse

from mentoring.models import AuditEvent
from outcomes import client_page as sections
from outcomes.models import CustodyPeriod, Offence
from outcomes.tests.factories import OffenceFactory

pytestmark = pytest.mark.django_db


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_mentor_sees_only_that_offence_records_exist(world, mentor_user):
    for _ in range(3):
        OffenceFactory(client=world.my_client, description="Took goods from Mercer's.")
    data = sections.offences(request_for(mentor_user), world.my_client, [world.my_case])
    assert data["allowed"] is False and data["offence_count"] == 3 and "offences" not in data
    from django.template.loader import render_to_string

    html = render_to_string("outcomes/sections/offences.html", {"data": data})
    assert "3 offence records; detail is visible to project leads and managers." in html
    assert "Mercer" not in html and "Shoplifting" not in html
    events = sections.outcome_events(request_for(mentor_user), world.my_client, [world.my_case])
    assert not [e for e in events if e.kind == "offence"]


def test_lead_sees_the_offence_history_on_the_client_page_and_timeline(world, lead):
    OffenceFactory(client=world.my_client, conviction_date=None)
    data = sections.offences(request_for(lead), world.my_client, [world.my_case])
    assert data["allowed"] and len(data["offences"]) == 1
    events = sections.outcome_events(request_for(lead), world.my_client, [world.my_case])
    assert [e.detail for e in events if e.kind == "offence"] == ["Not convicted"]


def test_mentor_cannot_open_or_add_offence_details_even_for_their_own_client(client, world, mentor_user):
    client.force_login(mentor_user)
    assert client.get(reverse("outcomes:offence_list", kwargs={"pk": world.my_client.pk})).status_code == 403
    assert client.get(reverse("outcomes:offence_list", kwargs={"pk": world.other_client.pk})).status_code == 404
    response = client.post(reverse("outcomes:offence_create", kwargs={"pk": world.my_client.pk}), {"offence_date": "2025-01-01"})
    assert response.status_code == 403 and not Offence.objects.exists()


@pytest.mark.parametrize("size", [2, 12])
def test_offence_list_runs_a_fixed_number_of_queries(client, world, lead, django_assert_max_num_queries, size):
    for n in range(size):
        OffenceFactory(client=world.my_client, offence_date=date(2024, 1, 1 + n))
    CustodyPeriod.objects.create(client=world.my_client, started_on=date(2024, 3, 1), ended_on=date(2024, 5, 1), reason="remand")
    client.force_login(lead)
    # session, user, roles, led programmes, client (visible_clients), audit insert, offence count,
    # the page of offences (with categories), the paginator count, custody periods, filter choices.
    with django_assert_max_num_queries(16):
        response = client.get(reverse("outcomes:offence_list", kwargs={"pk": world.my_client.pk}))
    assert response.status_code == 200
    assert f"{size} offence records" in response.content.decode()
    assert AuditEvent.objects.filter(verb="client.offences_viewed", client_id=world.my_client.pk).exists()


def test_lead_records_an_offence_and_a_custody_period(client, world, lead):
    client.force_login(lead)
    from outcomes.models import OffenceCategory

    response = client.post(reverse("outcomes:offence_create", kwargs={"pk": world.my_client.pk}), {
        "offence_date": "2025-03-01", "conviction_date": "2025-02-01", "source": "police",
        "category": OffenceCategory.objects.get(code="robbery").pk, "description": "Phone taken at the bus stop.",
    })
    assert response.status_code == 200 and "cannot be before the offence date" in response.content.decode()
    assert "Phone taken at the bus stop." in response.content.decode()
    response = client.post(reverse("outcomes:offence_create", kwargs={"pk": world.my_client.pk}), {
        "offence_date": "2025-03-01", "conviction_date": "2025-06-01", "source": "police",
        "category": OffenceCategory.objects.get(code="robbery").pk, "description": "Phone taken at the bus stop.",
    })
    assert response.status_code == 302
    assert Offence.objects.get(client=world.my_client).conviction_date == date(2025, 6, 1)
    response = client.post(reverse("outcomes:custody_create", kwargs={"pk": world.my_client.pk}),
                           {"started_on": "2025-06-01", "ended_on": "2025-09-01", "reason": "sentence"})
    assert response.status_code == 302
    assert CustodyPeriod.objects.get(client=world.my_client).reason == "sentence"


def _custody_for(world):
    for person in (world.my_client, world.past_client):
        CustodyPeriod.objects.create(client=person, started_on=date(2001, 2, 3), ended_on=date(2001, 3, 9), reason="recall")
        CustodyPeriod.objects.create(client=person, started_on=date(2002, 4, 7), reason="remand")


CUSTODY_SHOWN = ("3 Feb 2001", "9 Mar 2001", "7 Apr 2002", "Went into custody", "Released from custody",
                 "still in custody", "Recall", "Remand")


def test_mentor_sees_no_custody_period_on_any_page_they_can_reach(client, world, mentor_user):
    from tests.test_access_matrix import ROWS

    _custody_for(world)
    client.force_login(mentor_user)
    pages = [row for row in ROWS if row.method == "get" and row.expect("mentor") == 200]
    assert "clients:client_detail" in {row.name for row in pages}
    for row in pages:
        url = reverse(row.name, kwargs=row.kwargs(world) if row.kwargs else None)
        response = client.get(url)
        if not response["Content-Type"].startswith("text/html"):
            continue
        body = response.content.decode()
        shown = [text for text in CUSTODY_SHOWN if text in body]
        assert not shown, f"{url} shows a mentor custody detail: {shown}"


def test_lead_sees_custody_periods_on_the_client_page(client, world, lead):
    _custody_for(world)
    client.force_login(lead)
    body = client.get(reverse("clients:client_detail", args=[world.my_client.pk])).content.decode()
    assert "3 Feb 2001" in body and "Went into custody (recall)" in body and "now (still in custody)" in body
