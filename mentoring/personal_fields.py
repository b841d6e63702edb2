"""Which fields of each model hold personal data: the one list erasure, subject access and the
change history read.

Each app declares its models in `<app>/personal_data.py` (loaded by `mentoring`'s ready()):

    declare(Referral, client="client_id", parent="client",
            personal={"needs": "", "referrer_name": "the referrer is a person too"},
            kept={"readiness": "code"})

- `personal`: blanked by erasure (if the model is about a client), hidden from the change
  history's details (it records that the field changed, not the value), in the subject-access
  export. Not only text: a date of birth is personal too.
- `kept`: configuration, codes and staff-facing wording that is safe to keep.
- `client`: the lookup from the model to the client's id, for models whose rows are about one
  client (erasure and subject access find the client's rows through it); `parent`: the field
  pointing at the row it hangs from, to find the history of rows since deleted.
- `erase`: what erasure writes instead of a blank ("" or NULL), a value or a callable with no
  arguments; `SET_BY_ERASURE` for a value the erasure service works out itself (the moved
  date of birth). `erased=False`: personal, but shared by several people, so erasure of one
  client leaves it alone (a group session's notes).

`dataio/tests/test_personal_data.py` fails for a text field declared neither personal nor kept.
Every dict may be given as a list of names instead, when no reason is worth writing.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db import models

# Fields that can hold typed text or a file: each must be declared personal or kept.
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.GenericIPAddressField, models.FileField)
# Our apps, lowest layer first: the ones whose models must all be declared.
OUR_APPS = ("mentoring", "clients", "referrals", "mentors", "contacts", "outcomes", "reports", "dataio")

SET_BY_ERASURE = object()


@dataclass(frozen=True)
class Declaration:
    model: type
    personal: dict
    kept: dict
    client: str | None = None
    parent: str | None = None
    erase: dict = field(default_factory=dict)
    erased: bool = True

    @property
    def label(self):
        return self.model._meta.label

    def rows_of(self, client_id):
        """The model's rows about this client (only for declarations with `client`)."""
        return self.model._default_manager.filter(**{self.client: client_id})

    def erasure_values(self):
        """{field: value} that erasure writes over the personal fields (SET_BY_ERASURE left out)."""
        values = {}
        for name in self.personal:
            if name in self.erase:
                value = self.erase[name]
                if value is SET_BY_ERASURE:
                    continue
                values[name] = value() if callable(value) else value
                continue
            model_field = self.model._meta.get_field(name)
            if model_field.null:
                values[name] = None
            elif isinstance(model_field, models.JSONField):
                values[name] = model_field.get_default()
            elif isinstance(model_field, TEXT_FIELDS):
                values[name] = ""
            else:
                raise ImproperlyConfigured(f"{self.label}.{name} is personal: say in erase= what erasure writes.")
        return values


_declarations = {}


def _as_dict(names):
    return dict(names) if isinstance(names, dict) else {name: "" for name in names}


def declare(model, *, personal=(), kept=(), client=None, parent=None, erase=None, erased=True):
    """Declare, once per model, which of its fields are personal and which are kept."""
    if model._meta.label in _declarations:
        raise ImproperlyConfigured(f"{model._meta.label} is declared twice.")
    declaration = Declaration(
        model=model, personal=_as_dict(personal), kept=_as_dict(kept), client=client, parent=parent,
        erase=dict(erase or {}), erased=erased,
    )
    _declarations[model._meta.label] = declaration
    return declaration


def autodiscover():
    """Import every installed app's `personal_data` module (called from mentoring's ready())."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("personal_data")


def declarations():
    """Every declaration, in the order the apps declared them."""
    return list(_declarations.values())


def declaration_for(model):
    return _declarations.get(model._meta.label)


def client_declarations():
    """Declarations of the models whose rows are about one client, Client first."""
    return [d for d in _declarations.values() if d.client]


def client_model(label):
    """A declared client-record model by label ("reports.CaseStudy"), for apps that may not import it."""
    declaration = _declarations[label]
    return declaration.model


def personal_names(model):
    """The personal field names of a model; for an undeclared one, every name declared personal anywhere."""
    declaration = declaration_for(model) if model is not None else None
    if declaration is not None:
        return frozenset(declaration.personal)
    return all_personal_names()


def all_personal_names():
    return frozenset(name for d in _declarations.values() for name in d.personal)


def text_fields(model):
    """The model's own concrete fields that can hold text or a file."""
    return [f for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]


def problems():
    """'app.Model.field: ...' for every text field left undeclared, declared twice or not a field."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        declaration = declaration_for(model)
        label = model._meta.label
        if declaration is None:
            found += [f"{label}.{f.name}: not declared personal or kept" for f in text_fields(model)]
            continue
        names = {f.name for f in model._meta.concrete_fields}
        for name in sorted(set(declaration.personal) & set(declaration.kept)):
            found.append(f"{label}.{name}: declared both personal and kept")
        for name in sorted((set(declaration.personal) | set(declaration.kept) | set(declaration.erase)) - names):
            found.append(f"{label}.{name}: declared but not a field")
        for f in text_fields(model):
            if f.name not in declaration.personal and f.name not in declaration.kept:
                found.append(f"{label}.{f.name}: not declared personal or kept")
    return found
