import django_filters

from mentoring import access

from .models import Referral, ReferralSource


class ReferralFilter(django_filters.FilterSet):
    programme = django_filters.ModelChoiceFilter(queryset=None, label="Programme")
    source = django_filters.ModelChoiceFilter(queryset=ReferralSource.objects.all(), label="Referring agency")
    decision = django_filters.ChoiceFilter(choices=Referral.Decision.choices, label="Decision")

    class Meta:
        model = Referral
        fields = ["programme", "source", "decision"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["programme"].queryset = access.referral_programmes(request.user)
