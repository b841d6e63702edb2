"""Funding sources become a list the organisation edits: each distinct free-text
`funding_source` (matched case-insensitively, spaces trimmed) becomes a FundingSource row and
the spend points at it. A blank one stays blank. Going back writes the names back as text."""

from decimal import Decimal

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models
from django.utils.text import slugify

# Offered from the start; the organisation renames, adds or retires them in the admin.
DEFAULTS = [("programme_budget", "Programme budget"), ("hardship_fund", "Hardship fund")]


def _unique_code(name, taken):
    base = (slugify(name).replace("-", "_") or "source")[:45]
    code, n = base, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    taken.add(code)
    return code


def seed(apps, schema_editor):
    FundingSource = apps.get_model("contacts", "FundingSource")
    for order, (code, name) in enumerate(DEFAULTS):
        FundingSource.objects.get_or_create(code=code, defaults={"name": name, "order": order})


def to_rows(apps, schema_editor):
    FundingSource = apps.get_model("contacts", "FundingSource")
    SupportSpend = apps.get_model("contacts", "SupportSpend")
    seed(apps, schema_editor)
    taken = set(FundingSource.objects.values_list("code", flat=True))
    by_name = {source.name.casefold(): source for source in FundingSource.objects.all()}
    typed = SupportSpend.objects.exclude(funding_source_text="").values_list("funding_source_text", flat=True)
    for text in sorted(set(typed)):
        name = " ".join(text.split())
        if name and name.casefold() not in by_name:
            by_name[name.casefold()] = FundingSource.objects.create(code=_unique_code(name, taken), name=name,
                                                                    order=len(by_name))
    for spend in SupportSpend.objects.exclude(funding_source_text="").only("pk", "funding_source_text"):
        name = " ".join(spend.funding_source_text.split())
        if name:
            SupportSpend.objects.filter(pk=spend.pk).update(funding_source=by_name[name.casefold()])


def to_text(apps, schema_editor):
    SupportSpend = apps.get_model("contacts", "SupportSpend")
    for spend in SupportSpend.objects.exclude(funding_source=None).select_related("funding_source"):
        SupportSpend.objects.filter(pk=spend.pk).update(funding_source_text=spend.funding_source.name)


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0007_add_submission_tokens'),
    ]

    operations = [
        migrations.CreateModel(
            name='FundingSource',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField(default=1, help_text='Bumped on every save; a stale edit is refused.')),
                ('code', models.SlugField(unique=True)),
                ('name', models.CharField(max_length=120)),
                ('order', models.PositiveSmallIntegerField(default=0)),
                ('active', models.BooleanField(default=True)),
            ],
            options={
                'ordering': ['order', 'name'],
                'abstract': False,
            },
        ),
        migrations.AlterField(
            model_name='supportspend',
            name='amount',
            field=models.DecimalField(decimal_places=2, max_digits=8, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))]),
        ),
        migrations.RenameField(model_name='supportspend', old_name='funding_source', new_name='funding_source_text'),
        migrations.AddField(
            model_name='supportspend',
            name='funding_source',
            field=models.ForeignKey(blank=True, help_text='The budget it was paid from.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contacts.fundingsource'),
        ),
        migrations.RunPython(to_rows, to_text),
        migrations.RemoveField(model_name='supportspend', name='funding_source_text'),
    ]
