"""The one optimistic-locking mechanism (mentoring/locking.py): the model, real concurrent
saves on PostgreSQL, and the admin's change forms and editable lists."""

import threading
from datetime import date

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection, connections
from django.test import Client as Browser
from django.urls import reverse

from clients.models import Client
from clients.tests.factories import ClientFactory
from mentoring.locking import StaleEdit, VersionedAdminMixin, VersionedModel
from mentoring.models import Funder, Organisation, Programme
from mentoring.tests.locking import posted
from mentors.models import MatchingSettings
from reports.models import Target

OUR_APPS = {"mentoring", "clients", "referrals", "mentors", "contacts", "outcomes", "reports", "dataio"}
READ_ONLY_ADMIN = {"mentoring.AuditEvent"}


def _admin_data(response, **changes):
    """What the admin's change page posts back, inline formsets included, with `changes`."""
    data = posted(response.context["adminform"].form, **changes)
    for inline in response.context["inline_admin_formsets"]:
        data.update(posted(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(posted(form))
    return {**data, "_save": "Save"}


def _browser(user):
    browser = Browser()
    browser.force_login(user)
    return browser


def _versioned_admin_models():
    return sorted(
        (model for model, model_admin in admin.site._registry.items() if issubclass(model, VersionedModel)),
        key=lambda model: model._meta.label,
    )


def _record(model, db):
    if model is Funder:
        return Funder.objects.create(name="Northshire VRU")
    if model is Organisation:
        return Organisation.objects.create()
    if model is Programme:
        return Programme.objects.create(code="bridge", name="Bridge 18-25")
    if model is MatchingSettings:
        return MatchingSettings.objects.create(programme=Programme.objects.create(code="iom", name="IOM"))
    if model._meta.label == "referrals.ProgrammeEligibility":
        return model.objects.create(programme=Programme.objects.create(code="iom", name="IOM"), min_age=18)
    if model._meta.label == "outcomes.ProgrammeQuestion":
        return model.objects.create(programme=Programme.objects.create(code="iom", name="IOM"),
                                    question=apps.get_model("outcomes.Question").objects.first())
    if model is Target:
        return Target.objects.create(programme=Programme.objects.create(code="iom", name="IOM"), figure="engaged",
                                     starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31), value=40)
    return model.objects.order_by("pk").first()


@pytest.mark.django_db
def test_every_save_bumps_the_version_and_a_stale_one_is_refused_before_anything_is_written():
    person = ClientFactory(phone="0700 000001")
    assert person.version == 1
    stale = Client.objects.get(pk=person.pk)
    person.phone = "0700 000002"
    person.save()
    assert person.version == 2

    stale.phone = "0700 000003"
    with pytest.raises(StaleEdit) as refused:
        stale.save(expected_version=1)
    assert refused.value.current.phone == "0700 000002"
    person.refresh_from_db()
    assert (person.phone, person.version) == ("0700 000002", 2)


@pytest.mark.django_db(transaction=True)
def test_of_two_concurrent_saves_of_the_same_version_exactly_one_wins():
    person = ClientFactory(risk_level="")
    ready = threading.Barrier(2)
    outcomes = {}

    def save(level):
        try:
            copy = Client.objects.get(pk=person.pk)  # both read version 1
            ready.wait(timeout=10)
            copy.risk_level = level
            copy.save(expected_version=1)
            outcomes[level] = "saved"
        except StaleEdit:
            outcomes[level] = "refused"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(level,)) for level in ("high", "low")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["refused", "saved"]
    winner = next(level for level, outcome in outcomes.items() if outcome == "saved")
    person.refresh_from_db()
    assert (person.risk_level, person.version) == (winner, 2)
    assert connection.vendor == "postgresql"


def test_every_model_with_an_admin_change_form_is_versioned_and_its_admin_checks_the_version():
    unversioned = [
        model._meta.label for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in OUR_APPS and model._meta.label not in READ_ONLY_ADMIN
        and not (issubclass(model, VersionedModel) and isinstance(model_admin, VersionedAdminMixin))
    ]
    assert unversioned == []


def test_version_bumps_are_kept_out_of_the_change_history():
    from auditlog.registry import auditlog

    for model in apps.get_models():
        if issubclass(model, VersionedModel) and auditlog.contains(model):
            assert "version" in auditlog.get_model_fields(model)["exclude_fields"], model._meta.label


@pytest.mark.django_db
def test_a_stale_admin_save_of_a_programme_is_refused_with_a_message_and_nothing_overwritten(administrator):
    programme = Programme.objects.create(code="bridge", name="Bridge 18-25", target_clients=40)
    url = reverse("admin:mentoring_programme_change", args=[programme.pk])
    first, second = _browser(administrator), _browser(administrator)
    first_page, second_page = first.get(url), second.get(url)

    assert first.post(url, _admin_data(first_page, name="Bridge 18-25 (Northshire)")).status_code == 302
    response = second.post(url, _admin_data(second_page, target_clients="60"))

    assert response.status_code == 409
    assert ("Someone else saved this programme while you were editing: "
            "Name is now “Bridge 18-25 (Northshire)”.") in response.content.decode()
    programme.refresh_from_db()
    assert (programme.name, programme.target_clients) == ("Bridge 18-25 (Northshire)", 40)
    # After review, saving the form as shown again keeps both changes.
    form = response.context["adminform"].form
    assert form["name"].value() == "Bridge 18-25 (Northshire)" and form["target_clients"].value() == "60"
    assert second.post(url, _admin_data(response)).status_code == 302
    programme.refresh_from_db()
    assert (programme.name, programme.target_clients) == ("Bridge 18-25 (Northshire)", 60)


@pytest.mark.django_db
@pytest.mark.parametrize("model", _versioned_admin_models(), ids=lambda model: model._meta.label)
def test_every_admin_change_form_refuses_a_stale_save(administrator, model, db):
    record = _record(model, db)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[record.pk])
    browser = _browser(administrator)
    page = browser.get(url)
    assert page.status_code == 200
    model.objects.get(pk=record.pk).save()  # someone else saves meanwhile

    response = browser.post(url, _admin_data(page))

    assert response.status_code == 409, model._meta.label
    assert "while you were editing" in response.content.decode()
    assert model.objects.get(pk=record.pk).version == record.version + 1


@pytest.mark.django_db
def test_a_stale_row_in_an_editable_admin_list_is_refused(administrator):
    from contacts.models import Activity

    url = reverse("admin:contacts_activity_changelist")
    first, second = _browser(administrator), _browser(administrator)
    first_page, second_page = first.get(url), second.get(url)

    def data(page, order):
        formset = page.context["cl"].formset
        values = posted(formset.management_form)
        for form in formset.forms:
            values.update(posted(form))
        values[formset.forms[0].add_prefix("order")] = order
        return {**values, "_save": "Save"}

    row = first_page.context["cl"].formset.forms[0].instance
    assert first.post(url, data(first_page, "41")).status_code == 302
    response = second.post(url, data(second_page, "42"))

    assert response.status_code == 409
    assert "Someone else saved this activity while you were editing: Order is now 41" in response.content.decode()
    assert Activity.objects.get(pk=row.pk).order == 41
