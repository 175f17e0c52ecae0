"""URLs of the evaluation workspace (``/evaluation/``). Each part keeps its patterns in its own
module; every project page takes the project's pk as ``project_pk``."""

from __future__ import annotations

from django.urls import path

from etage.evaluation import (
    urls_cases,
    urls_codebook,
    urls_coding,
    urls_interviews,
    urls_matrix,
    urls_report,
    urls_retrieval,
    urls_workshops,
    views_projects,
)

app_name = "evaluation"

urlpatterns = [
    path("", views_projects.index, name="index"),
    path("projets/<int:project_pk>/", views_projects.project, name="project"),
    path("projets/<int:project_pk>/membres/", views_projects.members, name="members"),
    path(
        "projets/<int:project_pk>/membres/<int:pk>/retirer/",
        views_projects.member_remove,
        name="member_remove",
    ),
    *urls_interviews.urlpatterns,
    *urls_codebook.urlpatterns,
    *urls_coding.urlpatterns,
    *urls_cases.urlpatterns,
    *urls_workshops.urlpatterns,
    *urls_matrix.urlpatterns,
    *urls_report.urlpatterns,
    *urls_retrieval.urlpatterns,
]
