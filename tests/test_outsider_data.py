"""A mentor must never see another mentor's clients, or former clients, wherever they click.

Signs in as alice, follows every same-site link and export reachable from her pages (GET only,
breadth first, bounded), and asserts that no other client's name appears in any response.
"""

import re
from collections import deque
from html import unescape
from urllib.parse import urldefrag, urljoin, urlparse

import pytest
from django.urls import reverse

from clients.models import Client

# Links that change state on GET must not exist; these only end the session.
SKIP = ("/accounts/logout/", "/admin/")
MAX_PAGES = 400


def crawl(client, start):
    seen, queue, pages = {start}, deque([start]), {}
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code != 200:
            continue
        content_type = response.get("Content-Type", "")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if content_type.startswith(("text/", "application/json")):
            text = body.decode("utf-8", "replace")
        else:
            text = body.decode("latin-1")  # PDFs etc.: names would still show as bytes
        pages[url] = text
        if not content_type.startswith("text/html"):
            continue
        for href in re.findall(r'href="([^"#][^"]*)"', text):
            target = urldefrag(urljoin(url, unescape(href)))[0]
            parsed = urlparse(target)
            if parsed.netloc not in ("", "testserver") or not parsed.path.startswith("/"):
                continue
            target = parsed.path + (f"?{parsed.query}" if parsed.query else "")
            if target.startswith(SKIP) or target.startswith("/static/") or target in seen:
                continue
            seen.add(target)
            queue.append(target)
    return pages


@pytest.mark.django_db
def test_no_other_mentors_client_appears_anywhere_a_mentor_can_reach(client, world, mentor_user):
    client.force_login(mentor_user)
    pages = crawl(client, reverse("home"))
    # Alice's former client (allocation ended yesterday) is an outsider to her now.
    mine = {world.my_client.pk}
    outsiders = Client.objects.exclude(pk__in=mine)
    assert outsiders.count() >= 2
    for url, text in pages.items():
        for person in outsiders:
            for name in (person.first_name, person.last_name):
                assert name not in text, f"{name} (not alice's client) appears on {url}"
    # The crawl did reach alice's own client and her exports, so it proves something.
    assert len(pages) > 5
    assert any(world.my_client.last_name in text for text in pages.values())



@pytest.mark.django_db
def test_a_lead_cannot_hand_another_programmes_cases_to_an_account_they_control(client, world, lead):
    """A mentor shared by both programmes holds a case in other_programme; the lead of
    `programme` tries to re-link the profile to a fresh sign-in account they control."""
    from mentoring import access
    from mentoring.tests.factories import UserFactory
    from mentors.models import Allocation
    from tests.world import mentor_profile

    sam = UserFactory(username="sam", first_name="Sam", last_name="Shared", role="mentor")
    shared = mentor_profile(sam, world.programme)
    shared.programmes.add(world.other_programme)
    Allocation.objects.create(case=world.far_case, mentor=shared, started_on=world.far_case.started_on)
    controlled = UserFactory(username="mallory", first_name="Mallory", last_name="Controlled", role="mentor")

    client.force_login(lead)
    url = reverse("mentors:mentor_update", args=[shared.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "lived_experience"}
    data.update(programmes=[world.programme.pk], areas="", languages="", strengths=[], active="on",
                references_received="on", dbs_certificate_on=shared.dbs_certificate_on.isoformat(),
                dbs_renewal_due="", user=controlled.pk)
    client.post(url, data)

    shared.refresh_from_db()
    assert shared.user == sam
    assert not access.visible_cases(controlled).filter(programme=world.other_programme).exists()
    client.force_login(controlled)
    pages = crawl(client, reverse("home"))
    assert pages
    for url, text in pages.items():
        for name in (world.far_client.first_name, world.far_client.last_name):
            assert name not in text, f"{name} (a case of other_programme) appears on {url}"
