"""The access policy: which programmes, cases and clients a user may see or change.

This module is the only place that decides, in one function: `restrict(queryset, user,
action)`, which every personal-data queryset offers as `<Model>.objects.restrict(user, action)`
(mentoring.querysets.RestrictedQuerySet). Views load every object through it, so an id a user
may not see is a 404 and nothing else (DESIGN.md, "Roles and access"); tests/test_access_door.py
fails on a view that forgets. The visible_*/changeable_*/managed_* functions below are the same
policy under the names the views have always used:

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

Loading is also where reads are audited: `load_or_404`, `ScopedQuerysetMixin.get_object`,
`CaseScopedMixin.case` and `ParentObjectMixin` record that the user read the client's record
the object belongs to (any object with an `audit_client_id`), and `record_listed` the clients
a list page names.
A view that loads a client's record some other way is a read nobody recorded.
"""

from functools import wraps

from django.apps import apps
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
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


# ---- The one policy: which rows of a model a user may see, change or manage ------------------
#
# Each scope below answers a Q over its own model, None for "every row" or False for "none".
# `restrict` applies it to a queryset of that model, or, for a model that declares an
# `access_path` to a case, client or mentor, to the rows hanging from the permitted ones.

ACTIONS = ("view", "change", "manage")
ALL, NONE = None, False


def _case_scope(user, action):
    """Cases: all (manager); their programmes' (lead); currently allocated (mentor). A mentor
    may change what they may see; only leads and managers manage (allocate, close, re-open)."""
    if is_manager(user):
        return ALL
    query = Q(pk__in=[])
    granted = False
    if is_lead(user):
        query |= Q(programme_id__in=led_programme_ids(user))
        granted = True
    if is_mentor(user) and action != "manage":
        Allocation = _model("mentors.Allocation")
        allocations = Allocation.objects.filter(mentor__user=user).current(timezone.localdate())
        query |= Q(pk__in=allocations.values("case_id"))
        granted = True
    return query if granted else NONE


def _client_scope(user, action):
    """Clients of the cases the user may see (or change), plus, for a lead, clients of referrals
    awaiting their decision.

    A referral shows its client only while it waits for a decision: an accepted one does so
    through its case, and a declined or withdrawn one grants nothing, so a referral cannot be
    used to open a record and then withdrawn to keep the access.
    """
    if action == "manage":
        raise ValueError("A client is viewed or changed; it is their case that is managed.")
    if is_manager(user):
        return ALL
    query = Q(pk__in=_cases(user, action).values("client_id"))
    if is_lead(user):
        query |= Q(pk__in=_referrals(user, "change").awaiting_decision().values("client_id"))
    return query


def _referral_scope(user, action):
    """Viewing: leads their programmes' referrals, a mentor those of their cases. Changing (and
    managing) is deciding: accepting or declining, for leads and managers only."""
    if is_manager(user):
        return ALL
    query = Q(pk__in=[])
    if is_lead(user):
        query |= Q(programme_id__in=led_programme_ids(user))
    if is_mentor(user) and action == "view":
        query |= Q(case__in=_cases(user, "view"))
    granted = is_lead(user) or (is_mentor(user) and action == "view")
    return query if granted else NONE


def _mentor_scope(user, action):
    """Mentor profiles: managers all, leads those in their programmes, a mentor only themself
    to view. Changing a profile or its records is for the leads and managers who manage it."""
    if is_manager(user):
        return ALL
    Mentor = _model("mentors.Mentor")
    query = Q(pk__in=[])
    if is_lead(user):
        query |= Q(programmes__in=led_programme_ids(user))
    if is_mentor(user) and action == "view":
        query |= Q(user=user)
    granted = is_lead(user) or (is_mentor(user) and action == "view")
    # Through a subquery: a mentor in two of the lead's programmes is still one row.
    return Q(pk__in=Mentor.objects.filter(query).values("pk")) if granted else NONE


_SCOPES = {
    "clients.Case": _case_scope,
    "clients.Client": _client_scope,
    "referrals.Referral": _referral_scope,
    "mentors.Mentor": _mentor_scope,
}


def access_root(model):
    """(label of the model the policy decides on, lookup from `model` to it or "") for a model
    that is one of the four decided directly or declares an `access_path` to one of them."""
    label = model._meta.label
    if label in _SCOPES:
        return label, ""
    path = getattr(model, "access_path", None)
    if not path:
        raise ImproperlyConfigured(f"{label} has no access_path, so nothing can restrict it.")
    target = model
    for name in path.split("__"):
        target = target._meta.get_field(name).related_model
    if target._meta.label not in _SCOPES:
        raise ImproperlyConfigured(f"{label}.access_path {path!r} leads to {target._meta.label}, not a case, "
                                   "client, referral or mentor.")
    return target._meta.label, path


def restrict(queryset, user, action="view"):
    """`queryset` narrowed to the rows `user` may `action` ("view", "change" or "manage").

    The one function that decides, behind every `<Model>.objects.restrict(user, action)`.
    A child row is permitted when the case, client or mentor its `access_path` names is.
    """
    if action not in ACTIONS:
        raise ValueError(f"Unknown access action {action!r}: use one of {', '.join(ACTIONS)}.")
    label, path = access_root(queryset.model)
    condition = _SCOPES[label](user, action)
    if condition is ALL:
        return queryset
    if condition is NONE:
        return queryset.none()
    if path:
        condition = Q(**{f"{path}__in": _model(label).objects.filter(condition)})
    return queryset.filter(condition)


