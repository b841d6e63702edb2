"""Two mentors saving the initial progress wheel of one case at the same moment: one lands, the
other is told and offered a review, keeping what was typed. Real threads on their own PostgreSQL
connections (mentoring/tests/concurrency.py)."""

import pytest
from django.urls import reverse

from clients.models import Case
from mentoring.tests.concurrency import run_together, signed_in_browsers
from outcomes.models import Assessment, AssessmentTemplate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


def _post(day, words):
    data = {"template": "progress_wheel", "assessed_on": day, "stage": "initial"}
    for code in AssessmentTemplate.objects.get(code="progress_wheel").domains.values_list("code", flat=True):
        data[f"score_{code}"], data[f"comment_{code}"] = "5", words
    return data


def test_two_initial_assessments_saved_at_once_do_not_both_land(world, mentor_user, lead):
    url = reverse("outcomes:assessment_create", kwargs={"pk": world.my_case.pk})
    browsers = signed_in_browsers(mentor_user, lead)
    first, second = _post("2026-02-03", "from the first"), _post("2026-02-04", "from the second")

    outcomes = run_together(lambda: browsers[0].post(url, first), lambda: browsers[1].post(url, second),
                            hold=Case.objects.filter(pk=world.my_case.pk))

    responses = [outcome.value for outcome in outcomes]
    assert all(outcome.error is None for outcome in outcomes), outcomes
    assert sorted(response.status_code for response in responses) == [200, 302]
    assert Assessment.objects.filter(case=world.my_case, stage="initial").count() == 1
    refused = next(response for response in responses if response.status_code == 200).content.decode()
    assert "This case already has an initial assessment on" in refused
    assert "Record it as a review" in refused
    assert "from the first" in refused or "from the second" in refused  # what was typed is still there
