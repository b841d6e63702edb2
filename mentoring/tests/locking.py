"""Posting an edit form back as the browser would, to test stale saves (mentoring/locking.py)."""

from django import forms


def posted(form, **changes):
    """The data a browser posts for `form` as it was shown (hidden version included), with `changes`."""
    data = {}
    for bound in form:
        value = bound.value()
        widget = bound.field.widget
        if isinstance(widget, forms.CheckboxInput):
            if value:
                data[bound.html_name] = "on"
            continue
        if isinstance(widget, forms.NullBooleanSelect):
            data[bound.html_name] = {True: "true", False: "false"}.get(value, "unknown")
            continue
        if isinstance(value, (list, tuple)):
            data[bound.html_name] = [str(item) for item in value]
        elif value is None:
            data[bound.html_name] = ""
        else:
            data[bound.html_name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    for name, value in changes.items():
        key = form.add_prefix(name)
        if value is False and isinstance(form.fields[name].widget, forms.CheckboxInput):
            data.pop(key, None)
        else:
            data[key] = value
    return data
