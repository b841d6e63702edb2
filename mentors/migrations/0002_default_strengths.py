from django.db import migrations

STRENGTHS = [
    ("employment", "Employment and job search"),
    ("education_training", "Education and training"),
    ("housing", "Housing"),
    ("benefits_finance", "Benefits and money"),
    ("substance_use", "Drugs and alcohol"),
    ("mental_health", "Mental health and wellbeing"),
    ("family_relationships", "Family and relationships"),
    ("sport_leisure", "Sport and leisure"),
    ("music_creative", "Music and creative arts"),
    ("custody_resettlement", "Custody and resettlement"),
    ("young_adults", "Young adults (18-25)"),
]


def seed(apps, schema_editor):
    Strength = apps.get_model("mentors", "Strength")
    for order, (code, name) in enumerate(STRENGTHS):
        Strength.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("mentors", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
