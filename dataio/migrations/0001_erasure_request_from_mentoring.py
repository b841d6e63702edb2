"""ErasureRequest moves from mentoring to dataio, keeping its table, rows and permissions.

Only the migration state moves (the table keeps its name through Meta.db_table); the content
type is relabelled, so its permissions and the change history's references stay attached.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def relabel_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="dataio", model="erasurerequest").exists():
        ContentType.objects.using(db).filter(app_label="mentoring", model="erasurerequest").update(app_label="dataio")


def unlabel_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="mentoring", model="erasurerequest").exists():
        ContentType.objects.using(db).filter(app_label="dataio", model="erasurerequest").update(app_label="mentoring")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("mentoring", "0010_add_role_grant"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="ErasureRequest",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("client_id", models.BigIntegerField(db_index=True)),
                        ("requested_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("reason", models.TextField(help_text="Why the record is to be erased. Do not name the person.")),
                        ("status", models.CharField(choices=[("pending", "Waiting for approval"), ("completed", "Approved and carried out"), ("cancelled", "Cancelled")], db_index=True, default="pending", max_length=20)),
                        ("approved_at", models.DateTimeField(blank=True, null=True)),
                        ("cancelled_at", models.DateTimeField(blank=True, null=True)),
                        ("approved_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("cancelled_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("requested_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "mentoring_erasurerequest",
                        "ordering": ["-requested_at", "-id"],
                        "constraints": [models.UniqueConstraint(condition=models.Q(("status", "pending")), fields=("client_id",), name="one_pending_erasure_per_client")],
                    },
                ),
            ],
        ),
        migrations.RunPython(relabel_content_type, unlabel_content_type),
    ]
