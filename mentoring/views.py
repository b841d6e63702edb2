from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import access, dashboard


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
