from django.urls import path

from etage.breakglass import views

app_name = "breakglass"
urlpatterns = [
    path("", views.open_access, name="open"),
    path("registre/", views.register, name="register"),
]
