"""URL patterns of the evaluation workspace: retrieval, matrices and the exchange of coded
material (see urls.py)."""

from __future__ import annotations

from django.urls import path

from etage.evaluation import views_retrieval as v

_P = "projets/<int:project_pk>/"

urlpatterns = [
    path(f"{_P}extraits/", v.retrieval, name="retrieval"),
    path(f"{_P}extraits/csv/", v.segments_csv, name="segments_csv"),
    path(f"{_P}extraits/xlsx/", v.segments_xlsx, name="segments_xlsx"),
    path(f"{_P}extraits/docx/", v.segments_docx, name="segments_docx"),
    path(f"{_P}matrices/codes-attributs/", v.code_matrix, name="code_matrix"),
    path(f"{_P}matrices/cooccurrences/", v.cooccurrence, name="cooccurrence"),
    path(f"{_P}export-refi-qda/", v.project_qdpx, name="project_qdpx"),
]
