from django.urls import path

from . import allocation_views, views

app_name = "mentors"

urlpatterns = [
    path("", views.MentorListView.as_view(), name="mentor_list"),
    path("new/", views.MentorCreateView.as_view(), name="mentor_create"),
    path("<int:pk>/", views.MentorDetailView.as_view(), name="mentor_detail"),
    path("<int:pk>/edit/", views.MentorUpdateView.as_view(), name="mentor_update"),
    path("<int:pk>/training/new/", views.TrainingCreateView.as_view(), name="training_create"),
    path("<int:pk>/supervision/new/", views.SupervisionCreateView.as_view(), name="supervision_create"),
    path("<int:pk>/progression/new/", views.ProgressionCreateView.as_view(), name="progression_create"),
    path("<int:pk>/reallocate/", views.MentorReallocateView.as_view(), name="mentor_reallocate"),
    path("<int:pk>/dbs-status/check/", views.dbs_status_check, name="dbs_status_check"),
    path("<int:pk>/dbs-status/review/", views.dbs_status_review, name="dbs_status_review"),
    path("allocation/", allocation_views.AllocationBoardView.as_view(), name="allocation_board"),
    path("allocation/propose/", allocation_views.ProposalView.as_view(), name="allocation_proposal"),
    path("allocation/case/<int:pk>/", allocation_views.AllocateView.as_view(), name="allocate"),
    path("allocation/<int:pk>/end/", allocation_views.AllocationEndView.as_view(), name="allocation_end"),
]
