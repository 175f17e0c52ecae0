from django.urls import path

from etage.procedures import views

app_name = "procedures"
urlpatterns = [
    path("<int:pk>/procedure/evenement/", views.event_record, name="event_record"),
    path(
        "<int:pk>/procedure/evenement/<int:event_pk>/correction/",
        views.event_correct,
        name="event_correct",
    ),
    path("<int:pk>/procedure/solde/", views.balance_record, name="balance_record"),
    path("<int:pk>/aides/nouvelle/", views.aid_create, name="aid_create"),
    path("<int:pk>/aides/<int:aid_pk>/", views.aid_update, name="aid_update"),
]
