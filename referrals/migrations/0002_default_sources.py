from django.db import migrations

from mentoring.migration_operations import seed_taxonomy

SOURCES = [
    ("probation", "Probation"),
    ("iom", "Integrated Offender Management (IOM)"),
    ("youth_justice", "Youth justice service"),
    ("custody_suite", "Police custody suite"),
    ("hospital", "Hospital (A&E)"),
    ("partner_agency", "Partner agency or charity"),
    ("self", "Self-referral"),
    ("other", "Other"),
]


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]
    operations = [seed_taxonomy("referrals", "ReferralSource", SOURCES)]
