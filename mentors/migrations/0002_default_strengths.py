from django.db import migrations

from mentoring.migration_operations import seed_taxonomy

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


class Migration(migrations.Migration):
    dependencies = [("mentors", "0001_initial")]
    operations = [seed_taxonomy("mentors", "Strength", STRENGTHS)]
