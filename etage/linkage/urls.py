from django.urls import path

from etage.linkage import views

app_name = "linkage"
urlpatterns = [
    path("", views.review_queue, name="queue"),
    path("<int:pk>/decision/", views.review_decide, name="decide"),
    path("fusions/", views.merge_history, name="merges"),
    path("fusions/situation/<int:situation_pk>/", views.merge_start, name="merge_start"),
    path("fusions/<int:pk>/annulation/", views.merge_undo, name="merge_undo"),
]
