from django.urls import path

from etage.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.index, name="index"),
    path("preferences/", views.preferences, name="preferences"),
    path("tout-lu/", views.mark_all_read, name="mark_all_read"),
    path("<int:pk>/", views.open_notification, name="open"),
    path("<int:pk>/lue/", views.mark_read, name="mark_read"),
]
