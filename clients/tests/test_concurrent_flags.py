"""Two people raising the same kind of risk flag for one client at the same moment: one flag,
and the other is told to edit it, never a server error (one current flag per kind)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import RiskFlag
from mentoring.tests.concurrency import run_together, signed_in_browsers

from .factories import ClientFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_people_raising_one_kind_of_flag_at_once_make_one_flag(manager, lead):
    person = ClientFactory()
    url = reverse("clients:risk_flag_create", args=[person.pk])
    today = timezone.localdate().isoformat()
    browsers = signed_in_browsers(manager, manager)
    posts = [
        lambda b=b, level=level: b.post(url, {"kind": "to_others", "level": level, "raised_on": today, "active": "on"})
        for b, level in zip(browsers, ("high", "low"), strict=True)
    ]

    # An uncommitted flag of that kind: both forms' checks find none, both inserts wait on it.
    outcomes = run_together(*posts, hold=lambda: RiskFlag.objects.create(client=person, kind="to_others"))

    assert [o.error for o in outcomes] == [None, None]
    assert sorted(o.value.status_code for o in outcomes) == [200, 302]
    refused = next(o.value for o in outcomes if o.value.status_code == 200)
    assert "already has a current flag of this kind" in refused.content.decode()
    assert RiskFlag.objects.filter(client=person, kind="to_others", active=True).count() == 1
