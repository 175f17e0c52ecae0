from django.urls import include, path

from etage.core.admin_site import admin_site

urlpatterns = [
    path("", include("etage.core.urls")),
    path("compte/", include("etage.accounts.urls")),
    path("situations/", include("etage.situations.urls")),
    path("situations/", include("etage.procedures.urls")),
    path("situations/", include("etage.support.urls")),
    path("signalements/", include("etage.intake.urls")),
    path("reperage/", include("etage.alerts.urls")),
    path("imports/", include("etage.intake.arrears.urls")),
    path("reunions/", include("etage.meetings.urls")),
    path("mon-travail/", include("etage.worklist.urls")),
    path("notifications/", include("etage.notifications.urls")),
    path("protection/", include("etage.privacy.urls")),
    path("acces-urgence/", include("etage.breakglass.urls")),
    path("rapprochement/", include("etage.linkage.urls")),
    path("", include("etage.analytics.urls")),
    path("evaluation/", include("etage.evaluation.urls")),
    path("evaluation/", include("etage.scenarios.urls")),
    path("territoires/", include("etage.territories.urls")),
    path("administration/", admin_site.urls),
    path("api/", include("etage.api.urls")),
]
