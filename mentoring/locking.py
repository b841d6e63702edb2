"""Optimistic locking: an edit is saved only if nobody else saved the record since it began.

Every editable model has a `version` (VersionedModel) that each save bumps while it holds
the row lock. An edit form carries the version it was opened at; saving it with a different
version stored is refused (StaleEdit) before anything is written, so the change history
(django-auditlog logs in pre_save) never shows a change that did not happen. The person
then sees what the other person changed, with what they typed kept (ConflictMixin, the
admin's VersionedAdminMixin, `templates/includes/_conflict.html`).

Why not django-concurrency: it checks the version inside the UPDATE, after auditlog has
already logged the change in pre_save, and its ModelAdmin swallows the refusal inside its own
transaction, so a refused admin save would leave a change in the history that never happened.
"""

import json
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.db import connections, models, router, transaction
from django.http import HttpResponseRedirect
from django.template.defaultfilters import truncatechars
from django.utils.dateformat import format as date_format

VERSION_FIELDS = ("version", "original")


class StaleEdit(Exception):
    """Someone else saved the record after this edit began; `current` is the stored row."""

    def __init__(self, current):
        super().__init__(f"{current._meta.verbose_name} was changed by someone else.")
        self.current = current


class VersionedModel(models.Model):
    """A model whose every save bumps `version`, so an edit begun at an older one is refused."""

    # Editable only so the admin's automatic form takes the hidden field VersionedForm
    # declares; a posted value is never written (save() sets it from the stored row).
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every save; a stale edit is refused.")

    class Meta:
        abstract = True

    def save(self, *args, expected_version=None, **kwargs):
        """Save, bumping the version; with `expected_version`, only if it is still the stored one."""
        if self._state.adding:
            return super().save(*args, **kwargs)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        rows = type(self)._base_manager.using(using).filter(pk=self.pk)
        with transaction.atomic(using=using):
            # The row lock makes the check and the write one step: of two saves of the same
            # version, the second waits here, then finds the version moved on.
            stored = rows.select_for_update().values_list("version", flat=True).first()
            if stored is None:
                return super().save(*args, **kwargs)
            if expected_version is not None and stored != expected_version:
                raise StaleEdit(rows.get())
            self.version = stored + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
            return super().save(*args, **kwargs)


# ---- Forms --------------------------------------------------------------------------------


def _raw(bound):
    """A field's initial value as the browser would post it: a string, or a list of strings."""
    value = bound.field.prepare_value(bound.initial)
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return "" if value is None else str(value)


