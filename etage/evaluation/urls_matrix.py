"""URL patterns of the evaluation workspace: the evaluation matrix and the logic model."""

from __future__ import annotations

from django.urls import path

from etage.evaluation import views_matrix as v

_P = "projets/<int:project_pk>/"

urlpatterns = [
    path(f"{_P}matrice/", v.matrix, name="matrix"),
    path(f"{_P}matrice/questions/nouvelle/", v.question_create, name="question_create"),
    path(f"{_P}matrice/questions/<int:pk>/", v.question, name="question"),
    path(f"{_P}matrice/questions/<int:pk>/modifier/", v.question_edit, name="question_edit"),
    path(f"{_P}matrice/questions/<int:pk>/supprimer/", v.question_delete, name="question_delete"),
    path(
        f"{_P}matrice/recommandations/nouvelle/",
        v.recommendation_create,
        name="recommendation_create",
    ),
    path(
        f"{_P}matrice/recommandations/<int:pk>/modifier/",
        v.recommendation_edit,
        name="recommendation_edit",
    ),
    path(
        f"{_P}matrice/recommandations/<int:pk>/supprimer/",
        v.recommendation_delete,
        name="recommendation_delete",
    ),
    path(f"{_P}modele-logique/", v.logic_model_page, name="logic_model"),
    path(f"{_P}modele-logique/nouveau/", v.logic_node_create, name="logic_node_create"),
    path(f"{_P}modele-logique/<int:pk>/modifier/", v.logic_node_edit, name="logic_node_edit"),
    path(f"{_P}modele-logique/<int:pk>/supprimer/", v.logic_node_delete, name="logic_node_delete"),
]
