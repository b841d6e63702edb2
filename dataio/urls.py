from django.urls import path  # noqa: F401

from . import views_import, views_privacy  # noqa: F401

app_name = "dataio"

# Import (CSV upload, templates) first, then privacy (audit trail, subject access, retention).
urlpatterns = [
    *views_import.urlpatterns,
    *views_privacy.urlpatterns,
]
