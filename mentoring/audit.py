"""Recording audit events: the explicit calls state changes, reads and exports make.

Change history of model fields comes from django-auditlog (registered in each app's
models); this module records what a plain save does not show: who read a client's record,
who closed a case, who exported what, who signed in.
"""

from auditlog.context import set_actor

from .models import AuditEvent

Action = AuditEvent.Action


def _client_ip(request):
    # The same rule as the sign-in limits: X-Forwarded-For only as far as TRUSTED_PROXY_COUNT says.
    from .auth import client_ip

    return client_ip(request)


def record(user, verb, obj=None, *, action=Action.STATE, client_id=None, request=None, **detail):
    """Add one audit event; `client_id` ties it to a person's record for the audit screen."""
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if client_id is None and obj is not None:
        client_id = getattr(obj, "audit_client_id", None)
    return AuditEvent.objects.create(
        user=user,
        username=user.get_username() if user else "",
        action=action,
        verb=verb,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        client_id=client_id,
        detail=detail,
        ip_address=_client_ip(request),
    )


def record_view(request, obj, verb=None):
    """Record that the signed-in user read a client's record (or part of it)."""
    return record(
        request.user,
        verb or f"{obj._meta.model_name}.viewed",
        obj,
        action=Action.VIEW,
        request=request,
    )


def record_export(request, verb, obj=None, **detail):
    return record(request.user, verb, obj, action=Action.EXPORT, request=request, **detail)


__all__ = ["Action", "record", "record_view", "record_export", "set_actor"]
