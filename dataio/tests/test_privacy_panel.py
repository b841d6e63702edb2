import pytest
from django.urls import reverse

from dataio.privacy import request_erasure
from tests.world import open_case


@pytest.mark.django_db
def test_manager_home_shows_erasure_requests_waiting_for_a_second_manager(client, manager, programme):
    person, *_ = open_case("Ernie", "Erasable", programme)
    request_erasure(client=person, by=manager, reason="The client asked for their record to be erased.")
    client.force_login(manager)
    page = client.get(reverse("home")).content.decode()
    assert "1 erasure request waiting for a second manager" in page
    assert "another manager must approve it" in page


@pytest.mark.django_db
def test_manager_home_has_no_data_protection_panel_when_nothing_is_waiting(client, manager):
    client.force_login(manager)
    assert "Data protection" not in client.get(reverse("home")).content.decode()
