"""The audit trail becomes append-only in the database itself.

A trigger on mentoring_auditevent (our events) and auditlog_logentry (change history) refuses
every UPDATE and DELETE, whoever sends it: the ORM, raw SQL, a shell on the server. One change
is let through: deleting a user account sets the row's user foreign key to NULL (Django's
SET_NULL), and only that column; the username (or actor e-mail) the row keeps still says who.

Row triggers do not fire on TRUNCATE, which is what the test suite's flush uses on PostgreSQL.
In production the application's database role is not the tables' owner and holds only SELECT
and INSERT on them (README, "Security"), so it can neither TRUNCATE nor drop the trigger.

SQLite (`make run`) gets the same refusal from SQLite triggers.
"""

from django.db import migrations

TABLES = [("mentoring_auditevent", "user_id"), ("auditlog_logentry", "actor_id")]

POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION waymark_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND to_jsonb(NEW) ->> TG_ARGV[0] IS NULL
       AND (to_jsonb(NEW) - TG_ARGV[0]) = (to_jsonb(OLD) - TG_ARGV[0]) THEN
        RETURN NEW;  -- the user account was deleted: SET NULL on its foreign key only
    END IF;
    RAISE EXCEPTION 'audit rows are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""


def _columns(schema_editor, table):
    with schema_editor.connection.cursor() as cursor:
        return [c.name for c in schema_editor.connection.introspection.get_table_description(cursor, table)]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FUNCTION, params=None)  # its % are plpgsql's, not placeholders
        for table, user_column in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION waymark_audit_append_only('{user_column}')"
            )
    elif vendor == "sqlite":
        for table, user_column in TABLES:
            unchanged = " AND ".join(
                f'NEW."{column}" IS OLD."{column}"' for column in _columns(schema_editor, table) if column != user_column
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f'WHEN NOT (NEW."{user_column}" IS NULL AND {unchanged}) '
                f"BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: UPDATE on {table} refused'); END"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: DELETE on {table} refused'); END"
            )


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table, _column in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS waymark_audit_append_only()")
    elif vendor == "sqlite":
        for table, _column in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


class Migration(migrations.Migration):

    dependencies = [
        ("mentoring", "0006_mask_personal_history"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
