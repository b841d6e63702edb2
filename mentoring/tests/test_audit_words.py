"""Every event the code base can record has words on the audit trail (mentoring.audit.EVENTS).

The verbs are collected from the code, not listed here: a new `audit.record(..., "x.done")`
without words fails this test rather than showing `x.done` to a manager.
"""

import ast
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

from mentoring import audit
from mentoring.auth import TRACKED_FLAGS

ROOT = Path(settings.BASE_DIR)
APPS = ("mentoring", "clients", "referrals", "mentors", "contacts", "outcomes", "reports", "dataio")
# Calls whose second argument is the verb (audit.record, record_export, Case._record, auth's _record_account).
VERB_ARGUMENT = {"record": 1, "record_export": 1, "_record": 1, "_record_account": 1}
# Verbs built at run time, each expanded below; a new one must be added here and expanded.
BUILT_VERBS = {"f'report.{self.extension}'", "f'{obj._meta.model_name}.viewed'",
               "f'{records[0]._meta.model_name}_list.viewed'"}


def _strings(node, built):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body, built) + _strings(node.orelse, built)
    if isinstance(node, ast.BoolOp):
        return [text for value in node.values for text in _strings(value, built)]
    if isinstance(node, ast.JoinedStr):
        built.add(ast.unparse(node))
    return []


def verbs_in_code():
    """(verbs written in the code, verbs built with an f-string) across the apps, tests left out."""
    found, built = set(), set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "attr", getattr(node.func, "id", None))
                    if name in VERB_ARGUMENT and len(node.args) > VERB_ARGUMENT[name]:
                        found.update(_strings(node.args[VERB_ARGUMENT[name]], built))
                    for keyword in node.keywords:
                        if keyword.arg == "verb":
                            found.update(_strings(keyword.value, built))
                elif isinstance(node, ast.Assign):
                    names = {getattr(target, "id", None) for target in node.targets}
                    if names & {"audit_verb", "list_audit_verb", "verb"}:
                        found.update(_strings(node.value, built))
                elif isinstance(node, ast.BoolOp) and getattr(node.values[0], "id", None) == "verb":
                    found.update(_strings(node, built))  # `verb or <default>`
    return found, built


def every_recordable_verb():
    from reports.views import ReportDownloadView

    found, built = verbs_in_code()
    assert built <= BUILT_VERBS, f"verbs built at run time that this test does not expand: {built - BUILT_VERBS}"
    found |= {verb for pair in TRACKED_FLAGS.values() for verb in pair}
    for model in apps.get_models():
        if hasattr(model, "audit_client_id"):
            found |= {f"{model._meta.model_name}.viewed", f"{model._meta.model_name}_list.viewed"}
    found |= {f"report.{view.extension}" for view in ReportDownloadView.__subclasses__()}
    return found


def test_every_event_the_code_can_record_has_words():
    verbs = every_recordable_verb()
    assert len(verbs) > 80  # the collection found the calls
    assert {"user.signed_in", "case.closed", "report.pdf", "client.viewed", "user.deactivated"} <= verbs
    assert sorted(verbs - set(audit.EVENTS)) == []


def test_the_words_are_words():
    code = re.compile(r"[a-z]+_[a-z]+|[a-z]{2,}\.[a-z_]{2,}")
    assert [label for label in audit.EVENTS.values() if code.search(label)] == []
    assert len(set(audit.EVENTS.values())) == len(audit.EVENTS), "two events read the same"


def test_an_event_without_words_shows_its_kind_never_its_code():
    assert audit.event_label("user.signed_in") == "Signed in"
    assert audit.event_label("thing.done_twice", audit.Action.EXPORT) == "Exported"
    assert audit.event_label("thing.done_twice") == "Something else"
