from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from etage.api import views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("v1/arrears-batches/", views.ArrearsBatchListView.as_view(), name="arrears_batches"),
    path(
        "v1/arrears-batches/<int:pk>/",
        views.ArrearsBatchDetailView.as_view(),
        name="arrears_batch",
    ),
    path("v1/signals/", views.SignalListView.as_view(), name="signals"),
    path("v1/referrals/", views.ReferralListView.as_view(), name="referrals"),
    path("v1/referrals/<int:pk>/", views.ReferralDetailView.as_view(), name="referral"),
    re_path(r"^.*$", views.not_found),
]
