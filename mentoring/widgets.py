"""Form widgets shared by the apps."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class LongSelect(forms.Select):
    """A <select> for lists that can run to hundreds of options (the mentors of a large
    programme): the markup of Django's select template, built in Python.

    Django renders each option through its own template include, about 0.2 ms an option;
    a thousand mentors cost a client-list request 200 ms. Grouped choices fall back to
    the template.
    """

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if any(isinstance(label, (list, tuple)) for _, label in choices):
            return super().render(name, value, attrs, renderer)
        selected = set(self.format_value(value))
        options = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((key, " selected" if key in selected else "", label)
             for key, label in (("" if v is None else str(v), label) for v, label in choices)),
        )
        return format_html("<select{}>{}</select>", flatatt({"name": name, **self.build_attrs(self.attrs, attrs)}), options)
