"""Real Chromium at 360x740: a mentor finds "Calendar feed" in the account menu, makes the URL
and revokes it, with nothing overflowing sideways."""

import pytest

from contacts.models import CalendarFeed
from tests.browser import PHONE, shot, sign_in_as

from .test_browser import _alice_in_bridge


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_feed_page_is_reached_from_the_menu_and_works_on_a_phone(live_server, page):
    _programme, user, _alice = _alice_in_bridge()
    page.set_viewport_size(PHONE)
    sign_in_as(page, live_server, user)
    page.goto(f"{live_server.url}/")
    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("button", name="Signed in as Alice Mentor").click()
    page.get_by_role("link", name="Calendar feed").click()
    page.wait_for_url("**/contacts/calendar/")
    page.get_by_role("button", name="Make my feed URL").click()
    page.wait_for_url("**/contacts/calendar/new/")
    url = page.get_by_label("Your feed URL").input_value()
    assert url.startswith(live_server.url) and url.endswith(".ics")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "contacts-calendar-feed-phone")
    assert page.request.get(url).status == 200
    page.get_by_role("button", name="Revoke my feed URL").click()
    page.wait_for_url("**/contacts/calendar/")
    assert "no longer works" in page.locator(".messages").inner_text()
    assert page.request.get(url).status == 404
    assert not CalendarFeed.objects.exists()
