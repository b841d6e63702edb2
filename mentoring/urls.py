from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path

from . import views

# The admin signs in through the same form as everyone else, with its lockout and
# two-factor rules, never through Django's own admin login.
admin.site.login = login_required(admin.site.login)
admin.site.site_header = "Waymark administration"
admin.site.site_title = "Waymark"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("roles/", views.role_grants, name="role_grants"),
    path("roles/<int:pk>/approve/", views.role_grant_approve, name="role_grant_approve"),
    path("roles/<int:pk>/cancel/", views.role_grant_cancel, name="role_grant_cancel"),
    path("roles/accounts/<int:pk>/revoke/", views.role_revoke, name="role_revoke"),
    path("accounts/signup/", views.no_signup, name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("clients/", include("clients.urls")),
    path("referrals/", include("referrals.urls")),
    path("mentors/", include("mentors.urls")),
    path("contacts/", include("contacts.urls")),
    path("calendar/", include("contacts.calendar_urls")),
    path("outcomes/", include("outcomes.urls")),
    path("reports/", include("reports.urls")),
    path("data/", include("dataio.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
