from django.urls import path

from etage.worklist import views

app_name = "worklist"
urlpatterns = [
    path("", views.index, name="index"),
]
