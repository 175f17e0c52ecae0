"""Sensitivity of a scenario's outcome to its main parameters: the tornado chart
(evaluation.md part E). Each parameter is moved down and up by the same relative step
(±20 % by default) with the others at their base value; the bars are sorted by swing.

The outcome is a function of a scenario: the analytical staff need (instant), or a simulated
figure — with the **same seed** for every variant (common random numbers), so that the bars
show the parameter's effect rather than sampling noise.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from etage.scenarios.analytic import check
from etage.scenarios.params import Scenario, scenario_from_dict
from etage.scenarios.simulation import simulate


def _scale_levels(key: str) -> Callable[[dict[str, Any], float], None]:
    def apply(data: dict[str, Any], factor: float) -> None:
        for level in data["levels"].values():
            level[key] = level[key] * factor

    return apply


def _scale_durations(data: dict[str, Any], factor: float) -> None:
    for level in data["levels"].values():
        duration = level["duration"]
        if duration["kind"] == "exponential":
            duration["mean_months"] *= factor
        else:
            duration["times"] = [t * factor for t in duration["times"]]


def _scale(key: str, ceiling: float | None = None) -> Callable[[dict[str, Any], float], None]:
    def apply(data: dict[str, Any], factor: float) -> None:
        value = data[key] * factor
        data[key] = min(value, ceiling) if ceiling is not None else value

    return apply


def _scale_orientation(data: dict[str, Any], factor: float) -> None:
    data["orientation"]["staff_fte"] *= factor


#: (key, label, how to move it by a factor).
PARAMETERS: tuple[tuple[str, Promise, Callable[[dict[str, Any], float], None]], ...] = (
    ("identification_rate", _("Identification rate"), _scale("identification_rate", 1.0)),
    ("durations", _("Support durations"), _scale_durations),
    ("hours_per_month", _("Worker hours per situation"), _scale_levels("hours_per_month")),
    ("staff_fte", _("Staff per level"), _scale_levels("staff_fte")),
    ("non_case_share", _("Non-case time"), _scale("non_case_share", 0.95)),
    ("orientation_fte", _("Orientation staff"), _scale_orientation),
)


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    low: float
    high: float
    base: float

    @property
    def swing(self) -> float:
        return abs(self.high - self.low)


def vary(scenario: Scenario, key: str, factor: float) -> Scenario:
    """``scenario`` with one parameter of :data:`PARAMETERS` multiplied by ``factor``."""
    data = copy.deepcopy(scenario.to_dict())
    for name, _label, apply in PARAMETERS:
        if name == key:
            apply(data, factor)
            return scenario_from_dict(data)
    raise KeyError(key)


def tornado(
    scenario: Scenario, outcome: Callable[[Scenario], float], *, step: float = 0.2
) -> list[Bar]:
    base = outcome(scenario)
    bars = [
        Bar(
            key=key,
            label=str(label),
            low=outcome(vary(scenario, key, 1 - step)),
            high=outcome(vary(scenario, key, 1 + step)),
            base=base,
        )
        for key, label, _apply in PARAMETERS
    ]
    return sorted(bars, key=lambda bar: (-bar.swing, bar.key))


def fte_needed(scenario: Scenario) -> float:
    """Outcome: staff needed for the steady-state caseload (analytical, instant)."""
    return check(scenario).fte_needed


def simulated_wait(replications: int, seed: int) -> Callable[[Scenario], float]:
    """Outcome: the simulated mean wait for a support place (months), averaged over the
    levels weighted by their shares, with common random numbers."""

    def outcome(scenario: Scenario) -> float:
        result = simulate(scenario, replications, seed)
        return sum(p.share * result.wait[p.level].mean for p in scenario.levels)

    return outcome