def _cases(user, action):
    return restrict(_model("clients.Case").objects.all(), user, action)


def _referrals(user, action):
    return restrict(_model("referrals.Referral").objects.all(), user, action)


def visible_cases(user):
    """Cases the user may see: all (manager), their programmes' (lead), currently allocated (mentor)."""
    return _cases(user, "view")


def changeable_cases(user):
    """Cases the user may add to or edit: today the same as the visible ones (a mentor's current
    allocations), kept apart so each view says which it means."""
    return _cases(user, "change")


def managed_cases(user):
    """Cases whose allocations, closure and re-opening the user decides (leads, managers)."""
    return _cases(user, "manage")


def visible_clients(user):
    return restrict(_model("clients.Client").objects.all(), user, "view")


def changeable_clients(user):
    return restrict(_model("clients.Client").objects.all(), user, "change")


def duplicate_checks(user):
    """Client records waiting for a duplicate check, and the records they may duplicate, are
    compared across the whole organisation: managers only."""
    Client = _model("clients.Client")
    if is_manager(user):
        return Client.objects.awaiting_duplicate_check()
    return Client.objects.none()


def visible_referrals(user):
    """Leads and managers see their programmes' referrals; a mentor those of their cases."""
    return _referrals(user, "view")


def decidable_referrals(user):
    """Referrals the user may accept or decline: leads and managers only."""
    return _referrals(user, "change")


def visible_mentors(user):
    """Mentor profiles: managers all, leads those in their programmes, a mentor themself."""
    return restrict(_model("mentors.Mentor").objects.all(), user, "view")


def managed_mentors(user):
    """Mentors whose records and allocations the user manages: leads and managers."""
    return restrict(_model("mentors.Mentor").objects.all(), user, "manage")


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
    """Signed-in users holding one of `allowed_roles`; anyone else gets 403 (`denied_message`)."""

    allowed_roles = (MENTOR, LEAD, MANAGER)
    denied_message = "Your role does not give access to this page."

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not has_role(request.user, *self.allowed_roles):
            raise PermissionDenied(self.denied_message)
        return super().dispatch(request, *args, **kwargs)


def _restricted(model, user, action):
    """`model`'s rows the user may `action`, the model given as a class or an "app.Model" label."""
    model = _model(model) if isinstance(model, str) else model
    return model._default_manager.restrict(user, action)


class ScopedQuerysetMixin(RoleRequiredMixin):
    """Load objects only through the door: the view's `model`, restricted to `action`.

    `get_object()` then answers 404 for anything outside the user's scope, and records the
    read when the object belongs to a client (`audit_verb`, else "<model>.viewed").
    """

    action = "view"
    audit_verb = None

    def get_scope_queryset(self):
        return _restricted(self.model, self.request.user, self.action)

    def get_queryset(self):
        return self.get_scope_queryset()

    def get_object(self, queryset=None):
        return record_read(self.request, super().get_object(queryset), verb=self.audit_verb)


class CaseScopedMixin(RoleRequiredMixin):
    """Views about one case, `self.case`, loaded through the door (cases the user may
    `case_action`) from the URL's `case_kwarg`: 404 for a case outside the user's scope; the
    read is recorded (`audit_verb`, else "case.viewed")."""

    case_action = "change"
    case_kwarg = "pk"
    audit_verb = None

    @cached_property
    def case(self):
        cases = _restricted("clients.Case", self.request.user, self.case_action).select_related("client", "programme")
        return load_or_404(self.request, cases, verb=self.audit_verb, pk=self.kwargs[self.case_kwarg])


class ParentObjectMixin(RoleRequiredMixin):
    """Views under one parent record (the client a flag is raised on, the mentor a training is
    added to, the allocation being ended), loaded before anything else runs.

    The parent is `parent_model` restricted to `parent_action`, found by the URL's
    `parent_kwarg`, so an id outside the user's scope is a 404 before the form is built; the
    read is recorded (`parent_verb`). It is kept as `self.<parent_attribute>`. Narrow the
    queryset in `get_parent_queryset`; refuse a permitted parent in `check_parent` (a 403
    after the 404, so an outsider learns nothing).
    """

    parent_model = None
    parent_action = "change"
    parent_kwarg = "pk"
    parent_attribute = "parent"
    parent_verb = None

    def get_parent_queryset(self):
        return _restricted(self.parent_model, self.request.user, self.parent_action)

    def check_parent(self, parent):
        """Raise PermissionDenied to refuse a parent the user may reach but not use here."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and has_role(request.user, *self.allowed_roles):
            parent = load_or_404(request, self.get_parent_queryset(), verb=self.parent_verb,
                                 pk=kwargs[self.parent_kwarg])
            setattr(self, self.parent_attribute, parent)
            self.check_parent(parent)
        return super().dispatch(request, *args, **kwargs)


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
