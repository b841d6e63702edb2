"""Personal data in the core models (see mentoring/personal_fields.py)."""

from .models import AuditEvent, Funder, Organisation, Programme, ProgrammeMembership, RoleGrant
from .personal_fields import declare

declare(Funder, personal={"contact": "a named person at the funder"}, kept=["name"])
declare(Programme, kept={"code": "code", "name": "configuration"})
declare(ProgrammeMembership, kept={"role": "code"})
declare(AuditEvent, kept={
    # Append-only (a trigger refuses UPDATE and DELETE): it holds ids and codes, never a client's data.
    "username": "staff account", "action": "code", "verb": "code", "object_type": "code", "object_id": "id",
    "detail": "ids and codes only (mentoring.audit)", "ip_address": "staff sign-in audit",
})
declare(Organisation, kept={"logo": "configuration"})
declare(RoleGrant, kept={"grant": "code", "reason": "a staff role change, for the audit", "status": "code"})
