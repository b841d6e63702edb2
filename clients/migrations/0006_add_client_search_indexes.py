import django.db.models.functions.text
from django.db import migrations, models

# A trigram index answers `search_name LIKE '%word%'` (a word anywhere in the name) from the
# index; a btree could only serve words the name starts with. pg_trgm is PostgreSQL's own
# (a trusted extension since PostgreSQL 13); SQLite, for `make run`, scans its few rows.
TRIGRAM_INDEX = "client_search_name_trgm"


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Not Django's TrigramExtension: its reverse runs PostgreSQL-only SQL on SQLite too, and
    # it would drop an extension other indexes may use.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    table = schema_editor.quote_name(apps.get_model("clients", "Client")._meta.db_table)
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON {table} USING gin (search_name gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("clients", "0005_fill_client_folded_names")]

    operations = [
        migrations.RunPython(create_trigram_index, drop_trigram_index),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(django.db.models.functions.text.Upper("client_ref"), name="client_ref_upper"),
        ),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(django.db.models.functions.text.Upper("probation_ref"), name="client_probation_ref_upper"),
        ),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(django.db.models.functions.text.Upper("police_ref"), name="client_police_ref_upper"),
        ),
    ]
