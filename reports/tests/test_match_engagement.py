from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import Case
from contacts.tests.factories import ContactFactory
from mentors.tests.factories import AllocationFactory, MentorFactory, WaitingCaseFactory
from reports.match_engagement import engagement_by_match

pytestmark = pytest.mark.django_db


def _case(programme, mentor, *, contacts, **allocation):
    case = WaitingCaseFactory(programme=programme, status="active")
    AllocationFactory(case=case, mentor=mentor, **allocation)
    for n in range(contacts):
        ContactFactory(case=case, date=case.started_on + timedelta(days=n + 1))
    return case


def test_engagement_by_match_splits_suggested_from_overridden_and_counts_by_mentor_type(programme):
    paid = MentorFactory(programmes=[programme], mentor_type="paid")
    peer = MentorFactory(programmes=[programme], mentor_type="peer")
    _case(programme, paid, contacts=2, suggested=True)
    _case(programme, paid, contacts=0, suggested=True)
    _case(programme, peer, contacts=3, suggested=False, overridden=["capacity"], override_reason="Knows the area")
    _case(programme, peer, contacts=2)  # allocated before matching recorded anything
    WaitingCaseFactory(programme=programme)  # never allocated: not counted

    figures = engagement_by_match(Case.objects.filter(programme=programme), timezone.localdate())

    assert figures["by_choice"] == {
        "suggested": {"engaged": 1, "cases": 2, "rate": 50.0},
        "overridden": {"engaged": 1, "cases": 1, "rate": 100.0},
        "not_recorded": {"engaged": 1, "cases": 1, "rate": 100.0},
    }
    assert figures["by_mentor_type"]["paid"] == {"engaged": 1, "cases": 2, "rate": 50.0}
    assert figures["by_mentor_type"]["peer"] == {"engaged": 2, "cases": 2, "rate": 100.0}
    assert figures["by_mentor_type"]["volunteer"] == {"engaged": 0, "cases": 0, "rate": None}


def test_the_internal_report_shows_engagement_by_match_and_the_suppressed_one_does_not(client, lead, programme):
    paid = MentorFactory(programmes=[programme], mentor_type="paid")
    case = _case(programme, paid, contacts=2, suggested=True)
    client.force_login(lead)
    period = {"programmes": [programme.pk], "start": case.started_on.isoformat(), "end": timezone.localdate().isoformat()}
    internal = client.get(reverse("reports:report"), {**period, "suppress": "off", "internal_use": "on"}).content.decode()
    assert "Engagement by match" in internal
    assert "1 of 1, 100.0%" in internal
    shared = client.get(reverse("reports:report"), {**period, "suppress": "on"}).content.decode()
    assert "Engagement by match" not in shared
