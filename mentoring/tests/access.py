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
