from django.urls import path

from etage.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.my_referrals, name="my_referrals"),
    path("nouveau/", views.referral_create, name="referral_create"),
]
