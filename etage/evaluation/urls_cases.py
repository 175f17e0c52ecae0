"""URL patterns of the evaluation workspace: case studies (see urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from etage.evaluation import views_cases as v
from etage.evaluation import views_cases_matrices as m

_P = "projets/<int:project_pk>/"

urlpatterns: list[URLPattern] = [
    path(f"{_P}cas/", v.cases, name="cases"),
    path(f"{_P}cas/tirage/", v.case_draw, name="case_draw"),
    path(f"{_P}cas/tirages/<int:pk>/verifier/", v.case_draw_verify, name="case_draw_verify"),
    path(f"{_P}cas/croise/", m.cross_case, name="cross_case"),
    path(f"{_P}cas/croise/cellule/", m.cross_case_cell, name="cross_case_cell"),
    path(f"{_P}cas/<int:pk>/", v.case, name="case"),
    path(f"{_P}cas/<int:pk>/synthese/", v.case_summary, name="case_summary"),
    path(f"{_P}cas/<int:pk>/entretiens/rattacher/", v.case_attach, name="case_attach"),
    path(f"{_P}cas/entretiens/<int:pk>/detacher/", v.case_detach, name="case_detach"),
    path(f"{_P}cas/<int:pk>/epingles/", v.case_pin, name="case_pin"),
    path(f"{_P}cas/epingles/<int:pk>/retirer/", v.case_unpin, name="case_unpin"),
    path(f"{_P}cas/<int:pk>/triangulation/", m.case_triangulation, name="case_triangulation"),
    path(
        f"{_P}cas/<int:pk>/triangulation/cellule/",
        m.case_triangulation_cell,
        name="case_triangulation_cell",
    ),
]
