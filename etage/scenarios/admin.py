"""The context figures of the scenarios (housing stocks of each scale, national figures) are
configuration: administrators keep them up to date with their sources."""

from __future__ import annotations

from django.contrib import admin

from etage.core.admin_site import admin_site
from etage.scenarios.models import ContextFigure


class ContextFigureAdmin(admin.ModelAdmin[ContextFigure]):
    list_display = ("label", "value", "unit", "year", "is_scale")
    list_filter = ("is_scale",)
    search_fields = ("label", "source")
    exclude = ("version",)


admin_site.register(ContextFigure, ContextFigureAdmin)
