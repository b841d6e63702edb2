"""A mentor must never see another mentor's clients, or former clients, nor a lead another
programme's, wherever they click.

Signs in, follows every same-site link and export reachable from the pages (GET only, breadth
first, bounded), and asserts that no other client's name appears in any response.
"""

import re
from collections import deque
from html import unescape
from urllib.parse import urldefrag, urljoin, urlparse

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import Client
from referrals.models import Referral, ReferralSource

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
def test_a_lead_who_types_another_programmes_client_then_withdraws_finds_no_trace_of_them(client, world, lead):
    """The duplicate match and the withdrawal, driven as a lead with far_client's name and date of
    birth: far_client lives in a programme the lead does not lead."""
    far = world.far_client
    Client.objects.filter(pk=far.pk).update(
        client_ref="C-FAR-461", phone="07700 900461", postcode="ZZ9 4QX", email="far461@example.org",
        notes="Far-only note 461",
    )
    far.refresh_from_db()
    traces = [far.first_name, far.last_name, far.client_ref, far.phone, far.postcode, far.email, far.notes,
              reverse("clients:client_detail", args=[far.pk])]
    client.force_login(lead)
    url = reverse("referrals:referral_create")
    # Typed in capitals, so the lead's own typing is told apart from the stored "Fergus Farcase".
    typed = {
        "first_name": far.first_name.upper(), "last_name": far.last_name.upper(),
        "date_of_birth": far.date_of_birth.isoformat(), "gender": "not_known", "programme": world.programme.pk,
        "source": ReferralSource.objects.get(code="self").pk, "received_on": timezone.localdate().isoformat(),
        "readiness": "ready",
    }

    typed_only = client.post(url, typed)
    chosen = client.post(url, {**typed, "use_client": far.pk})

    assert typed_only.status_code == 302  # saved as a new record, as if nobody matched
    assert chosen.status_code == 200 and "Choose one of the matching clients listed" in chosen.content.decode()
    mine = Referral.objects.filter(programme=world.programme, decision=Referral.Decision.PENDING)
    assert mine.count() == 1 and mine.get().client != far
    for referral in mine:
        client.post(reverse("referrals:referral_decide", args=[referral.pk]),
                    {"decision": "withdraw", "on": timezone.localdate().isoformat(), "reason": "Test"})
    assert not Referral.objects.filter(client=far, programme=world.programme).exists()

    pages = crawl(client, reverse("home"))
    # Searches as a lead would type them (lower case: the search box repeats what was typed).
    for search in (far.first_name.lower(), far.last_name.lower(), far.client_ref.lower(), far.date_of_birth.strftime("%d/%m/%Y")):
        for start in (reverse("clients:client_list") + f"?q={search}", f"{url}?q={search}"):
            pages[start] = client.get(start).content.decode()
    for page_url, text in pages.items():
        for trace in traces:
            assert trace not in text, f"{trace!r} (far_client's) appears on {page_url}"
    assert client.get(reverse("clients:client_detail", args=[far.pk])).status_code == 404
    # The crawl reached the lead's queue and the withdrawn referral, so it proves something.
    assert any(far.last_name.upper() in text for text in pages.values())
    assert len(pages) > 10


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
                dbs_renewal_due="", user=controlled.pk, version=shared.version)
    data.pop("original", None)  # the edit form's snapshot of what it showed: none, as from an old page
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
