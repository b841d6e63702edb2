"""Home-page panels. Each app registers the panels it owns for the roles that see them.

The home view (mentoring.views.home) renders, in order, every panel registered for one of
the user's roles. This keeps mentoring free of imports from the apps above it. The clients a
panel names are found in what it returns (`records_in`): the home page records them as one read.

    from mentoring.dashboard import panel

    @panel(roles=[access.MENTOR], order=10, template="clients/panels/caseload.html")
    def caseload(request):
        return {"cases": ...}
"""

from dataclasses import dataclass, field, fields, is_dataclass


@dataclass(order=True)
class Panel:
    order: int
    name: str = field(compare=False)
    roles: frozenset = field(compare=False)
    template: str = field(compare=False)
    context: object = field(compare=False)


PANELS = {}


def panel(*, roles, order, template):
    def register(func):
        PANELS[f"{func.__module__}.{func.__name__}"] = Panel(
            order=order, name=func.__name__, roles=frozenset(roles), template=template, context=func
        )
        return func

    return register


def panels_for(user_roles):
    return sorted(p for p in PANELS.values() if p.roles & set(user_roles))


def records_in(value, depth=4):
    """Every object about a client (with an `audit_client_id`) in panel contexts: inside dicts,
    lists, tuples and dataclasses, not inside the objects themselves."""
    if hasattr(type(value), "audit_client_id"):
        yield value
    elif depth == 0 or isinstance(value, (str, bytes)):
        return
    elif isinstance(value, dict):
        for item in value.values():
            yield from records_in(item, depth - 1)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from records_in(item, depth - 1)
    elif is_dataclass(value) and not isinstance(value, type):
        for item in fields(value):
            yield from records_in(getattr(value, item.name), depth - 1)
