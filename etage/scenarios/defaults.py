"""A new scenario's starting point: working hypotheses for what the platforms have not
measured (hours, caps, costs — to be replaced by the project's own figures) and, when the
snapshot is there, the support durations they observed. Staff start at what the analytical
check says is needed (plus 15 %), so that a new scenario opens feasible."""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext as _

from etage.scenarios.analytic import fte_for
from etage.scenarios.models import ContextFigure
from etage.scenarios.params import FORMAT, ExponentialDuration, scenario_from_dict

#: Working hypotheses per level (share of orientations, mean months, hours a month, cap,
#: annual cost of one FTE). Shares and durations are replaced by observed ones when known.
HYPOTHESES: dict[str, dict[str, float]] = {
    "advice": {"share": 0.45, "mean": 3, "hours": 1.5, "cap": 80, "cost": 52000},
    "coordination": {"share": 0.35, "mean": 8, "hours": 3, "cap": 40, "cost": 55000},
    "agr": {"share": 0.2, "mean": 14, "hours": 6, "cap": 20, "cost": 58000},
}
IDENTIFICATION_RATE = 0.012


def _half_up(value: float) -> float:
    return math.ceil(value * 2) / 2


def starting_parameters(
    name: str, scale: ContextFigure, observed: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``observed``: {level: ObservedDuration} from :func:`.observed.support_durations`."""
    levels: dict[str, Any] = {}
    for code, h in HYPOTHESES.items():
        duration: dict[str, Any] = ExponentialDuration(h["mean"]).to_dict()
        if observed and code in observed:
            duration = observed[code].duration.to_dict()
        levels[code] = {
            "share": h["share"],
            "duration": duration,
            "hours_per_month": h["hours"],
            "caseload_cap": int(h["cap"]),
            "staff_fte": 1,
            "cost_per_fte": h["cost"],
        }
    parameters: dict[str, Any] = {
        "format": FORMAT,
        "name": name,
        "scale": {
            "label": scale.label,
            "housing_stock": int(scale.value),
            "source": scale.source,
        },
        "identification_rate": IDENTIFICATION_RATE,
        "hours_per_fte_year": 1607,
        "non_case_share": 0.3,
        "orientation": {"staff_fte": 1, "hours_per_situation": 3},
        "levels": levels,
        "horizon_months": 48,
        "warmup_months": 24,
    }
    scenario = scenario_from_dict(parameters)
    for level in scenario.levels:
        caseload = scenario.arrivals_per_month * level.share * level.duration.mean()
        levels[level.level]["staff_fte"] = max(
            0.5, _half_up(1.15 * fte_for(scenario, level, caseload))
        )
    orientation_hours = scenario.arrivals_per_month * scenario.orientation_hours
    parameters["orientation"]["staff_fte"] = max(
        0.5, _half_up(1.3 * orientation_hours / scenario.case_hours_per_fte_month)
    )
    return scenario_from_dict(parameters).to_dict()


def durations_label(observed: dict[str, Any] | None, fingerprint: str) -> str:
    if not observed:
        return _("Working hypotheses (no snapshot)")
    return _("Observed by the platforms (snapshot of %(month)s)") % {"month": fingerprint}
