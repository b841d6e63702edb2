from django.urls import path

from . import views

app_name = "contacts"

urlpatterns = [
    path("case/<int:case_pk>/log/", views.ContactCreateView.as_view(), name="contact_create"),
    path("case/<int:case_pk>/missed/", views.contact_missed, name="contact_missed"),
    path("case/<int:case_pk>/", views.CaseContactListView.as_view(), name="case_contacts"),
    path("case/<int:case_pk>/contacts.csv", views.case_contacts_csv, name="case_contacts_csv"),
    path("case/<int:case_pk>/spend/add/", views.SupportSpendCreateView.as_view(), name="spend_create"),
    path("case/<int:case_pk>/goals/add/", views.GoalCreateView.as_view(), name="goal_create"),
    path("<int:pk>/", views.ContactUpdateView.as_view(), name="contact_update"),
    path("goals/<int:pk>/", views.GoalUpdateView.as_view(), name="goal_update"),
    path("group/", views.GroupSessionCreateView.as_view(), name="group_session_create"),
]
