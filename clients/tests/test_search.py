"""Finding a person however their name is typed: accents, apostrophes, hyphens and case."""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from clients.models import Client
from clients.names import fold
from clients.tests.factories import CaseFactory, ClientFactory
from dataio import privacy

pytestmark = pytest.mark.django_db

SIAN = {"first_name": "Siân", "last_name": "O'Neill", "date_of_birth": date(2001, 3, 14)}


def found(text, queryset=None):
    return set((queryset or Client.objects).search(text).values_list("pk", flat=True))


@pytest.mark.parametrize("text", ["O'Neill", "o’neill", "O‘NEILL", "o`neill", "O´Neill", "oʼneill", "  Siân  "])
def test_fold_drops_accents_apostrophes_and_case(text):
    assert fold(text) in {"oneill", "sian"}


def test_fold_makes_hyphens_and_runs_of_spaces_one_space():
    assert fold("Smith-Jones") == fold("smith   jones") == fold("Smith – Jones") == "smith jones"
    assert fold("Zoë Ødegaard") == "zoe odegaard" and fold("Łukasz") == "lukasz" and fold("Straße") == "strasse"


def test_sian_with_a_curly_apostrophe_finds_sian_oneill():
    sian = ClientFactory(**SIAN)
    ClientFactory(first_name="Sean", last_name="Neal")

    assert found("sian o’neill") == {sian.pk}
    assert found("Sian") == {sian.pk}
    assert found("o’neill") == {sian.pk}
    assert found("SIAN ONEILL") == {sian.pk}
    assert found("siân o'neill") == {sian.pk}


def test_a_hyphenated_name_is_found_with_or_without_its_hyphen():
    person = ClientFactory(first_name="Ana-María", last_name="Smith-Jones")

    for text in ("ana maria", "Ana-Maria", "smith jones", "smith-jones", "jones", "maría smith"):
        assert found(text) == {person.pk}, text


def test_a_preferred_name_is_searched_folded_too():
    person = ClientFactory(first_name="Tomasz", last_name="Nowak", preferred_name="Tomás")

    assert found("tomas nowak") == {person.pk}


def test_references_still_match_whole_and_in_any_case():
    person = ClientFactory(client_ref="C-77", probation_ref="X123Y", police_ref="19/0001A")
    ClientFactory(client_ref="C-778")

    assert found("c-77") == {person.pk}
    assert found("x123y") == {person.pk}
    assert found("19/0001a") == {person.pk}


def test_renaming_a_client_makes_the_new_name_findable_and_the_old_one_not():
    person = ClientFactory(first_name="Ciara", last_name="Byrne")
    person.last_name = "Ó Briain"
    person.save(update_fields=["last_name"])

    assert found("o briain") == {person.pk}
    assert found("byrne") == set()


def test_the_client_list_finds_a_name_typed_without_its_accent(client, lead, programme):
    case = CaseFactory(programme=programme, client=ClientFactory(**SIAN))
    client.force_login(lead)

    response = client.get(reverse("clients:client_list"), {"q": "sian o’neill"})

    assert [c.pk for c in response.context["table"].page.object_list.data] == [case.client_id]


def test_possible_duplicates_match_the_name_however_it_is_typed():
    sian = ClientFactory(**SIAN)
    ClientFactory(first_name="Sian", last_name="O'Neill", date_of_birth=date(2001, 3, 15))

    matches = Client.objects.possible_duplicates("Sian", "O’Neill", date(2001, 3, 14))

    assert list(matches) == [sian]


def test_an_anonymised_client_is_not_found_by_their_old_name(manager):
    sian = ClientFactory(**SIAN)
    privacy.anonymise_client(client=sian, by=manager, reason="Retention test")

    assert found("sian") == set() and found("oneill") == set()
    assert not Client.objects.possible_duplicates("Siân", "O'Neill", date(2001, 3, 14)).exists()
    sian.refresh_from_db()
    assert (sian.first_name_folded, sian.last_name_folded, sian.search_name) == ("anonymised", "client", "anonymised client")


def test_the_migration_folds_the_names_of_clients_already_held():
    sian = ClientFactory(**SIAN)
    Client.objects.update(first_name_folded="", last_name_folded="", search_name="")
    migration = importlib.import_module("clients.migrations.0005_fill_client_folded_names")

    migration.fill(apps, None)

    sian.refresh_from_db()
    assert (sian.first_name_folded, sian.last_name_folded, sian.search_name) == ("sian", "oneill", "sian oneill")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index exists on PostgreSQL only")
def test_search_and_the_duplicate_check_use_indexes_on_twenty_thousand_clients():
    people = []
    for n in range(20_000):
        person = Client(first_name=f"Person{n}", last_name=f"Surname{n % 997}", date_of_birth=date(1960 + n % 45, 1 + n % 12, 1 + n % 28),
                        client_ref=f"REF{n}")
        person.first_name_folded, person.last_name_folded = fold(person.first_name), fold(person.last_name)
        person.search_name = f"{person.first_name_folded} {person.last_name_folded}"
        people.append(person)
    Client.objects.bulk_create(people, batch_size=5000)
    ClientFactory(**SIAN)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE clients_client")

    search_plan = Client.objects.search("sian o’neill").explain()
    duplicate_plan = Client.objects.possible_duplicates("Sian", "O’Neill", date(2001, 3, 14)).explain()

    assert "client_search_name_trgm" in search_plan and "Seq Scan" not in search_plan, search_plan
    assert "client_ref_upper" in search_plan, search_plan  # the reference branch is an index scan too
    assert "Index" in duplicate_plan and "Seq Scan" not in duplicate_plan, duplicate_plan
