"""Two leads saving a case's very first matching preferences at the same moment: one set is
saved and the other lead is shown it, never a server error. Real threads on their own
PostgreSQL connections (mentoring/tests/concurrency.py)."""

import pytest
from django.urls import reverse

from mentoring.tests.concurrency import run_together, signed_in_browsers
from mentors.models import CaseMatchPreference, Strength

from .factories import WaitingCaseFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_leads_saving_first_preferences_at_once_keep_one_and_show_it_to_the_other(programme, lead, manager):
    case = WaitingCaseFactory(programme=programme)
    housing = Strength.objects.get(code="housing")
    url = reverse("mentors:allocate", args=[case.pk])
    browsers = signed_in_browsers(lead, manager)
    posts = [
        lambda: browsers[0].post(url, {"save_preferences": "1", "pref-needs": [housing.pk], "pref-mentor_gender": ""}),
        lambda: browsers[1].post(url, {"save_preferences": "1", "pref-mentor_gender": "female"}),
    ]

    # An uncommitted first row makes both requests find none, then wait on its unique index.
    outcomes = run_together(*posts, hold=lambda: CaseMatchPreference.objects.create(case=case))

    statuses = sorted(o.value.status_code for o in outcomes if o.error is None)
    assert [o.error for o in outcomes] == [None, None]
    assert statuses == [302, 409]
    refused = next(o.value for o in outcomes if o.value.status_code == 409)
    assert "Someone else saved the client&#x27;s preferences" in refused.content.decode()
    assert CaseMatchPreference.objects.filter(case=case).count() == 1
