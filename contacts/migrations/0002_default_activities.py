from django.db import migrations

from mentoring.migration_operations import seed_taxonomy

ACTIVITIES = [
    ("goal_setting", "Goal setting"),
    ("action_planning", "Action planning"),
    ("cv_building", "CV building"),
    ("cv_clinic", "CV clinic"),
    ("job_search", "Job search"),
    ("employability", "Employability skills"),
    ("education_training", "Education and training"),
    ("housing", "Housing"),
    ("benefits_finance", "Benefits and money"),
    ("id_and_banking", "ID and banking"),
    ("health_wellbeing", "Health and wellbeing"),
    ("substance_use", "Drugs and alcohol"),
    ("family_relationships", "Family and relationships"),
    ("positive_activities", "Positive activities"),
    ("advocacy", "Advocacy"),
    ("accompanying", "Accompanying to appointments"),
    ("custody_visit", "Custody visit"),
    ("emotional_support", "Emotional support"),
    ("creative_music", "Creative and music"),
    ("other", "Other"),
]


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]
    operations = [seed_taxonomy("contacts", "Activity", ACTIVITIES)]
