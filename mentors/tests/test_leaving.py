"""A mentor who leaves loses access and leaves no case behind (issue 13, point 5).

Marking a mentor as left, from the re-allocation screen or by un-ticking "Active" on their
profile, ends every allocation they still hold, puts each case left without a lead back in
"Cases to allocate", deactivates their sign-in and ends their sessions.
"""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clients.models import Case
from mentoring.auth import end_sessions
from mentoring.models import AuditEvent, Role
from mentoring.tests.factories import PASSWORD, MembershipFactory, UserFactory
from mentors import services
from mentors.models import Allocation

from .factories import AllocationFactory, MentorFactory, WaitingCaseFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def signed_in_as(user):
    browser = Client()
    response = browser.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def cases_to_allocate_panel(client, lead):
    client.force_login(lead)
    page = client.get(reverse("home")).content.decode()
    start = page.index('id="panel-to-allocate"')
    return page[start:page.index("</section>", start)]


@pytest.fixture
def five_cases(programme, alice):
    cases = [WaitingCaseFactory(programme=programme, status="active") for _ in range(5)]
    for case in cases:
        AllocationFactory(case=case, mentor=alice)
    return cases


def test_a_mentor_marked_as_left_cannot_sign_in_and_their_unallocated_cases_appear_in_cases_to_allocate(
    client, lead, alice, bob, mentor_user, five_cases
):
    their_phone = signed_in_as(mentor_user)
    assert their_phone.get(reverse("home")).status_code == 200
    handed_over, *left_behind = five_cases
    url = reverse("mentors:mentor_reallocate", args=[alice.pk])
    data = {f"case_{case.pk}": "" for case in left_behind}
    data.update({f"case_{handed_over.pk}": str(bob.pk), "reason": "Moved away", "started_on": TODAY().isoformat(),
                 "mentor_status": "leaving"})
    client.force_login(lead)

    response = client.post(url, data, follow=True)

    page = response.content.decode()
    assert "1 case re-allocated from Alice Mentor." in page
    assert "4 cases go back to &#x27;Cases to allocate&#x27;." in page and "can no longer sign in" in page
    assert not Allocation.objects.current().filter(mentor=alice).exists()
    assert set(Case.objects.to_allocate()) == set(left_behind)
    panel = cases_to_allocate_panel(client, lead)
    assert "Cases to allocate (4)" in panel
    for case in left_behind:
        assert case.client.name_for_header in panel
    # Their open session is gone, and the right password no longer signs them in.
    assert their_phone.get(reverse("home")).status_code == 302
    mentor_user.refresh_from_db()
    assert mentor_user.is_active is False
    refused = Client().post(reverse("account_login"), {"login": mentor_user.username, "password": PASSWORD})
    assert refused.status_code == 200
    assert not Session.objects.filter(session_key=their_phone.session.session_key).exists()


