"""Every text field of every model is declared personal or kept (`<app>/personal_data.py`),
and what is declared personal is what erasure blanks and the change history never holds."""

import json
from itertools import count

import pytest
from auditlog.models import LogEntry
from django.apps import apps

from dataio import privacy
from mentoring import personal_fields
from mentoring.personal_fields import OUR_APPS, SET_BY_ERASURE, TEXT_FIELDS
from mentors.models import MentorConflict

from .privacy_world import *  # noqa: F403 (fixtures)
from .privacy_world import build_person


def test_every_text_field_of_every_model_is_declared_personal_or_kept():
    problems = personal_fields.problems()
    assert problems == [], "Declare these in <app>/personal_data.py:\n" + "\n".join(problems)


def test_the_check_names_an_undeclared_field_one_declared_twice_and_one_that_does_not_exist():
    declaration = personal_fields.declaration_for(MentorConflict)
    saved = dict(personal_fields._declarations)
    try:
        personal_fields._declarations.pop(declaration.label)
        personal_fields.declare(MentorConflict, client="client_id", personal=["kind", "notes"], kept=["kind"])
        problems = personal_fields.problems()
    finally:
        personal_fields._declarations.clear()
        personal_fields._declarations.update(saved)
    assert "mentors.MentorConflict.note: not declared personal or kept" in problems
    assert "mentors.MentorConflict.kind: declared both personal and kept" in problems
    assert "mentors.MentorConflict.notes: declared but not a field" in problems


def test_every_model_of_our_apps_is_declared():
    ours = [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]
    assert [m._meta.label for m in ours if personal_fields.declaration_for(m) is None] == []


def _fill_every_personal_text_field(client_pk):
    """Write a distinctive value into every declared-personal text field of the client's rows,
    through save() so the change history sees each one; returns the values written."""
    written, numbers = [], count(1)
    for declaration in personal_fields.client_declarations():
        names = [n for n in declaration.personal if isinstance(declaration.model._meta.get_field(n), TEXT_FIELDS)
                 and declaration.model._meta.get_field(n).editable]
        for row in declaration.rows_of(client_pk):
            for name in names:
                value = f"QZ{next(numbers)}X"
                setattr(row, name, value)
                written.append(value)
            row.save()
    return written


@pytest.mark.django_db
def test_erasure_blanks_every_declared_personal_field_and_the_history_never_held_one(
    programme, alice_profile, manager
):
    client, _words = build_person(programme, alice_profile, "Alpha", by=manager)
    MentorConflict.objects.create(client=client, mentor=alice_profile, kind="knows_client", note="Conflictnote")
    written = _fill_every_personal_text_field(client.pk)
    before = {}
    for declaration in personal_fields.client_declarations():
        rows = list(declaration.rows_of(client.pk).values("pk", *declaration.personal))
        if declaration.personal:
            assert rows, f"the test's person has no {declaration.label}: add one to privacy_world.build_person"
        before[declaration.label] = {row["pk"]: row for row in rows}

    history = json.dumps(list(LogEntry.objects.filter(privacy.change_history_q(client.pk)).values_list("changes", flat=True)))
    leaked = [value for value in [*written, "Conflictnote"] if value in history]
    assert leaked == []

    privacy.anonymise_client(client=client, by=manager, reason="Asked in writing")

    not_blanked = []
    for declaration in personal_fields.client_declarations():
        blank = declaration.erasure_values()
        for row in declaration.rows_of(client.pk).values("pk", *declaration.personal):
            for name in declaration.personal:
                old, new = before[declaration.label][row["pk"]][name], row[name]
                rule = declaration.erase.get(name)
                if rule is SET_BY_ERASURE or callable(rule):
                    ok = new != old or old in ("", None)
                else:
                    ok = new == blank[name]
                if not ok:
                    not_blanked.append(f"{declaration.label}.{name} = {new!r}")
    assert not_blanked == []
    history = json.dumps(list(LogEntry.objects.filter(privacy.change_history_q(client.pk)).values_list("changes", flat=True)))
    assert [value for value in written if value in history] == []


def test_a_personal_date_with_no_blank_must_say_what_erasure_writes():
    from clients.models import Client

    declaration = personal_fields.Declaration(model=Client, personal={"date_of_birth": ""}, kept={})
    with pytest.raises(Exception, match="date_of_birth is personal"):
        declaration.erasure_values()




@pytest.mark.django_db
def test_a_client_model_no_section_presents_is_still_in_the_subject_access_export(programme, alice_profile, manager):
    client, _words = build_person(programme, alice_profile, "Alpha", by=manager)
    MentorConflict.objects.create(client=client, mentor=alice_profile, kind="knows_client", note="Conflictnote")
    document = json.loads(privacy.subject_access_document(client.pk))
    assert [row["note"] for row in document["mentors_mentorconflict"]] == ["Conflictnote"]
    assert document["mentors_mentorconflict"][0]["kind"] == "Knows the client"
    titles = [title for _key, title, _rows in privacy.subject_access_sections(client.pk)[1]]
    assert "Mentor conflicts" in titles
