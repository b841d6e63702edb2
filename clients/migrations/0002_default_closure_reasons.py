from django.db import migrations

from mentoring.migration_operations import seed_taxonomy

REASONS = [
    ("completed", "Completed: goals met or support ended as planned"),
    ("disengaged", "Disengaged"),
    ("custody", "Custody (recalled, remanded or sentenced)"),
    ("moved_away", "Moved away"),
    ("transferred", "Transferred to another service"),
    ("declined_support", "Declined further support"),
    ("other", "Other"),
]


class Migration(migrations.Migration):
    dependencies = [("clients", "0001_initial")]
    operations = [seed_taxonomy("clients", "ClosureReason", REASONS)]