def _comparable(form_field, raw):
    """The value a posted `raw` stands for, so '14:30' and '14:30:00' compare equal."""
    if isinstance(form_field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return frozenset(str(item) for item in (raw or []))
    if isinstance(raw, list):
        raw = raw[-1] if raw else ""
    try:
        value = form_field.to_python(raw)
    except forms.ValidationError:
        return raw
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return None if value in ("", None) else value


def _posted(form, name):
    return form.fields[name].widget.value_from_datadict(form.data, form.files, form.add_prefix(name))


def _display(bound):
    """The stored value in words, as a person reads it: 'High', '3 Feb 2026', 'Yes'."""
    form_field, value = bound.field, bound.field.prepare_value(bound.initial)
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        text = ", ".join(str(obj) for obj in form_field.queryset.filter(pk__in=value or []))
    elif isinstance(form_field, forms.ModelChoiceField):
        text = str(form_field.queryset.filter(pk=value).first() or "") if value not in (None, "") else ""
    elif isinstance(form_field, forms.ChoiceField):
        labels = {}
        for key, label in form_field.choices:
            if isinstance(label, (list, tuple)):
                labels.update({str(k): v for k, v in label})
            else:
                labels[str(key)] = label
        values = value if isinstance(value, (list, tuple)) else [value]
        text = ", ".join(str(labels.get(str(v), v)) for v in values if v not in (None, ""))
    elif isinstance(form_field, forms.NullBooleanField | forms.BooleanField):
        text = {True: "Yes", False: "No"}.get(value, "Not known")
    elif isinstance(form_field, forms.DateField) and hasattr(value, "year"):
        text = date_format(value, "j M Y")
    else:
        text = "" if value is None else str(value)
        if text and isinstance(form_field.widget, forms.Textarea | forms.TextInput):
            text = f"“{truncatechars(text, 120)}”"
    return text or "empty"


@dataclass
class Conflict:
    """What another person saved while this edit was open, for the message above the form."""

    noun: str
    current: models.Model
    changes: list = field(default_factory=list)  # [(label, value in words, also changed by you)]

    @property
    def message(self):
        if self.changes:
            said = "; ".join(
                f"{label} is now {value}" + (" (your change to it is kept below)" if yours else "")
                for label, value, yours in self.changes
            )
        else:
            said = "nothing shown on this page changed"
        return (f"Someone else saved {self.noun} while you were editing: {said}. "
                "Your changes are below; check them and save again.")


class VersionedForm(forms.Form):
    """Mix into an edit form: carries the version and the values it showed when opened.

    On a refused save `retry_form` compares those values with the stored ones: a field only
    the other person changed takes their new value (saving again must not undo it), a field
    the person changed keeps what they typed, and the message names both.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    original = forms.CharField(widget=forms.HiddenInput, required=False, strip=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        editing = self.versioned_object()
        if editing is not None:
            self.initial.setdefault("version", editing.version)
            # Evaluated when rendered, once the form has built all its fields.
            self.initial.setdefault("original", self.snapshot)

    def versioned_object(self):
        """The record being edited (None while adding)."""
        instance = getattr(self, "instance", None)
        return instance if instance is not None and instance.pk else None

    def snapshot(self):
        return json.dumps({name: _raw(self[name]) for name in self.edited_names()}, sort_keys=True)

    def edited_names(self):
        return [name for name in self.fields if name not in VERSION_FIELDS]

    @property
    def changed_data(self):
        return [name for name in super().changed_data if name not in VERSION_FIELDS]

    def clean_version(self):
        # A post without a version (a page opened before versions existed) counts as stale.
        return self.cleaned_data.get("version") or 0

    @property
    def expected_version(self):
        return (getattr(self, "cleaned_data", None) or {}).get("version") or 0

    def edited_model_fields(self):
        """The model columns this form writes, so a save leaves every other column as stored."""
        instance = self.instance
        names = set(self.edited_names())
        return [
            f.name for f in instance._meta.concrete_fields
            if (f.name in names or getattr(f, "auto_now", False)) and not f.primary_key
        ]

    def save(self, commit=True):
        instance = super().save(commit=False)
        if not commit or instance._state.adding:
            if commit:
                instance.save()
                self._save_m2m()
            return instance
        with transaction.atomic():
            instance.save(expected_version=self.expected_version, update_fields=self.edited_model_fields())
            self._save_m2m()
        return instance

    def shown_values(self):
        try:
            shown = json.loads(self.data.get(self.add_prefix("original")) or "")
        except (TypeError, ValueError):
            return None
        return shown if isinstance(shown, dict) else None


def merge_conflict(form, fresh, *, noun):
    """(data, Conflict): the posted data merged with what `fresh` (the stored record) shows."""
    shown = form.shown_values()
    data = form.data.copy()
    changes = []
    for name in form.edited_names():
        if name not in fresh.fields:  # a formset's own fields (the row's id)
            continue
        form_field = form.fields[name]
        now = _comparable(form_field, _raw(fresh[name]))
        typed = _comparable(form_field, _posted(form, name))
        if shown is None:
            # Without the values the page showed, whose change it is cannot be told: keep
            # what was posted and name every field that differs from the stored record.
            if typed != now:
                changes.append((fresh[name].label, _display(fresh[name]), True))
            continue
        before = _comparable(form_field, shown.get(name, ""))
        if before == now or typed == now:
            continue
        if typed == before:
            raw = _raw(fresh[name])
            if isinstance(raw, list):
                data.setlist(form.add_prefix(name), raw)
            else:
                data[form.add_prefix(name)] = raw
            changes.append((fresh[name].label, _display(fresh[name]), False))
        else:
            changes.append((fresh[name].label, _display(fresh[name]), True))
    data[form.add_prefix("version")] = str(fresh.versioned_object().version)
    data[form.add_prefix("original")] = fresh.snapshot()
    return data, Conflict(noun=noun, current=fresh.versioned_object(), changes=changes)


def retry_form(form, make_form, *, noun):
    """The form to show after a refused save: `make_form(data)` builds one for the stored
    record (unbound for None). Carries `.conflict` and the stored version."""
    data, conflict = merge_conflict(form, make_form(None), noun=noun)
    retry = make_form(data)
    retry.conflict = conflict
    return retry


class ConflictMixin:
    """For edit views: a refused save (StaleEdit) answers 409 with the form shown again.

    The view's `get_form_kwargs()` must build the form from `self.object`, which is set to
    the stored record first; `conflict_noun` names it in the message ("this goal").
    """

    conflict_noun = "these details"

    def get_form(self, form_class=None):
        self._posted_form = super().get_form(form_class)
        return self._posted_form

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except StaleEdit as stale:
            return self.conflict_response(self._posted_form, stale.current)

    def conflict_response(self, form, current):
        self.object = current
        form_class = type(form)

        def make_form(data):
            kwargs = self.get_form_kwargs()
            kwargs.pop("files", None)
            kwargs["data"] = data
            if data is None:
                kwargs.pop("data")
            return form_class(**kwargs)

        retry = retry_form(form, make_form, noun=self.conflict_noun)
        return self.render_to_response(self.get_context_data(form=retry, conflict=retry.conflict), status=409)


# ---- Admin --------------------------------------------------------------------------------


class VersionedAdminForm(VersionedForm, forms.ModelForm):
    """The admin's change form: the stored version is checked under the row lock.

    The admin saves inside one transaction, so the lock taken here holds until the save.
    """

    conflict = None

    def clean(self):
        cleaned = super().clean()
        editing = self.versioned_object()
        if editing is None:
            return cleaned
        rows = type(editing)._base_manager.filter(pk=editing.pk)
        if connections[rows.db].in_atomic_block:
            rows = rows.select_for_update()
        current = rows.first()
        if current is not None and current.version != cleaned.get("version"):
            fresh = type(self)(instance=current, prefix=self.prefix)
            self.data, self.conflict = merge_conflict(self, fresh, noun=f"this {current._meta.verbose_name}")
            self.refuse(forms.ValidationError(self.conflict.message, code="stale"))
        return cleaned

    def refuse(self, error):
        raise error

    def save(self, commit=True):
        # The admin saves through save_model(), which passes the version.
        return forms.ModelForm.save(self, commit)


class VersionedChangelistForm(VersionedAdminForm):
    """One row of an editable admin list: the message goes by the row's first field, since the
    list shows no form-wide errors."""

    def refuse(self, error):
        self.add_error(self._meta.fields[0], error)


class VersionedAdminMixin:
    """ModelAdmin mixin: every change form, and every row of an editable list, refuses a
    stale save with a message naming what changed (status 409)."""

    form = VersionedAdminForm
    change_list_template = "admin/versioned_change_list.html"

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, **{"form": VersionedChangelistForm, **kwargs})

    def save_model(self, request, obj, form, change):
        if change and isinstance(form, VersionedForm):
            obj.save(expected_version=form.expected_version)
        else:
            obj.save()

    def render_change_form(self, request, context, *args, **kwargs):
        response = super().render_change_form(request, context, *args, **kwargs)
        if getattr(context["adminform"].form, "conflict", None):
            response.status_code = 409
        return response

    def changelist_view(self, request, extra_context=None):
        try:
            response = super().changelist_view(request, extra_context)
        except StaleEdit as stale:
            # Someone saved a row between the check and the save: nothing of this post was kept.
            messages.error(request, f"Someone else saved {stale.current} while you were editing. "
                                    "Nothing was saved; check the list and save again.")
            return HttpResponseRedirect(request.get_full_path())
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        formset = getattr(changelist, "formset", None)
        if formset is not None and any(form.conflict for form in formset.forms):
            response.status_code = 409
        return response
