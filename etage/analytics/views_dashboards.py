"""Indicator dashboards (issue 8): one page per role's scope, the definition of each
indicator, the territory comparison and the CSV/XLSX exports of exactly what is shown.

Every view starts with :func:`~.scope.require_dashboard` (403 for roles without analytics)
and reads only the stored indicator rows of the territories in scope.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from etage.analytics import tables
from etage.analytics.catalogue import BY_CODE, CATALOGUE, DIMENSIONS, FAMILIES
from etage.analytics.models import IndicatorValue
from etage.analytics.scope import AnalyticsScope, require_dashboard
from etage.core.exports import csv_response, xlsx_response
from etage.territories.models import Territory


def _territories(scope: AnalyticsScope) -> list[str]:
    """Territory codes the user may choose ("" = all territories together, evaluators only)."""
    if not scope.all_territories:
        return sorted(scope.territories)
    # The territories with stored figures: one index probe per territory, not a DISTINCT over
    # every stored figure (hundreds of thousands of rows at a metropolis's scale).
    stored = Territory.objects.filter(
        Exists(IndicatorValue.objects.filter(territory=OuterRef("code")))
    ).values_list("code", flat=True)
    return ["", *sorted(stored)]


def _years(territories: list[str]) -> tuple[list[str], str]:
    """Years with figures (latest first) and the default one: the last year situations were
    identified in (later years may only hold supports still running)."""
    rows = (
        IndicatorValue.objects.filter(territory__in=territories, dimension="all")
        .values_list("code", "period")
        .distinct()
    )
    years = sorted({p for _c, p in rows if len(p) == 4}, reverse=True)
    identified = [p for c, p in rows if c == "identified" and len(p) == 4]
    return years, max(identified) if identified else (years[0] if years else "")


class DashboardForm(forms.Form):
    annee = forms.ChoiceField(label=gettext_lazy("Year"), required=False)
    territoire = forms.ChoiceField(label=gettext_lazy("Territory"), required=False)
    ventilation = forms.ChoiceField(label=gettext_lazy("Breakdown"), required=False)

    def __init__(self, *args: Any, years: list[str], territories: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [(y, y) for y in years]  # type: ignore[attr-defined]
        territory_choices = [(t, t or _("All territories")) for t in territories]
        self.fields["territoire"].choices = territory_choices  # type: ignore[attr-defined]
        self.fields["ventilation"].choices = list(DIMENSIONS.items())  # type: ignore[attr-defined]

    def choice(self, name: str, default: str) -> str:
        if self.is_valid():
            value = self.cleaned_data.get(name)
            if value:
                return str(value)
        return default


def _selection(request: HttpRequest, scope: AnalyticsScope) -> tuple[DashboardForm, str, str, str]:
    territories = _territories(scope)
    years, default_year = _years(territories)
    form = DashboardForm(request.GET or None, years=years, territories=territories)
    year = form.choice("annee", default_year)
    territory = form.choice("territoire", territories[0] if territories else "")
    if request.GET.get("territoire") == "" and "" in territories:
        territory = ""
    dimension = form.choice("ventilation", "all")
    if not form.is_bound:
        form = DashboardForm(
            {"annee": year, "territoire": territory, "ventilation": dimension},
            years=years,
            territories=territories,
        )
    return form, year, territory, dimension


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = require_dashboard(request.user)
    form, year, territory, dimension = _selection(request, scope)
    board = (
        tables.dashboard(scope, year=year, territory=territory, dimension=dimension)
        if year and scope.may_see(territory)
        else None
    )
    return render(
        request,
        "analytics/dashboard.html",
        {
            "form": form,
            "board": board,
            "scope": scope,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    scope = require_dashboard(request.user)
    _form, year, territory, dimension = _selection(request, scope)
    if not scope.may_see(territory):
        raise Http404
    # No figure yet: the file holds the header only, as the page shows no table.
    header, rows = tables.export_rows(
        tables.dashboard(scope, year=year, territory=territory, dimension=dimension)
        if year
        else None
    )
    name = f"indicateurs-{territory or 'tous'}-{year}-{dimension}"
    if fmt == "csv":
        return csv_response(f"{name}.csv", header, rows)
    return xlsx_response(f"{name}.xlsx", _("Indicators"), header, rows)


@login_required
def definitions(request: HttpRequest) -> HttpResponse:
    require_dashboard(request.user)
    families = [
        (label, [i for i in CATALOGUE if i.family == family]) for family, label in FAMILIES.items()
    ]
    return render(request, "analytics/indicator_list.html", {"families": families})


@login_required
def definition(request: HttpRequest, code: str) -> HttpResponse:
    require_dashboard(request.user)
    indicator = BY_CODE.get(code)
    if indicator is None:
        raise Http404
    return render(
        request,
        "analytics/indicator_detail.html",
        {
            "indicator": indicator,
            "family": FAMILIES[indicator.family],
            "breakdowns": [DIMENSIONS[d] for d in indicator.breakdowns],
        },
    )


class ComparisonForm(forms.Form):
    annee = forms.ChoiceField(label=gettext_lazy("Year"), required=False)
    famille = forms.ChoiceField(label=gettext_lazy("Family of indicators"), required=False)


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    scope = require_dashboard(request.user)
    territories = [t for t in _territories(scope) if t]
    years, default_year = _years(territories)
    form = ComparisonForm(request.GET or None)
    form.fields["annee"].choices = [(y, y) for y in years]  # type: ignore[attr-defined]
    form.fields["famille"].choices = list(FAMILIES.items())  # type: ignore[attr-defined]
    year = default_year
    family = next(iter(FAMILIES))
    if form.is_valid():
        year = form.cleaned_data["annee"] or year
        family = form.cleaned_data["famille"] or family
    else:
        form = ComparisonForm({"annee": year, "famille": family})
        form.fields["annee"].choices = [(y, y) for y in years]  # type: ignore[attr-defined]
        form.fields["famille"].choices = list(FAMILIES.items())  # type: ignore[attr-defined]
    result = (
        tables.comparison(scope, year=year, family=family, territories=territories)
        if year
        else None
    )
    return render(
        request,
        "analytics/dashboard_compare.html",
        {"form": form, "comparison": result, "family_label": FAMILIES[family]},
    )
