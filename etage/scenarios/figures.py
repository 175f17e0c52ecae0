"""Charts of a scenario run, each with the table of its figures (the accessible
alternative, ``templates/analytics/_chart.html``): caseload bands per month and the tornado."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from etage.scenarios.analytic import level_label


def fmt(value: float | None, decimals: int = 1) -> str:
    if value is None:
        return "—"
    return number_format(value, decimals, force_grouping=True)


@dataclass
class BandChart:
    """Supports running at once per month: mean and 90 % band of the replications."""

    chart_id: str
    caption: str
    level: str
    series: list[list[float]]

    @property
    def columns(self) -> list[str]:
        return [_("Month"), _("5th percentile"), _("Mean"), _("95th percentile")]

    @property
    def rows(self) -> list[list[str]]:
        return [
            [str(month), fmt(low, 0), fmt(mean, 1), fmt(high, 0)]
            for month, (low, mean, high) in enumerate(self.series, start=1)
        ]

    def spec(self) -> dict[str, Any]:
        values = [
            {"mois": m, "bas": low, "moyenne": mean, "haut": high}
            for m, (low, mean, high) in enumerate(self.series, start=1)
        ]
        x = {"field": "mois", "type": "quantitative", "title": _("Month")}
        return {
            "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "width": "container",
            "height": 180,
            "data": {"values": values},
            "layer": [
                {
                    "mark": {"type": "area", "opacity": 0.3},
                    "encoding": {
                        "x": x,
                        "y": {"field": "bas", "type": "quantitative", "title": _("Supports")},
                        "y2": {"field": "haut"},
                    },
                },
                {
                    "mark": {"type": "line"},
                    "encoding": {"x": x, "y": {"field": "moyenne", "type": "quantitative"}},
                },
            ],
        }


def band_charts(result: dict[str, Any]) -> list[BandChart]:
    simulation = result.get("simulation") or {}
    return [
        BandChart(
            chart_id=f"file-active-{level}",
            caption=_("%(level)s: supports running at once, mean and 90 %% band")
            % {"level": level_label(level)},
            level=level,
            series=series,
        )
        for level, series in (simulation.get("monthly_caseload") or {}).items()
    ]


@dataclass
class TornadoChart:
    bars: list[dict[str, Any]]
    chart_id: str = "tornado"

    @property
    def caption(self) -> str:
        return _("Sensitivity of the staff needed (FTE) to each parameter moved by ±20 %")

    @property
    def columns(self) -> list[str]:
        return [_("Parameter"), _("At −20 %"), _("Base"), _("At +20 %"), _("Swing")]

    @property
    def rows(self) -> list[list[str]]:
        return [
            [
                bar["label"],
                fmt(bar["low"]),
                fmt(bar["base"]),
                fmt(bar["high"]),
                fmt(abs(bar["high"] - bar["low"])),
            ]
            for bar in self.bars
        ]

    def spec(self) -> dict[str, Any]:
        values = []
        for bar in self.bars:
            for side, value in ((_("−20 %"), bar["low"]), (_("+20 %"), bar["high"])):
                values.append(
                    {"parametre": bar["label"], "variante": side, "ecart": value - bar["base"]}
                )
        return {
            "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "width": "container",
            "height": {"step": 22},
            "data": {"values": values},
            "mark": "bar",
            "encoding": {
                "y": {
                    "field": "parametre",
                    "type": "nominal",
                    "sort": [bar["label"] for bar in self.bars],
                    "title": None,
                },
                "x": {
                    "field": "ecart",
                    "type": "quantitative",
                    "title": _("Change in FTE needed"),
                },
                "color": {"field": "variante", "type": "nominal", "title": None},
            },
        }
