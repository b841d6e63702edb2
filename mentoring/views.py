from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import access, dashboard, services
from .forms import RoleGrantForm
from .models import ROLE_GROUPS, Role, RoleGrant


@login_required
def home(request):
    """The dashboard for the signed-in role: what is due first, then the rest."""
    user_roles = access.roles(request.user)
    panels = []
    for item in dashboard.panels_for(user_roles):
        context = item.context(request)
        if context is not None:
            panels.append({"template": item.template, "context": context, "name": item.name})
    access.record_listed(request, dashboard.records_in([p["context"] for p in panels]), verb="home.viewed")
    return render(request, "mentoring/home.html", {"panels": panels, "roles": user_roles})


@never_cache
@require_GET
def healthz(request):
    """For load balancers and monitors: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def no_signup(request):
    """Accounts are created by administrators; there is no public sign-up page."""
    raise Http404("Accounts are created by an administrator.")


# ---- Roles only two managers give ------------------------------------------------------------


@access.role_required(access.MANAGER)
def role_grants(request):
    """Who holds the Manager and Administrator roles and the superuser flag; requests waiting
    for a second manager; the form to ask for one."""
    form = RoleGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.request_role_grant(user=data["user"], grant=data["grant"], by=request.user, reason=data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Asked: a second manager must approve it before {data['user']} has it.")
            return redirect("role_grants")
    pending = list(RoleGrant.objects.pending().select_related("user", "requested_by"))
    for role_grant in pending:
        role_grant.may_approve = role_grant.may_be_approved_by(request.user)
    groups = {ROLE_GROUPS[Role.MANAGER]: RoleGrant.Grant.MANAGER, ROLE_GROUPS[Role.ADMINISTRATOR]: RoleGrant.Grant.ADMINISTRATOR}
    holders = []
    for account in (
        get_user_model().objects.filter(Q(is_superuser=True) | Q(groups__name__in=groups)).distinct()
        .prefetch_related("groups").order_by("first_name", "last_name", "username")
    ):
        held = [groups[g.name] for g in account.groups.all() if g.name in groups]
        if account.is_superuser:
            held.append(RoleGrant.Grant.SUPERUSER)
        holders.append({"account": account, "held": [RoleGrant.Grant(g) for g in held]})
    decided = RoleGrant.objects.exclude(status=RoleGrant.Status.PENDING).select_related("user", "requested_by", "decided_by")[:20]
    return render(request, "mentoring/role_grants.html", {
        "form": form, "pending": pending, "holders": holders, "decided": decided,
    })


@require_POST
@access.role_required(access.MANAGER)
def role_grant_approve(request, pk):
    role_grant = get_object_or_404(RoleGrant.objects.pending(), pk=pk)
    if not role_grant.may_be_approved_by(request.user):
        raise PermissionDenied("A manager other than the one who asked, and other than the person it is for, must approve.")
    services.approve_role_grant(role_grant=role_grant, by=request.user)
    messages.success(request, f"{role_grant.user} now has the {role_grant.get_grant_display().lower()}.")
    return redirect("role_grants")


@require_POST
@access.role_required(access.MANAGER)
def role_grant_cancel(request, pk):
    role_grant = get_object_or_404(RoleGrant.objects.pending(), pk=pk)
    services.cancel_role_grant(role_grant=role_grant, by=request.user)
    messages.success(request, f"The request for {role_grant.user} was cancelled.")
    return redirect("role_grants")


@require_POST
@access.role_required(access.MANAGER)
def role_revoke(request, pk):
    account = get_object_or_404(get_user_model(), pk=pk)
    grant = request.POST.get("grant", "")
    if grant not in RoleGrant.Grant.values:
        raise Http404("No such role.")
    try:
        services.revoke_role(user=account, grant=grant, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{account} no longer has the {RoleGrant.Grant(grant).label.lower()}.")
    return redirect("role_grants")
