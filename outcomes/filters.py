import django_filters

from .models import Offence, OffenceCategory


class OffenceFilter(django_filters.FilterSet):
    category = django_filters.ModelChoiceFilter(queryset=OffenceCategory.objects.all(), empty_label="Any category")
    convicted = django_filters.BooleanFilter(
        field_name="conviction_date", lookup_expr="isnull", exclude=True, label="Convicted",
    )
    source = django_filters.ChoiceFilter(choices=Offence.Source.choices, empty_label="Any source")

    class Meta:
        model = Offence
        fields = ["category", "convicted", "source"]
