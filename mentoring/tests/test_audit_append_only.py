"""The audit tables refuse UPDATE and DELETE in the database itself (migration 0006)."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction

from clients.tests.factories import ClientFactory
from mentoring import audit
from mentoring.models import AuditEvent

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger under test is PostgreSQL's"),
]

REFUSED = "audit rows are append-only"


@pytest.fixture
def rows(manager):
    event = audit.record(manager, "client.viewed", action=audit.Action.VIEW, client_id=1)
    with audit.set_actor(manager):
        person = ClientFactory()
    entry = LogEntry.objects.get_for_object(person).get()
    return {AuditEvent: event, LogEntry: entry}


def _refused(change):
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        change()


@pytest.mark.parametrize("model", [AuditEvent, LogEntry], ids=["auditevent", "logentry"])
def test_an_audit_row_cannot_be_updated_or_deleted_through_the_orm(rows, model):
    row = rows[model]
    text_field = "verb" if model is AuditEvent else "object_repr"
    _refused(lambda: model.objects.filter(pk=row.pk).update(**{text_field: "rewritten"}))
    _refused(lambda: model.objects.filter(pk=row.pk).delete())
    _refused(lambda: model.objects.filter(pk=row.pk).update(**{"user_id" if model is AuditEvent else "actor_id": None,
                                                                text_field: "rewritten"}))
    assert model.objects.filter(pk=row.pk).exclude(**{text_field: "rewritten"}).exists()


@pytest.mark.parametrize("model", [AuditEvent, LogEntry], ids=["auditevent", "logentry"])
def test_an_audit_row_cannot_be_updated_or_deleted_with_sql(rows, model):
    table, row = model._meta.db_table, rows[model]

    def run(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql, [row.pk])

    _refused(lambda: run(f"UPDATE {table} SET timestamp = now() WHERE id = %s" if model is LogEntry  # noqa: S608
                         else f"UPDATE {table} SET at = now() WHERE id = %s"))  # noqa: S608
    _refused(lambda: run(f"DELETE FROM {table} WHERE id = %s"))  # noqa: S608
    assert model.objects.filter(pk=row.pk).exists()


def test_deleting_a_user_keeps_their_audit_rows_and_who_they_were(rows, manager):
    # The one change the trigger lets through: SET NULL on the user's foreign key, and only that.
    get_user_model().objects.filter(pk=manager.pk).delete()
    event = AuditEvent.objects.get(pk=rows[AuditEvent].pk)
    assert (event.user_id, event.username, event.verb) == (None, "erin", "client.viewed")
    entry = LogEntry.objects.get(pk=rows[LogEntry].pk)
    assert entry.actor_id is None and entry.actor_email == manager.email
