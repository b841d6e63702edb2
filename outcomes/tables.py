import django_tables2 as tables

from .models import Offence


class OffenceTable(tables.Table):
    offence_date = tables.DateColumn("j M Y", verbose_name="Offence date")
    conviction_date = tables.DateColumn("j M Y", verbose_name="Convicted", default="Not convicted")
    category = tables.Column(order_by=("category__order", "category__name"))
    severity = tables.Column(accessor="category__severity", verbose_name="Severity (1-10)", order_by=("category__severity",))
    description = tables.Column(orderable=False, default="")
    source = tables.Column()

    class Meta:
        model = Offence
        fields = ("offence_date", "conviction_date", "category", "severity", "description", "source")
        order_by = ("-offence_date",)
        empty_text = "No offences recorded. Add one from a police record, probation or what the client told you."
