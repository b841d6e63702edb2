"""A lead allocates the whole waiting list at once, in real Chromium, at desktop and phone sizes."""

import re

import pytest
from playwright.sync_api import expect

from mentoring.models import Role
from mentoring.tests.factories import MembershipFactory, ProgrammeFactory, UserFactory
from mentors.models import Allocation
from tests.test_journeys import Journey, sizes
from tests.world import mentor_profile, open_case


def waiting_case(first, last, programme, area):
    """A client whose referral was accepted and who waits for a mentor."""
    client, case, _, contact = open_case(first, last, programme)
    contact.delete()
    client.area = area
    client.save()
    return case


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@sizes
def test_a_lead_reviews_the_proposal_changes_one_pair_and_the_cases_reach_the_mentors_homes(live_server, page, size):
    programme = ProgrammeFactory(code="bridge", name="Bridge 18-25")
    lead = UserFactory(username="charlie", first_name="Charlie", last_name="Lead", role=Role.LEAD)
    MembershipFactory(user=lead, programme=programme, role=Role.LEAD)
    mentors = {}
    for username, first, area in [("alice", "Alice", "Eastfield"), ("bob", "Bob", "Westfield"), ("cara", "Cara", None)]:
        user = UserFactory(username=username, first_name=first, last_name="Mentor", role=Role.MENTOR)
        mentors[username] = mentor_profile(user, programme, areas=[area] if area else [])
    east = waiting_case("Jordan", "Example", programme, "Eastfield")
    west = waiting_case("Riley", "Sample", programme, "Westfield")

    j = Journey("matching-proposal", size, page, live_server)
    j.sign_in("charlie")
    j.go("/mentors/allocation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Allocation board")
    j.see("board")
    page.get_by_role("link", name="Propose allocations for all waiting cases").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Proposed allocations")
    east_card = page.get_by_role("article").filter(has_text="Jordan Example")
    west_card = page.get_by_role("article").filter(has_text="Riley Sample")
    # Each client is proposed the mentor who covers their area, and the page says why.
    expect(east_card).to_contain_text("Proposed: Alice Mentor")
    expect(west_card).to_contain_text("Proposed: Bob Mentor")
    expect(west_card).to_contain_text("Westfield")
    expect(page.locator("main")).not_to_contain_text("score")
    j.see("proposal")
    assert not Allocation.objects.exists(), "nothing is allocated before the lead confirms"

    # The lead knows Riley would do better with Cara, and changes that one pair.
    page.get_by_label(re.compile(r"^Mentor for Riley Sample")).select_option(str(mentors["cara"].pk))
    j.see("changed")
    page.get_by_role("button", name="Confirm these allocations").click()
    expect(page.locator(".messages")).to_contain_text("2 cases allocated.")
    j.see("confirmed")
    assert {a.case_id: a.mentor.user.username for a in Allocation.objects.current()} == {
        east.pk: "alice", west.pk: "cara",
    }

    for username, theirs, not_theirs in [("alice", "Jordan Example", "Riley Sample"), ("cara", "Riley Sample", "Jordan Example")]:
        page.context.clear_cookies()
        j.sign_in(username)
        expect(j.main()).to_contain_text(theirs)
        expect(j.main()).not_to_contain_text(not_theirs)
    page.context.clear_cookies()
    j.sign_in("bob")
    expect(j.main()).not_to_contain_text("Riley Sample")
