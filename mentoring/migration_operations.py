"""Operations that several apps' migrations share.

Migrations import this module for as long as they exist, so what a function here does is
frozen: never change what an old migration gets from it; add a new function instead. The
functions take plain values and reach models only through the migration's `apps`, never by
importing them.
"""

from django.db import migrations, models

VERSION_HELP_TEXT = "Bumped on every save; a stale edit is refused."


def add_version_fields(*model_names):
    """The `version` column of mentoring.locking.VersionedModel, added to each named model."""
    return [
        migrations.AddField(
            model_name=model_name,
            name="version",
            field=models.PositiveIntegerField(default=1, help_text=VERSION_HELP_TEXT),
        )
        for model_name in model_names
    ]


def seed_taxonomy(app_label, model_name, rows):
    """A RunPython adding each `(code, name)` of `rows`, in that order, unless its code exists.

    Reversing it keeps the rows: by then records may point at them.
    """

    def seed(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        for order, (code, name) in enumerate(rows):
            model.objects.get_or_create(code=code, defaults={"name": name, "order": order})

    return migrations.RunPython(seed, migrations.RunPython.noop)
