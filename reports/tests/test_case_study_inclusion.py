"""A manager includes a case study in reports, or takes it out: the press says which, so a
second manager's press from an older list never silently undoes the first one's choice."""

from datetime import date

import pytest
from django.urls import reverse

from mentoring.models import AuditEvent
from reports.models import CaseStudy

from .factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def study(programme, manager):
    case = make_case(programme, date(2024, 2, 1))
    return CaseStudy.objects.create(case=case, title="Back on track", story="They found steady work.",
                                    consent_given_on=date(2024, 5, 1), written_by=manager)


def test_including_a_case_study_someone_else_included_meanwhile_keeps_it_included(client, manager, study):
    client.force_login(manager)
    url = reverse("reports:case_study_toggle", kwargs={"pk": study.pk})
    list_page = client.get(reverse("reports:case_study_list")).content.decode()
    assert 'name="include" value="1"' in list_page
    assert client.post(url, {"include": "1"}).status_code == 302  # the other manager, first

    response = client.post(url, {"include": "1"}, follow=True)  # pressed on the list loaded before

    assert "“Back on track” was already included in reports." in response.content.decode()
    study.refresh_from_db()
    assert study.approved_for_reports
    assert AuditEvent.objects.filter(verb="case_study.included", object_id=str(study.pk)).count() == 1
    assert not AuditEvent.objects.filter(verb="case_study.excluded").exists()


def test_taking_out_a_case_study_says_so_and_a_page_without_the_choice_changes_nothing(client, manager, study):
    client.force_login(manager)
    url = reverse("reports:case_study_toggle", kwargs={"pk": study.pk})
    client.post(url, {"include": "1"})
    response = client.post(url, {"include": "0"}, follow=True)
    assert "“Back on track” is no longer included in reports." in response.content.decode()
    response = client.post(url, follow=True)
    assert "This page is out of date: check the list and press again." in response.content.decode()
    study.refresh_from_db()
    assert not study.approved_for_reports
