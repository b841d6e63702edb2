"""The access policy: which programmes, cases and clients a user may see or change.

This module is the only place that decides. Views load every object through these
querysets, so an id a user may not see is a 404 and nothing else (DESIGN.md, "Roles and
access"):

| role          | sees                                   | may change                              |
| Mentor        | cases currently allocated to them      | the same cases                          |
| Project lead  | every case in the programmes they lead | the same, plus allocations and decisions |
| Manager       | every programme                        | as a lead, plus reports and exports      |
| Administrator | configuration and users                | configuration only                       |

A mentor whose allocation has ended (re-allocated, case closed, mentor left) no longer sees that
client at all: DESIGN.md's "current or past" was too generous for criminal-offence data, and the
history stays with the project lead.

Roles are Django groups; a lead's programmes are ProgrammeMembership rows. The querysets of
other apps are reached lazily through the app registry, because mentoring depends on no app.

Loading is also where reads are audited: `load_or_404`, `ScopedQuerysetMixin.get_object` and
`CaseScopedMixin.case` record that the user read the client's record the object belongs to
(any object with an `audit_client_id`), and `record_listed` the clients a list page names.
A view that loads a client's record some other way is a read nobody recorded.
"""

from functools import wraps

from django.apps import apps
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property

from . import audit
from .models import ROLE_GROUPS, Programme, ProgrammeMembership, Role

MENTOR = Role.MENTOR
LEAD = Role.LEAD
MANAGER = Role.MANAGER
ADMINISTRATOR = Role.ADMINISTRATOR
GROUP_ROLES = {name: role for role, name in ROLE_GROUPS.items()}
# Roles an administrator gives in the admin. Manager and Administrator (and the superuser flag,
# which is the Administrator role with every admin permission) only a second manager's approval
# gives: mentoring.services.approve_role_grant.
ADMIN_GIVEN_ROLES = (MENTOR, LEAD)


def _model(label):
    return apps.get_model(label)


def roles(user):
    """The set of roles the user holds, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_waymark_roles", None)
    if cached is None:
        names = user.groups.values_list("name", flat=True)
        cached = frozenset(GROUP_ROLES[name] for name in names if name in GROUP_ROLES)
        if user.is_superuser:
            cached |= {ADMINISTRATOR}
        user._waymark_roles = cached
    return cached


def has_role(user, *wanted):
    return bool(roles(user) & set(wanted))


def is_manager(user):
    return has_role(user, MANAGER)


def is_lead(user):
    return has_role(user, LEAD)


def is_mentor(user):
    return has_role(user, MENTOR)


def is_administrator(user):
    return has_role(user, ADMINISTRATOR)


def works_with_cases(user):
    return has_role(user, MENTOR, LEAD, MANAGER)


def can_see_offences(user):
    """Offence detail is for leads and managers; mentors see only that a record exists."""
    return has_role(user, LEAD, MANAGER)


def can_run_reports(user):
    return has_role(user, LEAD, MANAGER)


def can_export(user):
    """Subject-access exports, Justice Data Lab files and audit CSVs: managers only."""
    return is_manager(user)


def can_manage_roles(user):
    """Asking for, approving and taking away the Manager and Administrator roles: managers."""
    return is_manager(user)


def holds_two_manager_role(account):
    """Whether the account holds what only two managers give: Manager, Administrator, superuser."""
    if account.is_superuser:
        return True
    return account.groups.filter(name__in=[ROLE_GROUPS[MANAGER], ROLE_GROUPS[ADMINISTRATOR]]).exists()


def can_link_mentor_accounts(user):
    """Which sign-in account a mentor profile uses: managers only. The account sees the mentor's
    cases in every programme, so a lead re-linking a shared mentor could hand another
    programme's cases to an account they control."""
    return is_manager(user)


def led_programme_ids(user):
    cached = getattr(user, "_waymark_led", None)
    if cached is None:
        cached = frozenset(
            ProgrammeMembership.objects.filter(user=user, role=LEAD).values_list("programme_id", flat=True)
        ) if is_lead(user) else frozenset()
        user._waymark_led = cached
    return cached


