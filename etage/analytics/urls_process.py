"""Routes of the evaluator's process analytics (part E of issue 8), included by
:mod:`etage.analytics.urls` (mounted at the site root): everything under ``/analyse/``."""

from __future__ import annotations

from django.urls import path

from etage.analytics import views_process as views

urlpatterns = [
    path("analyse/", views.hub, name="process_hub"),
    path("analyse/carte/", views.process_map, name="process_map"),
    path("analyse/variantes/", views.variants, name="variants"),
    path("analyse/variantes/<str:variant>/", views.variant_cases, name="variant_cases"),
    path("analyse/parcours/<str:case_id>/", views.timeline, name="timeline"),
    path("analyse/survie/", views.survival_view, name="survival"),
    path("analyse/conformite/", views.compliance_view, name="compliance"),
    path("analyse/qualite/", views.quality_view, name="quality"),
    path("analyse/typologie/", views.typology_view, name="typology"),
    path("analyse/export/<slug:table>.csv", views.export, name="process_export"),
]
