from django.db import migrations

from mentoring.migration_operations import seed_taxonomy

CRITERIA = [
    ("previous_convictions", "Has previous convictions"),
    ("on_licence", "On licence or a community order"),
    ("care_experienced", "Care experienced"),
    ("at_risk_of_exploitation", "At risk of exploitation or serious violence"),
]


class Migration(migrations.Migration):
    dependencies = [("referrals", "0004_eligibility_rules")]
    operations = [seed_taxonomy("referrals", "EligibilityCriterion", CRITERIA)]
