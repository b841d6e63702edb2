"""Rows of the access matrix (tests/test_access_matrix.py)."""

from dataclasses import dataclass, field

ROLES = ["anonymous", "no_role", "mentor", "lead", "manager", "administrator"]


@dataclass
class Row:
    """One URL and what each role gets from it.

    `default` applies to every signed-in role not named; anonymous users are sent to sign
    in (302) unless `anonymous` says otherwise.
    """

    name: str
    kwargs: object = None  # callable(world) -> dict
    method: str = "get"
    data: object = None  # callable(world) -> dict, for POST rows
    default: int = 403
    anonymous: int = 302
    statuses: dict = field(default_factory=dict)
    label: str = ""

    def __init__(self, name, kwargs=None, *, method="get", data=None, default=403, anonymous=302, label="", **statuses):
        self.name, self.kwargs, self.method, self.data = name, kwargs, method, data
        self.default, self.anonymous, self.label, self.statuses = default, anonymous, label, statuses

    def expect(self, role):
        if role == "anonymous":
            return self.anonymous
        return self.statuses.get(role, self.default)

    @property
    def id(self):
        return f"{self.name}{'[' + self.label + ']' if self.label else ''}"


SCOPE_LABELS = {"my": "", "past": "past allocation", "other": "other mentor", "far": "other programme"}


def scoped_rows(name, kwargs, *records, mine=200):
    """Rows for a URL that follows the case, one per world record named (`my_case`, `past_case`,
    `other_case`, `far_case`, or the clients `my_client`...), with `kwargs(record)` its URL kwargs: the
    mentor gets `mine` on their current case and 404 elsewhere, a lead 200 in their programmes and
    404 outside them, a manager 200 everywhere."""
    return [
        Row(name, kwargs(record), label=SCOPE_LABELS[record.split("_")[0]],
            mentor=mine if record.startswith("my_") else 404, lead=404 if record.startswith("far_") else 200,
            manager=200)
        for record in records
    ]
