"""Role workflows: what only two managers together may give, and what one manager may take away.

The Manager and Administrator roles and the superuser flag open every client's record or decide
who can, so one manager asks (`request_role_grant`) and a second, different manager approves
(`approve_role_grant`). Every step is an audit event; the change of the account itself is
recorded too, as every change of an account's roles is (mentoring.auth).
"""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from . import access, audit
from .models import ROLE_GROUPS, Role, RoleGrant

GRANT_GROUPS = {RoleGrant.Grant.MANAGER: ROLE_GROUPS[Role.MANAGER],
                RoleGrant.Grant.ADMINISTRATOR: ROLE_GROUPS[Role.ADMINISTRATOR]}


def holds(account, grant):
    if grant == RoleGrant.Grant.SUPERUSER:
        return account.is_superuser
    return account.groups.filter(name=GRANT_GROUPS[grant]).exists()


def _check_manager(by):
    if not access.can_manage_roles(by):
        raise PermissionDenied("Only a manager may change the Manager and Administrator roles.")


@transaction.atomic
def request_role_grant(*, user, grant: str, by, reason: str) -> RoleGrant:
    """The first manager asks: nothing changes yet."""
    _check_manager(by)
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why this person needs it.")
    if not user.is_active:
        raise ValidationError(f"{user.get_username()}'s account is deactivated.")
    if holds(user, grant):
        raise ValidationError(f"{user.get_username()} already has this.")
    if RoleGrant.objects.pending().filter(user=user, grant=grant).exists():
        raise ValidationError("The same request is already waiting for a second manager.")
    role_grant = RoleGrant(user=user, grant=grant, requested_by=by, reason=reason)
    role_grant.full_clean()
    role_grant.save()
    audit.record(by, "role.grant_requested", user, grant=grant, reason=reason, request_id=role_grant.pk)
    return role_grant


def give(user, grant):
    """Give the role at once: only after a second manager approved, or from the server."""
    if grant == RoleGrant.Grant.SUPERUSER:
        user.is_superuser = user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])
        return
    user.groups.add(Group.objects.get(name=GRANT_GROUPS[grant]))
    if grant == RoleGrant.Grant.ADMINISTRATOR and not user.is_staff:
        user.is_staff = True  # the admin site is where an administrator works
        user.save(update_fields=["is_staff"])


@transaction.atomic
def approve_role_grant(*, role_grant: RoleGrant, by) -> RoleGrant:
    """The second manager approves: only now does the account get the role."""
    _check_manager(by)
    role_grant = RoleGrant.objects.select_for_update().select_related("user").get(pk=role_grant.pk)
    if not role_grant.is_pending:
        raise ValidationError("This request is no longer waiting for approval.")
    if not role_grant.may_be_approved_by(by):
        raise PermissionDenied("A manager other than the one who asked, and other than the person it is for, must approve.")
    give(role_grant.user, role_grant.grant)
    role_grant.status = RoleGrant.Status.APPROVED
    role_grant.decided_by, role_grant.decided_at = by, timezone.now()
    role_grant.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        by, "role.granted", role_grant.user, grant=role_grant.grant, requested_by=role_grant.requested_by_id,
        request_id=role_grant.pk,
    )
    return role_grant


@transaction.atomic
def cancel_role_grant(*, role_grant: RoleGrant, by) -> RoleGrant:
    _check_manager(by)
    role_grant = RoleGrant.objects.select_for_update().get(pk=role_grant.pk)
    if not role_grant.is_pending:
        raise ValidationError("This request is no longer waiting for approval.")
    role_grant.status = RoleGrant.Status.CANCELLED
    role_grant.decided_by, role_grant.decided_at = by, timezone.now()
    role_grant.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(by, "role.grant_cancelled", role_grant.user, grant=role_grant.grant, request_id=role_grant.pk)
    return role_grant


@transaction.atomic
def revoke_role(*, user, grant: str, by) -> None:
    """One manager may take a role away (taking is never the risk giving is), but not from
    themself: the organisation must not lose its last manager by a slip."""
    _check_manager(by)
    if user.pk == by.pk:
        raise ValidationError("Ask another manager to take a role away from you.")
    if not holds(user, grant):
        raise ValidationError(f"{user.get_username()} does not have this.")
    if grant == RoleGrant.Grant.SUPERUSER:
        user.is_superuser = False
        user.save(update_fields=["is_superuser"])
    else:
        user.groups.remove(Group.objects.get(name=GRANT_GROUPS[grant]))
    audit.record(by, "role.revoked", user, grant=grant)
