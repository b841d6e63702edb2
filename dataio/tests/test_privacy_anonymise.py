import json
from datetime import date, timedelta
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from clients.models import Case, Client
from contacts.models import Contact
from dataio import privacy
from mentoring.models import AuditEvent
from referrals.models import Referral

from .privacy_world import *  # noqa: F403 (fixtures)
from .privacy_world import build_person, deleted_note

pytestmark = pytest.mark.django_db

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def where_in_database(word):
    """Every (table, column) of every model whose value contains `word`, case-insensitive."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT_FIELDS):
                continue
            if isinstance(field, models.JSONField):
                hit = model._default_manager.annotate(_text=Cast(field.name, TextField())).filter(_text__icontains=word)
            else:
                hit = model._default_manager.filter(**{f"{field.name}__icontains": word})
            if hit.exists():
                found.append(f"{model._meta.db_table}.{field.column}")
    return found


def test_anonymised_clients_name_and_notes_appear_nowhere_in_the_database(manager, two_people):
    (alpha, alpha_words), (beta, beta_words) = two_people
    for word in alpha_words.values():
        assert where_in_database(word), f"{word} was never written: the test proves nothing"
    privacy.anonymise_client(client=alpha, by=manager, reason="Retention test")
    for key, word in alpha_words.items():
        assert where_in_database(word) == [], f"{key} ({word}) is still in the database"
    # The other client is untouched.
    for key in ("first_name", "contact_notes", "summary", "offence"):
        assert where_in_database(beta_words[key]), key


def test_anonymisation_keeps_dates_codes_and_scores(manager, two_people):
    (alpha, _words), _ = two_people
    case = alpha.cases.get()
    before = {
        "case": (case.started_on, case.ended_on, case.status, case.closure_reason_id, case.programme_id),
        "contacts": list(Contact.objects.filter(case=case).values_list("date", "duration_minutes", "mode", "attendance")),
        "scores": sorted(case.assessments.values_list("scores__score", flat=True)),
        "offences": list(alpha.offences.values_list("offence_date", "conviction_date", "category_id")),
    }
    privacy.anonymise_client(client=alpha, by=manager, reason="Retention test")
    alpha.refresh_from_db()
    case.refresh_from_db()
    assert alpha.first_name == "Anonymised" and alpha.is_anonymised
    assert alpha.client_ref.startswith("ANON-") and alpha.postcode == "" and alpha.area == "Northtown"
    assert (alpha.gender, alpha.ethnicity) == ("male", "white_british")
    assert before == {
        "case": (case.started_on, case.ended_on, case.status, case.closure_reason_id, case.programme_id),
        "contacts": list(Contact.objects.filter(case=case).values_list("date", "duration_minutes", "mode", "attendance")),
        "scores": sorted(case.assessments.values_list("scores__score", flat=True)),
        "offences": list(alpha.offences.values_list("offence_date", "conviction_date", "category_id")),
    }


def test_date_of_birth_moves_within_its_year_without_changing_any_age(manager, two_people):
    (alpha, _), _ = two_people  # born 20 Aug 1998; referred 1 Mar 2016, case from 10 Mar 2016
    days = [*alpha.cases.values_list("started_on", flat=True), *alpha.referrals.values_list("received_on", flat=True)]
    ages = [alpha.age_on(day) for day in days]
    privacy.anonymise_client(client=alpha, by=manager, reason="Retention test")
    alpha.refresh_from_db()
    assert alpha.date_of_birth == date(1998, 3, 11)
    assert [alpha.age_on(day) for day in days] == ages


@pytest.mark.parametrize(
    ("born", "days", "expected"),
    [
        (date(2000, 6, 15), [date(2020, 1, 10)], date(2000, 1, 11)),
        (date(2000, 6, 15), [date(2020, 7, 1)], date(2000, 1, 1)),
        (date(2000, 6, 15), [], date(2000, 1, 1)),
        (date(2000, 6, 15), [date(2020, 6, 14), date(2019, 2, 1)], date(2000, 6, 15)),
        (date(2001, 3, 1), [date(2020, 2, 29)], date(2001, 3, 1)),
    ],
)
def test_anonymised_date_of_birth_keeps_the_age_on_every_day(born, days, expected):
    moved = privacy.anonymised_date_of_birth(born, days)
    assert moved == expected
    age = lambda dob, day: day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))  # noqa: E731
    assert [age(moved, d) for d in days] == [age(born, d) for d in days]


def test_anonymisation_is_recorded_with_its_reason_and_no_personal_data(manager, two_people):
    (alpha, words), _ = two_people
    privacy.anonymise_client(client=alpha, by=manager, reason="Retention period passed")
    event = AuditEvent.objects.get(action=AuditEvent.Action.ANONYMISE, client_id=alpha.pk)
    assert event.detail["reason"] == "Retention period passed"
    assert event.username == "erin"
    text = json.dumps(event.detail)
    assert not any(word in text for word in words.values())


def _history(client_pk):
    entries = LogEntry.objects.filter(privacy.change_history_q(client_pk)).order_by("pk")
    return list(entries.values_list("pk", "object_repr", "changes", "actor_id", "timestamp"))


def test_change_history_keeps_who_changed_what_but_never_personal_values(manager, two_people):
    # Was: anonymisation rewrote every value of the history to "[removed]". The history now
    # never holds a personal value, so anonymisation leaves it exactly as it was.
    from mentoring.audit import MASKED, PERSONAL_FIELDS

    (alpha, words), _ = two_people
    before = _history(alpha.pk)
    assert before
    for _pk, object_repr, changes, _actor, _at in before:
        assert not any(word in object_repr for word in words.values()), object_repr
        for field, value in (changes or {}).items():
            if field in PERSONAL_FIELDS:
                assert set(value) <= {"", MASKED}, (field, value)
    all_changes = [changes or {} for _pk, _repr, changes, _actor, _at in before]
    assert ["", MASKED] in [changes.get("last_name") for changes in all_changes]  # set, value not kept
    assert ["active", "closed"] in [changes.get("status") for changes in all_changes]  # codes keep both
    privacy.anonymise_client(client=alpha, by=manager, reason="Retention test")
    assert _history(alpha.pk) == before


def test_a_deleted_contacts_note_is_kept_nowhere_not_even_in_its_history(two_people):
    (alpha, _), _ = two_people
    assert where_in_database(deleted_note("Alpha")) == []
    deletions = LogEntry.objects.filter(action=LogEntry.Action.DELETE, content_type__model="contact",
                                        changes__case__0=str(alpha.cases.get().pk))
    assert deletions.count() == 1


def test_an_anonymised_client_cannot_be_anonymised_again(manager, two_people):
    from django.core.exceptions import ValidationError

    (alpha, _), _ = two_people
    privacy.anonymise_client(client=alpha, by=manager, reason="Retention test")
    with pytest.raises(ValidationError):
        privacy.anonymise_client(client=alpha, by=manager, reason="Again")


# ---- Retention ------------------------------------------------------------------------------


def test_a_client_is_due_when_every_case_closed_more_than_the_retention_period_ago(settings, programme, alice_profile):
    settings.RETENTION_YEARS = 6
    today = timezone.localdate()
    old, _ = build_person(programme, alice_profile, "Old")  # closed 30 Jun 2017
    recent, _ = build_person(programme, alice_profile, "Recent", received_on=today - timedelta(days=400),
                             accepted_on=today - timedelta(days=390), closed_on=today - timedelta(days=30))
    reopened, _ = build_person(programme, alice_profile, "Reopened")
    reopened.cases.get().reopen(on=date(2018, 1, 1))
    caseless = Client.objects.create(first_name="Nocase", last_name="Person", date_of_birth=date(1990, 1, 1))
    referral = Referral.objects.create(client=caseless, programme=programme, received_on=date(2015, 1, 1),
                                       source=Referral._meta.get_field("source").related_model.objects.first())
    referral.decline(reason="Not eligible", on=date(2015, 1, 10))
    due = set(privacy.clients_due_for_anonymisation().values_list("pk", flat=True))
    assert due == {old.pk, caseless.pk}
    settings.RETENTION_YEARS = 20
    assert not privacy.clients_due_for_anonymisation().exists()


def test_apply_retention_dry_run_lists_and_changes_nothing(programme, alice_profile):
    old, _ = build_person(programme, alice_profile, "Old")
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert f"client {old.pk} REFOLD" in out.getvalue()
    assert "1 client(s) due for anonymisation (dry run" in out.getvalue()
    old.refresh_from_db()
    assert not old.is_anonymised


def test_apply_retention_anonymises_everyone_due(programme, alice_profile):
    old, words = build_person(programme, alice_profile, "Old")
    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert out.getvalue().strip().endswith("Anonymised 1 client(s) past the 6-year retention period.")
    old.refresh_from_db()
    assert old.is_anonymised
    assert where_in_database(words["contact_notes"]) == []
    assert not privacy.clients_due_for_anonymisation().exists()


def test_report_for_a_past_period_is_the_same_after_retention(programme, alice_profile, manager):
    from reports.metrics import compute_report

    old, words = build_person(programme, alice_profile, "Old", by=manager)
    other, _ = build_person(programme, alice_profile, "Other", date_of_birth=date(2001, 12, 30), by=manager)
    start, end = date(2016, 1, 1), date(2017, 12, 31)
    before = json.dumps(compute_report([programme], start, end).as_json(), sort_keys=True, default=str)
    filtered_before = json.dumps(
        compute_report([programme], start, end, filters={"area": "Northtown", "age_band": "under_18"}).as_json(),
        sort_keys=True, default=str,
    )
    assert set(privacy.apply_retention(by=None)) == {old.pk, other.pk}
    after = json.dumps(compute_report([programme], start, end).as_json(), sort_keys=True, default=str)
    filtered_after = json.dumps(
        compute_report([programme], start, end, filters={"area": "Northtown", "age_band": "under_18"}).as_json(),
        sort_keys=True, default=str,
    )
    assert json.loads(before)["referrals_received"] == 4  # the report saw these people
    assert after == before
    assert filtered_after == filtered_before
    for key, word in words.items():
        assert where_in_database(word) == [], f"{key} ({word}) is still in the database"


def test_retention_page_lists_who_is_due_and_runs_on_confirmation(client, manager, programme, alice_profile):
    old, _ = build_person(programme, alice_profile, "Old")
    client.force_login(manager)
    page = client.get("/data/retention/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "REFOLD" in body and "30 Jun 2017" in body
    refused = client.post("/data/retention/", {})  # not confirmed: nothing happens, and the page says why
    assert refused.status_code == 400
    words = refused.content.decode()
    assert "There is a problem" in words and "Tick the box to confirm: this cannot be undone." in words
    old.refresh_from_db()
    assert not old.is_anonymised
    response = client.post("/data/retention/", {"confirm": "on"})
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.is_anonymised
    assert AuditEvent.objects.filter(verb="retention.applied", detail__clients=1).exists()


def test_a_case_still_open_keeps_the_client(programme, alice_profile):
    person, _ = build_person(programme, alice_profile, "Open")
    Case.objects.filter(client=person).update(status=Case.Status.ACTIVE, ended_on=None)
    assert not privacy.clients_due_for_anonymisation().filter(Q(pk=person.pk)).exists()


def test_an_edit_opened_before_anonymisation_cannot_write_the_name_back(client, lead, programme):
    from django.urls import reverse

    from clients.tests.factories import CaseFactory
    from mentoring.tests.locking import posted

    case = CaseFactory(programme=programme, client__first_name="Kit", client__last_name="Example")
    client.force_login(lead)
    url = reverse("clients:client_update", args=[case.client_id])
    form = client.get(url).context["form"]

    privacy.anonymise_client(client=case.client, by=lead, reason="Asked to be forgotten", trigger="erasure")
    response = client.post(url, posted(form, notes="Met at the hostel"))

    case.client.refresh_from_db()
    assert response.status_code == 409
    assert case.client.first_name == privacy.ANONYMISED_FIRST_NAME and case.client.notes == ""
