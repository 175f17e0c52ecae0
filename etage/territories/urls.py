from django.urls import path

from etage.territories import views

app_name = "territories"

urlpatterns = [
    path("demarrer/", views.start_checklist, name="checklist"),
]
