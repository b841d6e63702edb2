from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model
from django.forms.utils import pretty_name

from .models import RoleGrant
from .utils import mid_sentence

DJANGO_BLANK = "---------"
BLANK_CHOICE = "Choose…"
DJANGO_REQUIRED = forms.Field.default_error_messages["required"]  # "This field is required."
CHOOSING = (forms.widgets.ChoiceWidget, forms.FileInput)  # selects, radios, tick lists, chips, files


def required_message(field, name):
    """What a required field says when left empty, naming it: 'Enter notes', 'Choose programme'."""
    label = str(field.label or pretty_name(name)).strip().rstrip(":")
    if label.endswith("?"):
        return f"Answer “{label}”"
    if isinstance(field.widget, forms.CheckboxInput):
        return f"Tick “{label}” to carry on"
    ask = "Choose" if isinstance(field.widget, CHOOSING) else "Enter"
    return f"{ask} {mid_sentence(label)}"


def guide_field(field, name):
    """Django's default words replaced, once per field: '---------' in a select becomes
    'Choose…', 'This field is required.' a message naming the field. A form's own words stay."""
    if getattr(field, "_guided", False):
        return
    field._guided = True
    if field.error_messages.get("required") == DJANGO_REQUIRED:
        field.error_messages = {**field.error_messages, "required": required_message(field, name)}
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == DJANGO_BLANK:
            field.empty_label = BLANK_CHOICE
    elif isinstance(field, forms.ChoiceField) and not callable(getattr(field, "_choices", None)):
        choices = list(field.choices)
        if any(value == "" and label == DJANGO_BLANK for value, label in choices):
            field.choices = [(value, BLANK_CHOICE if value == "" and label == DJANGO_BLANK else label)
                             for value, label in choices]


class GuidedForm:
    """Mixed into every app form, first among its bases (`class XForm(GuidedForm, forms.ModelForm)`):
    the one place the default words are replaced (`guide_field`). Fields are guided when the
    form is shown or checked, so a field an __init__ adds after super().__init__() is too."""

    def _guide(self):
        for name, field in self.fields.items():
            guide_field(field, name)

    def __getitem__(self, name):
        guide_field(self.fields[name], name)
        return super().__getitem__(name)

    def __iter__(self):
        self._guide()
        return super().__iter__()

    def full_clean(self):
        self._guide()
        return super().full_clean()


class RoleGrantForm(GuidedForm, forms.Form):
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
