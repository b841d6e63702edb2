from django.urls import path

from . import appointment_views, calendar_views, views

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
    path("case/<int:case_pk>/book/", appointment_views.AppointmentCreateView.as_view(), name="appointment_create"),
    path("appointments/<int:pk>/", appointment_views.AppointmentUpdateView.as_view(), name="appointment_update"),
    path("appointments/<int:pk>/cancel/", appointment_views.appointment_cancel, name="appointment_cancel"),
    path("appointments/<int:pk>/missed/", appointment_views.appointment_missed, name="appointment_missed"),
    path("calendar/", calendar_views.calendar_feed_page, name="calendar_feed"),
    path("calendar/new/", calendar_views.calendar_feed_create, name="calendar_feed_create"),
    path("calendar/revoke/", calendar_views.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("group/", views.GroupSessionCreateView.as_view(), name="group_session_create"),
]
