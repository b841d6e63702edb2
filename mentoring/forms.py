from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model

from .models import RoleGrant


class RoleGrantForm(forms.Form):
    """A manager asks for a role that a second manager must approve."""

    user = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label="Account", empty_label="Choose an account")
    grant = forms.ChoiceField(label="Give them", choices=RoleGrant.Grant.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why they need it, e.g. 'New service manager from 1 March'. A second manager reads this.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        field.queryset = get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")
        field.label_from_instance = lambda u: f"{u.get_full_name() or u.username} ({u.username})"
        self.helper = FormHelper()
        self.helper.add_input(Submit("request", "Ask a second manager to approve"))
