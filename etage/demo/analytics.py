"""The demo's analytics: fictitious cost parameters, then a snapshot of the demo history and
the indicators computed from it, so that every persona's dashboard has figures."""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal

from etage.analytics.models import CostParameter
from etage.analytics.snapshot import write_snapshot

#: Fictitious annual cost of each level for the whole experiment (demo only).
DEMO_COSTS: dict[str, tuple[Decimal, Decimal]] = {
    "advice": (Decimal("60000"), Decimal("1.0")),
    "coordination": (Decimal("120000"), Decimal("2.0")),
    "agr": (Decimal("240000"), Decimal("4.0")),
}
DEMO_SOURCE = "Démonstration : montant fictif, à remplacer par le budget voté"


@dataclass(frozen=True)
class DemoAnalytics:
    situations: int
    figures: int
    #: Wall time of each step (the web benchmark reports them at national scale).
    snapshot_seconds: float = 0.0
    indicators_seconds: float = 0.0


def demo_cost_parameters(years: range) -> None:
    for year in years:
        for level, (cost, fte) in DEMO_COSTS.items():
            CostParameter.objects.get_or_create(
                year=year,
                level=level,
                territory="",
                defaults={"annual_cost": cost, "fte": fte, "source": DEMO_SOURCE},
            )


def demo_build_analytics() -> DemoAnalytics:
    from etage.analytics.indicators import refresh_indicators

    begun = time.monotonic()
    demo_cost_parameters(range(2019, 2027))
    # Rebuilt whole: the demo history may have been regenerated since the last snapshot.
    report = write_snapshot(full=True)
    snapshot_seconds = time.monotonic() - begun
    begun = time.monotonic()
    computed, _written, _kept = refresh_indicators()
    return DemoAnalytics(
        situations=report.situations,
        figures=computed,
        snapshot_seconds=round(snapshot_seconds, 1),
        indicators_seconds=round(time.monotonic() - begun, 1),
    )
