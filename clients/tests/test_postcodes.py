import pytest
from django.urls import reverse

from clients.postcodes import tidy_postcode
from clients.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("typed", "stored"), [
    ("sa151aa", "SA15 1AA"), (" SA15  1AA ", "SA15 1AA"), ("Sa15 1aa", "SA15 1AA"),
    ("ne61ab", "NE6 1AB"), ("ec1a1bb", "EC1A 1BB"), ("m11ae", "M1 1AE"), ("", ""),
])
def test_a_postcode_is_tidied_to_capitals_with_the_space(typed, stored):
    assert tidy_postcode(typed) == stored


def test_something_that_is_not_a_uk_postcode_is_kept_as_typed_in_capitals():
    assert tidy_postcode("no fixed  abode") == "NO FIXED ABODE"


def test_a_postcode_typed_in_lower_case_on_the_client_form_is_stored_and_shown_as_sa15_1aa(client, lead, programme):
    case = CaseFactory(programme=programme, client__first_name="Kit", client__last_name="Example")
    client.force_login(lead)
    data = {"first_name": "Kit", "last_name": "Example", "date_of_birth": "2002-03-04", "gender": "non_binary",
            "postcode": "sa151aa", "version": case.client.version}
    assert client.post(reverse("clients:client_update", args=[case.client_id]), data).status_code == 302
    case.client.refresh_from_db()
    assert case.client.postcode == "SA15 1AA"
    assert "SA15 1AA" in client.get(reverse("clients:client_detail", args=[case.client_id])).content.decode()


def test_the_client_form_cleans_a_postcode_to_capitals_with_the_space():
    from clients.forms import ClientForm

    form = ClientForm(data={"first_name": "Kit", "last_name": "Example", "date_of_birth": "2002-03-04",
                            "gender": "non_binary", "postcode": "sa151aa"})
    form.is_valid()
    assert form.cleaned_data["postcode"] == "SA15 1AA"


def test_a_postcode_typed_in_lower_case_on_a_referral_is_stored_as_sa15_1aa(client, lead, programme):
    from referrals.models import Referral
    from referrals.tests.test_views import referral_data

    client.force_login(lead)
    response = client.post(reverse("referrals:referral_create"), referral_data(programme, postcode="sa151aa"))
    assert response.status_code == 302
    assert Referral.objects.get().client.postcode == "SA15 1AA"


def test_a_refused_referral_keeps_the_postcode_as_typed(client, lead, programme):
    from referrals.tests.test_views import referral_data

    client.force_login(lead)
    data = {**referral_data(programme, postcode="sa151aa"), "programme": ""}
    assert 'value="sa151aa"' in client.post(reverse("referrals:referral_create"), data).content.decode()


def test_postcodes_stored_before_they_were_tidied_are_tidied_by_the_migration():
    from importlib import import_module

    from django.apps import apps

    from clients.models import Client

    untidy = CaseFactory().client
    Client.objects.filter(pk=untidy.pk).update(postcode="sa151aa")  # as stored before save() tidied it
    odd = CaseFactory().client
    Client.objects.filter(pk=odd.pk).update(postcode="n  fixed")
    import_module("clients.migrations.0008_tidy_stored_postcodes").tidy(apps, None)
    assert Client.objects.get(pk=untidy.pk).postcode == "SA15 1AA"
    assert Client.objects.get(pk=odd.pk).postcode == "N FIXED"
    assert Client.objects.get(pk=untidy.pk).version == untidy.version
