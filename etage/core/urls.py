from django.conf import settings
from django.urls import path

from etage.core import accessibility, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("accessibilite/", accessibility.statement, name="accessibility"),
    path("journal-des-acces/", views.access_log, name="access_log"),
    path("journal-des-acces/export.csv", views.access_log_export, name="access_log_export"),
]

if settings.ETAGE_BENCHMARK_REFERENCE:
    # Only for the web load benchmark (benchmarks/web.py); unregistered otherwise.
    from etage.core import views_reference

    urlpatterns.append(
        path("banc-de-mesure/reference/", views_reference.reference, name="benchmark_reference")
    )