def visible_programmes(user):
    """Programmes whose cases the user works with (managers: all)."""
    if is_manager(user):
        return Programme.objects.all()
    query = Q(pk__in=led_programme_ids(user))
    if is_mentor(user):
        query |= Q(mentors__user=user)
    if not (is_lead(user) or is_mentor(user)):
        return Programme.objects.none()
    return Programme.objects.filter(query).distinct()


def referral_programmes(user):
    """Programmes the user may record a referral into: managers all, leads their own."""
    return reportable_programmes(user)


def reportable_programmes(user):
    """Programmes the user may run the report for: managers all, leads their own."""
    if is_manager(user):
        return Programme.objects.all()
    if is_lead(user):
        return Programme.objects.filter(pk__in=led_programme_ids(user))
    return Programme.objects.none()


def _case_filter(user):
    """A Q over Case, or None for 'all cases', or False for 'none'."""
    if is_manager(user):
        return None
    query = Q(pk__in=[])
    granted = False
    if is_lead(user):
        query |= Q(programme_id__in=led_programme_ids(user))
        granted = True
    if is_mentor(user):
        Allocation = _model("mentors.Allocation")
        allocations = Allocation.objects.filter(mentor__user=user).current(timezone.localdate())
        query |= Q(pk__in=allocations.values("case_id"))
        granted = True
    return query if granted else False


def _cases(user):
    Case = _model("clients.Case")
    condition = _case_filter(user)
    if condition is None:
        return Case.objects.all()
    if condition is False:
        return Case.objects.none()
    return Case.objects.filter(condition)


def visible_cases(user):
    """Cases the user may see: all (manager), their programmes' (lead), currently allocated (mentor)."""
    return _cases(user)


def changeable_cases(user):
    """Cases the user may add to or edit: today the same as the visible ones (a mentor's current
    allocations), kept apart so each view says which it means."""
    return _cases(user)


def visible_clients(user):
    """Clients of the user's visible cases, plus (for a lead) clients of referrals awaiting them.

    A referral shows its client only while it waits for a decision: an accepted one does so
    through its case, and a declined or withdrawn one grants nothing, so a referral cannot be
    used to open a record and then withdrawn to keep the access.
    """
    Client = _model("clients.Client")
    if is_manager(user):
        return Client.objects.all()
    query = Q(pk__in=visible_cases(user).values("client_id"))
    if is_lead(user):
        query |= Q(pk__in=decidable_referrals(user).awaiting_decision().values("client_id"))
    return Client.objects.filter(query)


def changeable_clients(user):
    Client = _model("clients.Client")
    if is_manager(user):
        return Client.objects.all()
    query = Q(pk__in=changeable_cases(user).values("client_id"))
    if is_lead(user):
        query |= Q(pk__in=decidable_referrals(user).awaiting_decision().values("client_id"))
    return Client.objects.filter(query)


def duplicate_checks(user):
    """Client records waiting for a duplicate check, and the records they may duplicate, are
    compared across the whole organisation: managers only."""
    Client = _model("clients.Client")
    if is_manager(user):
        return Client.objects.awaiting_duplicate_check()
    return Client.objects.none()


def visible_referrals(user):
    """Leads and managers see their programmes' referrals; a mentor those of their cases."""
    Referral = _model("referrals.Referral")
    if is_manager(user):
        return Referral.objects.all()
    query = Q(pk__in=[])
    if is_lead(user):
        query |= Q(programme_id__in=led_programme_ids(user))
    if is_mentor(user):
        query |= Q(case__in=visible_cases(user))
    if not (is_lead(user) or is_mentor(user)):
        return Referral.objects.none()
    return Referral.objects.filter(query)


def decidable_referrals(user):
    """Referrals the user may accept or decline: leads and managers only."""
    Referral = _model("referrals.Referral")
    if is_manager(user):
        return Referral.objects.all()
    if is_lead(user):
        return Referral.objects.filter(programme_id__in=led_programme_ids(user))
    return Referral.objects.none()


