"""Find the list pages that named a client without reading the whole audit trail.

A list page's read is one event whose detail holds the ids it showed (`client_ids`); the
audit screen's client filter asks `detail -> 'client_ids' @> '[id]'` on PostgreSQL, which this
index answers. SQLite (`make run`) has no such index and reads the table.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX audit_listed_client_ids ON mentoring_auditevent "
            "USING gin ((detail -> 'client_ids') jsonb_path_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS audit_listed_client_ids")


class Migration(migrations.Migration):

    dependencies = [("mentoring", "0007_append_only_audit")]

    operations = [migrations.RunPython(create, drop)]
