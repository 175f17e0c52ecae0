from django.urls import path

from etage.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.register, name="register"),
    path("demandes/nouvelle/", views.request_create, name="request_create"),
    path("demandes/<int:pk>/", views.request_detail, name="request_detail"),
    path("demandes/<int:pk>/reponse/", views.answer_download, name="answer_download"),
    path("personnes/", views.search, name="search"),
    path("menages/<int:pk>/dossier/", views.person_file, name="person_file"),
    path("menages/<int:pk>/effacement/", views.erase, name="erase"),
    path("situations/<int:pk>/opposition/", views.objection, name="objection"),
    path("oppositions/<int:pk>/levee/", views.objection_lift, name="objection_lift"),
    path("situations/<int:pk>/gel/", views.legal_hold, name="legal_hold"),
    path("gels/<int:pk>/levee/", views.legal_hold_lift, name="legal_hold_lift"),
]
