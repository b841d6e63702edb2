from django.db import migrations

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


def seed(apps, schema_editor):
    ReferralSource = apps.get_model("referrals", "ReferralSource")
    for order, (code, name) in enumerate(SOURCES):
        ReferralSource.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
