"""Django's default words replaced in every app form (mentoring.forms.GuidedForm): a select's
blank choice says 'Choose…', a required field left empty is named, and the label says
'(required)'."""

import importlib
import inspect

import pytest
from django import forms
from django.template import Context, Template

from mentoring.forms import GuidedForm
from mentoring.personal_fields import OUR_APPS


class Example(GuidedForm, forms.Form):
    colour = forms.ChoiceField(choices=[("", "---------"), ("red", "Red")])
    amount = forms.DecimalField(label="Amount (£)")
    notes = forms.CharField(label="Notes", required=False)
    agreed = forms.BooleanField(label="I have read the notes")
    ready = forms.ChoiceField(label="Is the client ready?", choices=[("yes", "Yes")], widget=forms.RadioSelect)
    own_words = forms.CharField(error_messages={"required": "Say what happened"})


def test_a_required_field_left_empty_is_named_by_its_label_and_kind_of_control():
    form = Example(data={})
    assert not form.is_valid()
    assert form.errors["colour"] == ["Choose colour"]
    assert form.errors["amount"] == ["Enter amount (£)"]
    assert form.errors["agreed"] == ["Tick “I have read the notes” to carry on"]
    assert form.errors["ready"] == ["Answer “Is the client ready?”"]
    assert form.errors["own_words"] == ["Say what happened"]  # a form's own words stay
    assert "This field is required." not in str(form.errors)


def test_a_select_offers_choose_instead_of_dashes_and_a_required_label_says_so():
    html = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": Example()}))
    assert "---------" not in html and ">Choose…</option>" in html
    assert "Amount (£)<span class=\"asteriskField fw-normal text-body-secondary\"> (required)</span>" in html
    assert "Notes<span" not in html  # an optional field is not marked


def _app_forms():
    for app in OUR_APPS:
        try:
            module = importlib.import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(cls, forms.BaseForm):
                yield cls


@pytest.mark.parametrize("form_class", list(_app_forms()), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_app_form_is_guided(form_class):
    assert issubclass(form_class, GuidedForm), "put GuidedForm first among the form's bases"


@pytest.mark.django_db
def test_model_choice_fields_offer_choose_and_the_contact_date_is_named(client, mentor_user, programme):
    from django.urls import reverse

    from contacts.tests.factories import allocated_case, mentor_for

    case = allocated_case(mentor_for(mentor_user, programme), programme)
    client.force_login(mentor_user)
    page = client.get(reverse("contacts:spend_create", args=[case.pk])).content.decode()
    assert "---------" not in page and "Choose…" in page
    response = client.post(reverse("contacts:contact_create", args=[case.pk]), {"date": ""})
    html = response.content.decode()
    assert "Enter the date of the contact" in html and "This field is required." not in html
