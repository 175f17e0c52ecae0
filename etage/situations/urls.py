from django.urls import path

from etage.households.views import household_edit
from etage.situations import archive_views, views

app_name = "situations"
urlpatterns = [
    path("", views.situation_list, name="list"),
    path("<int:pk>/", views.situation_detail, name="detail"),
    path("<int:pk>/archive/", archive_views.archive_reason, name="archive_reason"),
    path("<int:pk>/etape/<slug:action>/", views.situation_step, name="step"),
    path("<int:pk>/partage/", views.situation_sharing, name="sharing"),
    path("<int:pk>/menage/", household_edit, name="household"),
    path(
        "<int:pk>/evenement/<int:event_pk>/correction/", views.event_correct, name="event_correct"
    ),
    path(
        "<int:pk>/consentement/<int:consent_pk>/retrait/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("<int:pk>/partage/<int:share_pk>/fin/", views.share_revoke, name="share_revoke"),
]
