"""The access door cannot be forgotten: the view layer loads personal data only through
`<Model>.objects.restrict(user, action)` (mentoring.access.restrict).

The personal-data models are read from the models themselves: every model whose default
manager builds a `RestrictedQuerySet`. A second test checks the other way round, that every
model declaring personal fields or a client (`<app>/personal_data.py`) has one.

The view layer is every module a request's data is loaded in: the files named in
VIEW_LAYER_FILES, in every one of our apps. Services, reports' metrics, erasure, imports,
the admin and migrations work on every row by design and are not checked.

In those files, `<PersonalDataModel>.objects.<anything>` and `._default_manager` fail the
test unless the call is `.objects.restrict(...)` (the door) or `.objects.none()` (nothing), or
the (file, function) is on ALLOW_LIST with its reason. Rows reached through a related manager
of an object loaded through the door (`case.contacts`, `client.risk_flags`) are already
inside it and are not flagged.
"""

import ast
import fnmatch
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps

from mentoring import access
from mentoring.personal_fields import OUR_APPS, declaration_for
from mentoring.querysets import RestrictedQuerySet

ROOT = Path(__file__).resolve().parent.parent
VIEW_LAYER_FILES = (
    "views.py", "views_*.py", "*_views.py", "dashboard.py", "client_page.py", "client_list.py",
    "tables.py", "filters.py", "forms.py",
)
MANAGERS = ("objects", "_default_manager")
DOOR_METHODS = ("restrict", "none")

# (file, function): why it must see rows the user may not.
ALLOW_LIST = {
    # Registered client-list filters get the user's cases, already restricted, and answer a
    # subset of them: the contacts and goals are only a condition, never shown.
    ("contacts/client_list.py", "follow_up_due"): "narrows already restricted cases; returns cases",
    ("contacts/client_list.py", "goal_past_target"): "narrows already restricted cases; returns cases",
    # The duplicate check must find a record the lead may not see, to flag it for a manager
    # without telling the lead it exists (referrals.forms.ReferralForm's docstring).
    ("referrals/forms.py", "ReferralForm._typed_duplicates"): "finds hidden duplicates; never shows them",
    # Says how many of the mentor's cases are in programmes the lead does not lead: a count.
    ("mentors/views.py", "MentorReallocateView.get_rows"): "counts the cases the lead may not see",
}

# Models with personal fields that no view loads on its own, so nothing restricts them.
NOT_RESTRICTED = {
    "mentoring.Funder": "configuration: the funder's named contact, edited in the admin only",
    "contacts.GroupSession": "shown only through its attendance, the restricted Contact rows",
}


def personal_data_models():
    """Every model whose default manager builds a RestrictedQuerySet."""
    return [
        model for model in apps.get_models()
        if issubclass(getattr(model._default_manager, "_queryset_class", object), RestrictedQuerySet)
    ]


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    function: str
    model: str
    call: str

    def __str__(self):
        return (
            f"{self.path}:{self.line} in {self.function}: {self.model}.{self.call} skips the access door. "
            f"Load it with {self.model}.objects.restrict(request.user, \"view\" | \"change\" | \"manage\"), "
            "or through a related manager of an object loaded that way; if it truly must see every row, "
            "add (file, function) with the reason to ALLOW_LIST in tests/test_access_door.py."
        )


class _DoorVisitor(ast.NodeVisitor):
    def __init__(self, path, model_names):
        self.path, self.model_names = path, model_names
        self.scope, self.found, self.through_door = [], [], set()

    def _visit_scope(self, node):
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _visit_scope

    def visit_Attribute(self, node):
        # `X.objects.restrict(...)`: the outer attribute names the method on the manager.
        if node.attr in DOOR_METHODS and isinstance(node.value, ast.Attribute) and node.value.attr == "objects":
            self.through_door.add(id(node.value))
        manager = node.attr in MANAGERS and isinstance(node.value, ast.Name) and node.value.id in self.model_names
        if manager and id(node) not in self.through_door:
            self.found.append(Violation(self.path, node.lineno, ".".join(self.scope) or "<module>",
                                        node.value.id, node.attr))
        self.generic_visit(node)


def door_violations(source, path, model_names):
    """The manager uses in `source` (a module of the view layer) that skip the door."""
    visitor = _DoorVisitor(path, set(model_names))
    visitor.visit(ast.parse(source, filename=path))
    return [v for v in visitor.found if (v.path, v.function) not in ALLOW_LIST]


def view_layer_files():
    for app in OUR_APPS:
        for path in sorted((ROOT / app).glob("*.py")):
            if any(fnmatch.fnmatch(path.name, pattern) for pattern in VIEW_LAYER_FILES):
                yield path


def test_the_view_layer_loads_personal_data_only_through_the_door():
    names = {model.__name__ for model in personal_data_models()}
    found = []
    for path in view_layer_files():
        found += door_violations(path.read_text(), str(path.relative_to(ROOT)), names)
    assert not found, "\n".join(str(v) for v in found)


def test_the_door_test_reports_a_view_that_loads_a_client_directly():
    snippet = (
        "from clients.models import Client\n\n"
        "class ClientView:\n"
        "    def get(self, request, pk):\n"
        "        return Client.objects.get(pk=1)\n"
    )
    found = door_violations(snippet, "clients/views.py", {"Client"})
    assert [(v.line, v.function, v.model) for v in found] == [(5, "ClientView.get", "Client")]
    assert "clients/views.py:5" in str(found[0]) and "restrict(request.user" in str(found[0])


def test_the_door_test_lets_restrict_and_none_through_and_catches_the_default_manager():
    snippet = (
        "def view(request):\n"
        "    a = Client.objects.restrict(request.user, 'view').get(pk=1)\n"
        "    b = Client.objects.none()\n"
        "    return Client._default_manager.filter(pk=1)\n"
    )
    found = door_violations(snippet, "clients/views.py", {"Client"})
    assert [(v.line, v.call) for v in found] == [(4, "_default_manager")]


def test_every_allow_list_entry_is_still_needed():
    names = {model.__name__ for model in personal_data_models()}
    for path, function in ALLOW_LIST:
        visitor = _DoorVisitor(path, names)
        visitor.visit(ast.parse((ROOT / path).read_text()))
        assert any(v.function == function for v in visitor.found), f"{path} {function}: remove it from ALLOW_LIST"


def test_every_model_holding_personal_data_has_a_restricted_queryset():
    restricted = {model._meta.label for model in personal_data_models()}
    missing = []
    for model in apps.get_models():
        declaration = declaration_for(model)
        if declaration is None or not (declaration.personal or declaration.client):
            continue
        label = model._meta.label
        if label not in restricted and label not in NOT_RESTRICTED:
            missing.append(label)
    assert not missing, (
        f"{', '.join(missing)} hold personal data: build their manager from mentoring.querysets."
        "RestrictedQuerySet and declare `access_path` (or say why not in NOT_RESTRICTED)."
    )
    assert not restricted & set(NOT_RESTRICTED), "restricted models need not be in NOT_RESTRICTED"


@pytest.mark.parametrize("model", personal_data_models(), ids=lambda model: model._meta.label)
def test_every_restricted_model_leads_to_a_case_client_referral_or_mentor(model):
    label, path = access.access_root(model)
    assert label in ("clients.Case", "clients.Client", "referrals.Referral", "mentors.Mentor"), (model, path)
