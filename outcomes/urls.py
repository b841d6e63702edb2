from django.urls import path

from . import offence_views, views

app_name = "outcomes"

urlpatterns = [
    path("cases/<int:pk>/assessments/new/", views.AssessmentCreateView.as_view(), name="assessment_create"),
    path("assessments/<int:pk>/", views.AssessmentDetailView.as_view(), name="assessment_detail"),
    path("assessments/<int:pk>/edit/", views.AssessmentUpdateView.as_view(), name="assessment_update"),
    path("cases/<int:pk>/achievements/new/", views.AchievementCreateView.as_view(), name="achievement_create"),
    path("achievements/<int:pk>/edit/", views.AchievementUpdateView.as_view(), name="achievement_update"),
    path("achievements/<int:pk>/check/", views.achievement_check, name="achievement_check"),
    path("clients/<int:pk>/offences/", offence_views.OffenceListView.as_view(), name="offence_list"),
    path("clients/<int:pk>/offences/new/", offence_views.OffenceCreateView.as_view(), name="offence_create"),
    path("clients/<int:pk>/custody/new/", offence_views.CustodyCreateView.as_view(), name="custody_create"),
    path("cases/<int:pk>/questionnaire/new/", views.QuestionnaireCreateView.as_view(), name="questionnaire_create"),
    path("cases/<int:pk>/questionnaire/print/", views.QuestionnairePrintView.as_view(), name="questionnaire_print"),
]
