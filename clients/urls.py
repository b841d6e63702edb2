from django.urls import path

from . import views, views_duplicates

app_name = "clients"

urlpatterns = [
    path("", views.ClientListView.as_view(), name="client_list"),
    path("<int:pk>/", views.ClientDetailView.as_view(), name="client_detail"),
    path("<int:pk>/edit/", views.ClientUpdateView.as_view(), name="client_update"),
    path("<int:pk>/flags/add/", views.RiskFlagCreateView.as_view(), name="risk_flag_create"),
    path("flags/<int:pk>/edit/", views.RiskFlagUpdateView.as_view(), name="risk_flag_update"),
    path("cases/<int:pk>/close/", views.CaseCloseView.as_view(), name="case_close"),
    path("cases/<int:pk>/reopen/", views.CaseReopenView.as_view(), name="case_reopen"),
    path("cases/<int:pk>/pause/", views.CasePauseView.as_view(), name="case_pause"),
    path("cases/<int:pk>/resume/", views.CaseResumeView.as_view(), name="case_resume"),
    path("duplicate-checks/", views_duplicates.DuplicateCheckListView.as_view(), name="duplicate_check_list"),
    path("<int:pk>/duplicate-check/", views_duplicates.DuplicateCheckCloseView.as_view(), name="duplicate_check_close"),
]
