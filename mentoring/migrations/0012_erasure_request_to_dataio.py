"""ErasureRequest now belongs to dataio (dataio 0001): mentoring forgets it, the table stays."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("mentoring", "0011_programme_review_gap_days"),
        ("dataio", "0001_erasure_request_from_mentoring"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="ErasureRequest")],
        ),
    ]
