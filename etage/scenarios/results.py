"""One run of a scenario as JSON: the analytical check and the simulation, in the shape the
command prints, the page stores and the exports write."""

from __future__ import annotations

import math
from typing import Any

from etage.scenarios.analytic import AnalyticResult
from etage.scenarios.simulation import SimulationResult


def _finite(value: float) -> float | None:
    """JSON has no infinity: an unbounded wait or an unstable queue is ``null``."""
    return value if math.isfinite(value) else None


def analytic_to_dict(result: AnalyticResult) -> dict[str, Any]:
    return {
        "arrivals_per_month": result.arrivals_per_month,
        "caseload": result.caseload,
        "fte_needed": result.fte_needed,
        "fte_available": result.fte_available,
        "annual_cost": result.annual_cost,
        "orientation": {
            "capacity_per_month": result.orientation.capacity_per_month,
            "utilisation": _finite(result.orientation.utilisation),
            "mean_wait_months": _finite(result.orientation.mean_wait_months),
        },
        "levels": {
            level.level: {
                "arrivals_per_month": level.arrivals_per_month,
                "mean_duration_months": level.mean_duration_months,
                "caseload": level.caseload,
                "places": level.places,
                "fte_needed": level.fte_needed,
                "fte_available": level.fte_available,
                "utilisation": _finite(level.utilisation),
                "wait_probability": level.wait_probability,
                "mean_wait_months": _finite(level.mean_wait_months),
                "annual_cost": level.annual_cost,
            }
            for level in result.levels
        },
        "warnings": list(result.warnings),
    }


def run_to_dict(
    scenario_dict: dict[str, Any], analytic: AnalyticResult, simulation: SimulationResult | None
) -> dict[str, Any]:
    return {
        "scenario": scenario_dict,
        "analytic": analytic_to_dict(analytic),
        "simulation": simulation.to_dict() if simulation is not None else None,
    }
