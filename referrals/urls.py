from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("", views.ReferralListView.as_view(), name="referral_list"),
    path("new/", views.ReferralCreateView.as_view(), name="referral_create"),
    path("<int:pk>/", views.ReferralDetailView.as_view(), name="referral_detail"),
    path("<int:pk>/decide/", views.ReferralDecideView.as_view(), name="referral_decide"),
]
