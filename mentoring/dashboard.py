"""Home-page panels. Each app registers the panels it owns for the roles that see them.

The home view (mentoring.views.home) renders, in order, every panel registered for one of
the user's roles. This keeps mentoring free of imports from the apps above it.

    from mentoring.dashboard import panel

    @panel(roles=[access.MENTOR], order=10, template="clients/panels/caseload.html")
    def caseload(request):
        return {"cases": ...}
"""

from dataclasses import dataclass, field


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
