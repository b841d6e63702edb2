"""`make run`'s embedded SQLite gets the append-only audit trail too (migration 0006)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = """
import django
django.setup()
from datetime import date
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction
from clients.models import Client
from mentoring import audit
from mentoring.models import AuditEvent

user = get_user_model().objects.create(username="sqlite-check")
audit.record(user, "client.viewed", action=audit.Action.VIEW, client_id=1)
with audit.set_actor(user):
    Client.objects.create(first_name="Lite", last_name="Check", date_of_birth=date(2000, 1, 1))
for change in (lambda: AuditEvent.objects.update(verb="x"), lambda: AuditEvent.objects.all().delete(),
               lambda: LogEntry.objects.update(object_repr="x"), lambda: LogEntry.objects.all().delete()):
    try:
        with transaction.atomic():
            change()
    except DatabaseError as exc:
        assert "audit rows are append-only" in str(exc), exc
    else:
        raise SystemExit("an audit row was changed")
get_user_model().objects.filter(pk=user.pk).delete()
# Every row about the account (its creation, the read) keeps the username and loses the link.
assert set(AuditEvent.objects.filter(username="sqlite-check").values_list("user_id", flat=True)) == {None}
assert AuditEvent.objects.filter(username="sqlite-check", verb="client.viewed").exists()
print("refused")
"""


def test_on_sqlite_audit_rows_cannot_be_changed_or_deleted(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", DJANGO_SETTINGS_MODULE="mentoring.settings")
    migrate = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr
    check = subprocess.run([sys.executable, "-c", CHECK], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert check.returncode == 0 and "refused" in check.stdout, check.stdout + check.stderr