def managed_cases(user):
    """Cases whose allocations, closure and re-opening the user decides (leads, managers)."""
    Case = _model("clients.Case")
    if is_manager(user):
        return Case.objects.all()
    if is_lead(user):
        return Case.objects.filter(programme_id__in=led_programme_ids(user))
    return Case.objects.none()


def visible_mentors(user):
    """Mentor profiles: managers all, leads those in their programmes, a mentor themself."""
    Mentor = _model("mentors.Mentor")
    if is_manager(user):
        return Mentor.objects.all()
    query = Q(pk__in=[])
    if is_lead(user):
        query |= Q(programmes__in=led_programme_ids(user))
    if is_mentor(user):
        query |= Q(user=user)
    if not (is_lead(user) or is_mentor(user)):
        return Mentor.objects.none()
    return Mentor.objects.filter(pk__in=Mentor.objects.filter(query).values("pk"))


def managed_mentors(user):
    """Mentors whose records and allocations the user manages: leads and managers."""
    Mentor = _model("mentors.Mentor")
    if is_manager(user):
        return Mentor.objects.all()
    if is_lead(user):
        return Mentor.objects.filter(pk__in=Mentor.objects.filter(programmes__in=led_programme_ids(user)).values("pk"))
    return Mentor.objects.none()


# ---- Loading a client's record: the door every read goes through ---------------------------


def record_read(request, obj, *, verb=None):
    """Note that the user read the client's record `obj` belongs to (a client, case, contact...).

    Written once per request per client, when the response shows it (audit.ReadAuditMiddleware).
    """
    audit.reads_of(request).read(obj, verb=verb)
    return obj


def record_listed(request, items, *, verb):
    """Note the clients a page names: objects with an `audit_client_id`, or client ids.

    One event for the page, whose detail lists the ids shown: never a name or the words searched.
    """
    ids = [item if isinstance(item, int) else getattr(item, "audit_client_id", None) for item in items]
    audit.reads_of(request).listed(ids, verb=verb)


def load_or_404(request, queryset, *, verb=None, **lookup):
    """The object the lookup names in an access queryset (404 outside it), its read recorded."""
    return record_read(request, get_object_or_404(queryset, **lookup), verb=verb)


# ---- View helpers -------------------------------------------------------------------------


class RoleRequiredMixin(LoginRequiredMixin):
    """Signed-in users holding one of `allowed_roles`; anyone else gets 403."""

    allowed_roles = (MENTOR, LEAD, MANAGER)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not has_role(request.user, *self.allowed_roles):
            raise PermissionDenied("Your role does not give access to this page.")
        return super().dispatch(request, *args, **kwargs)


class ScopedQuerysetMixin(RoleRequiredMixin):
    """Load objects only through an access queryset: `scope = "visible_cases"` etc.

    `get_object()` then answers 404 for anything outside the user's scope, and records the
    read when the object belongs to a client (`audit_verb`, else "<model>.viewed").
    """

    scope = None
    audit_verb = None

    def get_scope_queryset(self):
        return globals()[self.scope](self.request.user)

    def get_queryset(self):
        return self.get_scope_queryset()

    def get_object(self, queryset=None):
        return record_read(self.request, super().get_object(queryset), verb=self.audit_verb)


class CaseScopedMixin(RoleRequiredMixin):
    """Views about one case, `self.case`, loaded through an access queryset (`case_scope`)
    from the URL's `case_kwarg`: 404 for a case outside the user's scope; the read is recorded
    (`audit_verb`, else "case.viewed")."""

    case_scope = "changeable_cases"
    case_kwarg = "pk"
    audit_verb = None

    @cached_property
    def case(self):
        cases = globals()[self.case_scope](self.request.user).select_related("client", "programme")
        return load_or_404(self.request, cases, verb=self.audit_verb, pk=self.kwargs[self.case_kwarg])


def role_required(*allowed):
    """Decorator form of RoleRequiredMixin for small function views."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            from django.contrib.auth.views import redirect_to_login

            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *allowed):
                raise PermissionDenied("Your role does not give access to this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
