"""URL patterns of the evaluation workspace: the codebook (see urls.py)."""

from __future__ import annotations

from django.urls import path

from etage.evaluation import views_codebook as v

_P = "projets/<int:project_pk>/livre-de-codes/"

urlpatterns = [
    path(_P, v.codebook, name="codebook"),
    path(f"{_P}nouveau/", v.code_create, name="code_create"),
    path(f"{_P}historique/", v.codebook_history, name="codebook_history"),
    path(f"{_P}exporter/", v.codebook_qdc, name="codebook_qdc"),
    path(f"{_P}importer/", v.codebook_import, name="codebook_import"),
    path(f"{_P}<int:pk>/modifier/", v.code_edit, name="code_edit"),
    path(f"{_P}<int:pk>/historique/", v.code_history, name="code_history"),
    path(f"{_P}<int:pk>/fusionner/", v.code_merge, name="code_merge"),
    path(f"{_P}<int:pk>/scinder/", v.code_split, name="code_split"),
]
