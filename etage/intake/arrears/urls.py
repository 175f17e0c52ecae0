from django.urls import path

from etage.intake.arrears import views

app_name = "arrears"
urlpatterns = [
    path("", views.import_list, name="list"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/etat/", views.import_status, name="status"),
]
