from django.urls import path

from etage.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.candidate_list, name="candidate_list"),
    path("<int:pk>/situation/", views.candidate_convert_view, name="candidate_convert"),
    path("<int:pk>/ecarter/", views.candidate_dismiss_view, name="candidate_dismiss"),
]
