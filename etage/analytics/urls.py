"""Routes of the analytics app (namespace ``analytics``), mounted at the site root by
config/urls.py: the indicator dashboards under ``/indicateurs/``; the evaluator's process
analytics (part E) add their own prefix below."""

from __future__ import annotations

from django.urls import path

from etage.analytics import views_dashboards as dashboards
from etage.analytics.urls_process import urlpatterns as process_urlpatterns

app_name = "analytics"

urlpatterns = [
    path("indicateurs/", dashboards.dashboard, name="dashboard"),
    path("indicateurs/comparaison/", dashboards.compare, name="compare"),
    path("indicateurs/definitions/", dashboards.definitions, name="definitions"),
    path("indicateurs/definitions/<slug:code>/", dashboards.definition, name="definition"),
    path("indicateurs/export.csv", dashboards.export, {"fmt": "csv"}, name="export_csv"),
    path("indicateurs/export.xlsx", dashboards.export, {"fmt": "xlsx"}, name="export_xlsx"),
    *process_urlpatterns,
]
