from mentoring.models import RoleGrant
from mentoring.tests.access import Row
from mentoring.tests.factories import UserFactory

MISSING = 987654321


def _pending_grant(world):
    """Asked by a manager other than the one the matrix signs in (erin), for someone else."""
    asker = UserFactory(username="asker", role="manager")
    target = UserFactory(username="target")
    role_grant = RoleGrant.objects.create(user=target, grant=RoleGrant.Grant.MANAGER, reason="New manager", requested_by=asker)
    return {"pk": role_grant.pk}


def _administrator_account(world):
    return {"pk": UserFactory(username="formeradmin", role="administrator").pk}


MATRIX = [
    Row("home", default=200),
    Row("healthz", default=200, anonymous=200),
    # Roles only two managers give: managers only, everyone else 403.
    Row("role_grants", manager=200),
    Row("role_grants", method="post", data=lambda w: {}, manager=200, label="post"),  # the form's errors
    Row("role_grant_approve", _pending_grant, method="post", manager=302),
    Row("role_grant_approve", lambda w: {"pk": MISSING}, method="post", manager=404, label="missing"),
    Row("role_grant_cancel", _pending_grant, method="post", manager=302),
    Row("role_grant_cancel", lambda w: {"pk": MISSING}, method="post", manager=404, label="missing"),
    Row("role_revoke", _administrator_account, method="post", data=lambda w: {"grant": "administrator"}, manager=302),
    Row("role_revoke", lambda w: {"pk": MISSING}, method="post", data=lambda w: {"grant": "administrator"},
        manager=404, label="missing"),
]
