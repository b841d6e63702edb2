"""The documented backup procedure (scripts/backup.sh, scripts/restore.sh) restores a
database that gives the same report, figure for figure."""

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from clients.models import ClosureReason
from contacts.models import Contact
from mentors.services import close_case

ROOT = settings.BASE_DIR
pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump needs PostgreSQL")


def db_url(name):
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def report_json(url, programme, start, end):
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "manage.py", "report", "--programme", programme, "--from", start, "--to", end, "--format", "json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database_with_the_same_report(world, tmp_path):
    today = timezone.localdate()
    for days in (40, 30, 20, 10):
        Contact.objects.create(case=world.my_case, mentor=world.alice, date=today - timedelta(days=days), duration_minutes=60)
    close_case(world.other_case, reason=ClosureReason.objects.get(code="completed"), on=today - timedelta(days=1))
    source = db_url(connection.settings_dict["NAME"])
    target_name = f"{connection.settings_dict['NAME']}_restored"
    target = db_url(target_name)
    subprocess.run(["psql", "--quiet", db_url("postgres"), "-c", f'DROP DATABASE IF EXISTS "{target_name}"'], check=True)
    dump = tmp_path / "waymark.dump"
    try:
        env = {**os.environ, "DATABASE_URL": source}
        subprocess.run(["bash", "scripts/backup.sh", str(dump)], cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run(["bash", "scripts/restore.sh", str(dump), target], cwd=ROOT, check=True, capture_output=True)

        period = (world.programme.code, (today - timedelta(days=365)).isoformat(), today.isoformat())
        before = report_json(source, *period)
        after = report_json(target, *period)
        assert before["cases_worked_with"] >= 3
        assert before["contacts_attended"] >= 4
        assert after == before
    finally:
        subprocess.run(["psql", "--quiet", db_url("postgres"), "-c", f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)'])
