"""Scenario pages, under an evaluation project (``/evaluation/projets/<id>/scenarios/``)."""

from __future__ import annotations

from django.urls import path

from etage.scenarios import views

app_name = "scenarios"

_P = "projets/<int:project_pk>/scenarios/"

urlpatterns = [
    path(_P, views.scenario_list, name="list"),
    path(f"{_P}importer/", views.scenario_upload, name="upload"),
    path(f"{_P}prospective/", views.prospective, name="prospective"),
    path(f"{_P}<int:pk>/", views.scenario_detail, name="detail"),
    path(f"{_P}<int:pk>/hypotheses/", views.scenario_combine, name="combine"),
    path(f"{_P}<int:pk>/scenario.json", views.scenario_json, name="json"),
    path(f"{_P}<int:pk>/executer/", views.run_start, name="run_start"),
    path(f"{_P}executions/<int:pk>/", views.run_detail, name="run"),
    path(f"{_P}executions/<int:pk>/export.<str:fmt>", views.run_export, name="run_export"),
]
