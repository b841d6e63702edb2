from django.db import migrations, models


def later_initials_become_reviews(apps, schema_editor):
    """Before the constraint: where a case has several initial wheels of one template (an
    import of an earlier date used to add a second), the earliest stays initial and the
    later ones become reviews. Dates and scores are kept; the report figures compare the
    first and latest by date, so none of them changes."""
    Assessment = apps.get_model("outcomes", "Assessment")
    kept = set()
    for assessment in Assessment.objects.filter(stage="initial").order_by("case_id", "template_id", "assessed_on", "id"):
        pair = (assessment.case_id, assessment.template_id)
        if pair in kept:
            Assessment.objects.filter(pk=assessment.pk).update(stage="review")
        else:
            kept.add(pair)


class Migration(migrations.Migration):

    dependencies = [
        ('outcomes', '0006_add_achievement_ref'),
    ]

    operations = [
        migrations.RunPython(later_initials_become_reviews, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='assessment',
            constraint=models.UniqueConstraint(condition=models.Q(('stage', 'initial')), fields=('case', 'template'), name='one_initial_assessment'),
        ),
    ]