def test_unticking_active_on_the_profile_is_the_same_leaving(client, lead, alice, mentor_user, five_cases):
    their_phone = signed_in_as(mentor_user)
    client.force_login(lead)
    url = reverse("mentors:mentor_update", args=[alice.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("lived_experience", "active")}
    data.update(programmes=[p.pk for p in alice.programmes.all()], areas="", languages="", strengths=[],
                references_received="on", dbs_certificate_on=alice.dbs_certificate_on.isoformat(),
                dbs_renewal_due=alice.dbs_renewal_due.isoformat())

    response = client.post(url, data, follow=True)

    assert "5 cases go back to &#x27;Cases to allocate&#x27;." in response.content.decode()
    alice.refresh_from_db()
    mentor_user.refresh_from_db()
    assert alice.active is False and mentor_user.is_active is False
    assert not Allocation.objects.current().filter(mentor=alice).exists()
    assert Case.objects.to_allocate().count() == 5
    assert their_phone.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(verb="mentor.left", object_id=str(alice.pk)).exists()


def test_a_former_client_is_a_404_for_the_mentor_who_left_and_the_history_stays(client, lead, alice, mentor_user, five_cases):
    services.mark_mentor_left(mentor=alice, reason="Left", by=lead)
    mentor_user.is_active = True  # even if their sign-in were given back
    mentor_user.save()
    client.force_login(mentor_user)
    for case in five_cases:
        assert client.get(reverse("clients:client_detail", args=[case.client_id])).status_code == 404
    # The lead still reads who mentored the case, and when.
    ended = Allocation.objects.filter(mentor=alice)
    assert ended.count() == 5 and set(ended.values_list("ended_on", flat=True)) == {TODAY()}


def test_a_lead_ending_the_lead_mentors_allocation_by_hand_puts_the_case_back_in_the_queue(client, lead, alice, programme):
    case = WaitingCaseFactory(programme=programme, status="active")
    allocation = AllocationFactory(case=case, mentor=alice)
    client.force_login(lead)
    response = client.post(reverse("mentors:allocation_end", args=[allocation.pk]),
                           {"ended_on": TODAY().isoformat(), "reason": "Client asked for a change"}, follow=True)
    assert "back in &#x27;Cases to allocate&#x27;" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.TO_ALLOCATE
    assert case.client.name_for_header in cases_to_allocate_panel(client, lead)
    assert AuditEvent.objects.filter(verb="case.back_to_allocate", client_id=case.client_id).exists()


def test_ending_a_supporting_allocation_or_one_with_another_lead_keeps_the_case_active(lead, alice, bob, programme):
    case = WaitingCaseFactory(programme=programme, status="active")
    AllocationFactory(case=case, mentor=bob)
    support = AllocationFactory(case=case, mentor=alice, role="supporting")
    services.end_allocation(allocation=support, on=TODAY(), reason="No longer needed", by=lead)
    case.refresh_from_db()
    assert case.status == Case.Status.ACTIVE


def test_a_paused_case_stays_paused_when_its_lead_leaves(lead, alice, programme):
    case = WaitingCaseFactory(programme=programme, status="paused")
    AllocationFactory(case=case, mentor=alice)
    left = services.mark_mentor_left(mentor=alice, reason="Left", by=lead)
    case.refresh_from_db()
    assert case.status == Case.Status.PAUSED and left.queued == []


def test_a_leaver_whose_account_also_leads_a_programme_keeps_the_sign_in(lead, programme):
    both = UserFactory(username="both", role=Role.MENTOR)
    both.groups.add(*lead.groups.all())
    MembershipFactory(user=both, programme=programme, role=Role.LEAD)
    mentor = MentorFactory(user=both, programmes=[programme])
    left = services.mark_mentor_left(mentor=mentor, reason="Stopped mentoring", by=lead)
    both.refresh_from_db()
    assert both.is_active is True and left.signed_out is False


def test_the_day_a_mentor_left_cannot_be_in_the_future(lead, alice, five_cases):
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.mark_mentor_left(mentor=alice, reason="Leaving soon", by=lead, on=TODAY() + timedelta(days=7))
    assert Allocation.objects.current().filter(mentor=alice).count() == 5


def test_an_allocation_that_had_not_started_yet_ends_before_it_starts(lead, alice, programme):
    case = WaitingCaseFactory(programme=programme, status="active")
    later = AllocationFactory(case=case, mentor=alice, started_on=TODAY() + timedelta(days=3))
    services.mark_mentor_left(mentor=alice, reason="Left", by=lead)
    later.refresh_from_db()
    assert later.ended_on == later.started_on
    assert not Allocation.objects.current(later.started_on).filter(pk=later.pk).exists()


def test_ending_someones_sessions_leaves_everyone_elses(mentor_user, other_mentor_user):
    mine, theirs = signed_in_as(mentor_user), signed_in_as(other_mentor_user)
    assert end_sessions(mentor_user) == 1
    assert mine.get(reverse("home")).status_code == 302
    assert theirs.get(reverse("home")).status_code == 200
