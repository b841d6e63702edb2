from django.db import migrations

REASONS = [
    ("completed", "Completed: goals met or support ended as planned"),
    ("disengaged", "Disengaged"),
    ("custody", "Custody (recalled, remanded or sentenced)"),
    ("moved_away", "Moved away"),
    ("transferred", "Transferred to another service"),
    ("declined_support", "Declined further support"),
    ("other", "Other"),
]


def seed(apps, schema_editor):
    ClosureReason = apps.get_model("clients", "ClosureReason")
    for order, (code, name) in enumerate(REASONS):
        ClosureReason.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("clients", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
