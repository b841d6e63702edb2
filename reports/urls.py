from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportView.as_view(), name="report"),
    path("report.pdf", views.ReportPDFView.as_view(), name="report_pdf"),
    path("report.csv", views.ReportCSVView.as_view(), name="report_csv"),
    path("case-studies/", views.CaseStudyListView.as_view(), name="case_study_list"),
    path("case-studies/new/<int:pk>/", views.CaseStudyCreateView.as_view(), name="case_study_create"),
    path("case-studies/<int:pk>/toggle/", views.case_study_toggle, name="case_study_toggle"),
    path("justice-data-lab/", views.JusticeDataLabExportView.as_view(), name="jdl_export"),
    path("spend/", views.SupportSpendListView.as_view(), name="spend_list"),
]
