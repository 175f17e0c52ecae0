from django.urls import path

from etage.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_index, name="index"),
    path("plateforme/<int:platform_pk>/", views.meeting_list, name="platform"),
    path("plateforme/<int:platform_pk>/nouvelle/", views.meeting_create, name="create"),
    path("plateforme/<int:platform_pk>/calendrier.ics", views.calendar, name="calendar"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/modifier/", views.meeting_edit, name="edit"),
    path("<int:pk>/presences/", views.attendance, name="attendance"),
    path("<int:pk>/ordre-du-jour/ajouter/", views.agenda_add, name="agenda_add"),
    path("<int:pk>/ordre-du-jour/actualiser/", views.agenda_refresh, name="agenda_refresh"),
    path(
        "<int:pk>/ordre-du-jour/<int:item_pk>/monter/",
        views.agenda_move,
        {"direction": "up"},
        name="agenda_up",
    ),
    path(
        "<int:pk>/ordre-du-jour/<int:item_pk>/descendre/",
        views.agenda_move,
        {"direction": "down"},
        name="agenda_down",
    ),
    path(
        "<int:pk>/ordre-du-jour/<int:item_pk>/retirer/",
        views.agenda_withdraw,
        name="agenda_withdraw",
    ),
    path("<int:pk>/ordre-du-jour/<int:item_pk>/decision/", views.decision, name="decision"),
    path("<int:pk>/compte-rendu/<str:version>.<str:fmt>", views.minutes, name="minutes"),
    path("situation/<int:situation_pk>/signaler/", views.flag, name="flag"),
]
