"""URL patterns of the evaluation workspace: the report (see urls.py)."""

from __future__ import annotations

from django.urls import path

from etage.evaluation import views_report as v

_P = "projets/<int:project_pk>/"

urlpatterns = [
    path(f"{_P}rapport/", v.report, name="report"),
    path(f"{_P}rapport/telecharger/<slug:fmt>/", v.report_download, name="report_download"),
    path(f"{_P}rapport/donnees/", v.report_bundle, name="report_bundle"),
]
