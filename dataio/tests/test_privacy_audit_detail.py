"""Audit rows hold ids and codes: after erasure nothing in them points at the person.

The audit tables cannot be changed (mentoring migration 0006), so whatever identifies a person
must never be written there: not a name, a reference, a search someone typed or a reason.
"""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.db import models
from django.db.models import TextField
from django.db.models.functions import Cast
from django.urls import reverse

from dataio.models import ErasureRequest
from mentoring.models import AuditEvent
from mentors.services import allocate_mentor
from referrals.models import Referral, ReferralSource

from .privacy_world import *  # noqa: F403 (fixtures)

pytestmark = pytest.mark.django_db


def audit_columns_containing(word):
    """Every text or JSON column of the two audit tables that holds `word`, case-insensitive."""
    found = []
    for model in (AuditEvent, LogEntry):
        for field in model._meta.concrete_fields:
            if isinstance(field, models.JSONField):
                hit = model.objects.annotate(_text=Cast(field.name, TextField())).filter(_text__icontains=word)
            elif isinstance(field, (models.CharField, models.TextField)):
                hit = model.objects.filter(**{f"{field.name}__icontains": word})
            else:
                continue
            if hit.exists():
                found.append(f"{model._meta.db_table}.{field.column}")
    return found


def test_after_erasure_no_audit_row_holds_the_persons_name_or_references(
    client, manager, second_manager, lead, two_people
):
    (alpha, words), _ = two_people
    police_ref, name = words["police_ref"], words["last_name"]
    # What staff typed while working with the record: a search by name, by police reference...
    client.force_login(lead)
    client.get(reverse("clients:client_list"), {"q": name})
    client.get(reverse("clients:client_list"), {"q": police_ref})
    client.get(reverse("referrals:referral_create"), {"q": name})
    client.get(reverse("clients:client_detail", args=[alpha.pk]))
    case = alpha.cases.get()
    client.get(reverse("contacts:case_contacts_csv", args=[case.pk]), {"mode": "in_person", "q": name})
    # ... and the audit screen filtered by the police reference, then exported.
    client.force_login(manager)
    client.get(reverse("dataio:audit_list"), {"client": police_ref})
    client.get(reverse("dataio:audit_csv"), {"client": police_ref, "action": "view"})
    exported = AuditEvent.objects.get(verb="audit.exported")
    assert exported.detail["filters"] == {"action": "view", "client_ids": [alpha.pk]}

    client.post(reverse("dataio:erasure_request", kwargs={"pk": alpha.pk}),
                {"reason": "Asked in writing on 3 Nov; no reason to keep it.", "confirm": "on"})
    client.force_login(second_manager)
    erasure = ErasureRequest.objects.get(client_id=alpha.pk)
    assert client.post(reverse("dataio:erasure_approve", kwargs={"pk": erasure.pk}), {"confirm": "on"}).status_code == 302
    alpha.refresh_from_db()
    assert alpha.is_anonymised

    for key, word in words.items():
        assert audit_columns_containing(word) == [], f"{key} ({word}) is still in the audit trail"
    # The trail still says who did what to record number N.
    assert AuditEvent.objects.about_client(alpha.pk).filter(verb="client_list.viewed").count() == 2
    assert LogEntry.objects.filter(content_type__model="client", object_pk=str(alpha.pk)).exists()


def test_typed_reasons_stay_out_of_the_audit_detail(lead, programme, alice_profile):
    from clients.models import Client

    person = Client.objects.create(first_name="Reason", last_name="Tester", date_of_birth=date(2000, 1, 1))
    source = ReferralSource.objects.get(code="probation")
    declined = Referral.objects.create(client=person, programme=programme, received_on=date(2026, 1, 5), source=source)
    declined.decline(reason="Typeddeclinereason", on=date(2026, 1, 6), by=lead)
    referral = Referral.objects.create(client=person, programme=programme, received_on=date(2026, 1, 5), source=source)
    case = referral.accept(on=date(2026, 1, 6), by=lead)
    allocate_mentor(case=case, mentor=alice_profile, by=lead, on=date(2026, 1, 7), override_reason="Typedoverride")
    case.pause(reason="Typedpausereason", by=lead)
    for word in ("Typeddeclinereason", "Typedoverride", "Typedpausereason"):
        assert audit_columns_containing(word) == [], word
    # The trail names which matching rules were overridden (none here), never the typed reason.
    assert AuditEvent.objects.get(verb="allocation.created").detail["overridden"] == []


def test_a_conflict_note_about_a_client_is_never_in_the_history_and_is_blanked_by_erasure(
    lead, manager, two_people, alice_profile
):
    from dataio.erasure import anonymise_client
    from mentors.models import MentorConflict

    (alpha, _), _ = two_people
    MentorConflict.objects.create(
        client=alpha, mentor=alice_profile, kind=MentorConflict.Kind.VICTIM_LINK,
        note="Typedconflictnote", recorded_by=lead,
    )
    assert audit_columns_containing("Typedconflictnote") == []
    anonymise_client(client=alpha, by=manager, reason="Asked in writing")
    assert MentorConflict.objects.get(client=alpha).note == ""
    assert audit_columns_containing("Typedconflictnote") == []
