from django.urls import path

from etage.support import views

app_name = "support"
urlpatterns = [
    path("<int:pk>/plan/", views.plan, name="plan"),
    path("<int:pk>/plan/objectif/<int:objective_pk>/", views.objective_edit, name="objective_edit"),
    path("<int:pk>/plan/objectif/<int:objective_pk>/action/", views.action_add, name="action_add"),
    path("<int:pk>/plan/action/<int:action_pk>/", views.action_detail, name="action_detail"),
    path("<int:pk>/plan/action/<int:action_pk>/statut/", views.action_status, name="action_status"),
    path("<int:pk>/journal/", views.journal, name="journal"),
    path("<int:pk>/documents/", views.documents, name="documents"),
    path(
        "<int:pk>/documents/<int:document_pk>/telecharger/",
        views.document_download,
        name="document_download",
    ),
    path("<int:pk>/bilans/", views.reviews, name="reviews"),
]
