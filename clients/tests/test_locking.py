"""Two people editing the same client or risk flag: the second save never undoes the first."""

import pytest
from auditlog.models import LogEntry
from django.test import Client as Browser
from django.urls import reverse

from clients.models import RiskLevel
from mentoring.tests.locking import posted

from .factories import CaseFactory, RiskFlagFactory

pytestmark = pytest.mark.django_db


def _open(user, url):
    browser = Browser()
    browser.force_login(user)
    return browser, browser.get(url).context["form"]


def test_a_stale_save_of_client_details_is_refused_and_the_first_change_kept(lead, manager, programme):
    person = CaseFactory(programme=programme, client__phone="0700 000001").client
    url = reverse("clients:client_update", args=[person.pk])
    first, first_form = _open(lead, url)
    second, second_form = _open(manager, url)

    assert first.post(url, posted(first_form, risk_level=RiskLevel.HIGH)).status_code == 302
    response = second.post(url, posted(second_form, phone="0700 999999"))

    assert response.status_code == 409
    html = response.content.decode()
    assert ("Someone else saved these details while you were editing: Overall risk level is now High. "
            "Your changes are below; check them and save again.") in html
    person.refresh_from_db()
    assert person.risk_level == RiskLevel.HIGH and person.phone == "0700 000001"
    # What the manager typed is kept; the level the lead set is shown, so saving again keeps both.
    retry = response.context["form"]
    assert retry["phone"].value() == "0700 999999" and retry["risk_level"].value() == RiskLevel.HIGH
    assert f'name="version" value="{person.version}"' in html
    assert second.post(url, posted(retry)).status_code == 302
    person.refresh_from_db()
    assert (person.risk_level, person.phone) == (RiskLevel.HIGH, "0700 999999")


def test_a_stale_save_of_a_risk_flag_is_refused_and_the_level_set_first_stays(lead, manager, programme):
    flag = RiskFlagFactory(client=CaseFactory(programme=programme).client, level=RiskLevel.LOW, details="")
    url = reverse("clients:risk_flag_update", args=[flag.pk])
    first, first_form = _open(lead, url)
    second, second_form = _open(manager, url)

    assert first.post(url, posted(first_form, level=RiskLevel.HIGH)).status_code == 302
    response = second.post(url, posted(second_form, details="Threatened staff at the hostel"))

    assert response.status_code == 409
    assert "Someone else saved this flag while you were editing: Level is now High." in response.content.decode()
    flag.refresh_from_db()
    assert flag.level == RiskLevel.HIGH and flag.details == ""
    retry = response.context["form"]
    assert retry["level"].value() == RiskLevel.HIGH  # saving again does not bring "Low" back
    assert retry["details"].value() == "Threatened staff at the hostel"


def test_when_both_change_the_same_field_the_typed_value_is_kept_and_named(lead, manager, programme):
    flag = RiskFlagFactory(client=CaseFactory(programme=programme).client, level=RiskLevel.MEDIUM)
    url = reverse("clients:risk_flag_update", args=[flag.pk])
    first, first_form = _open(lead, url)
    second, second_form = _open(manager, url)
    first.post(url, posted(first_form, level=RiskLevel.HIGH))

    response = second.post(url, posted(second_form, level=RiskLevel.LOW))

    assert response.status_code == 409
    assert "Level is now High (your change to it is kept below)" in response.content.decode()
    assert response.context["form"]["level"].value() == RiskLevel.LOW
    flag.refresh_from_db()
    assert flag.level == RiskLevel.HIGH


def test_a_refused_save_leaves_no_change_in_the_history(lead, manager, programme):
    person = CaseFactory(programme=programme).client
    url = reverse("clients:client_update", args=[person.pk])
    first, first_form = _open(lead, url)
    second, second_form = _open(manager, url)
    first.post(url, posted(first_form, area="Northtown"))
    before = LogEntry.objects.get_for_object(person).count()

    assert second.post(url, posted(second_form, area="Eastfield")).status_code == 409

    assert LogEntry.objects.get_for_object(person).count() == before
    entry = LogEntry.objects.get_for_object(person).latest("timestamp")
    assert "version" not in entry.changes_dict  # version bumps do not clutter the history
