"""A scale-up scenario as data (issue 10; evaluation.md part E): versioned JSON, validated
into frozen dataclasses with French messages, so that the page, the command
(``etage_simulate SCENARIO.json``) and the tests read the same thing.

Units: time in **months** (a month = 365.25 / 12 days), staff in full-time equivalents
(FTE), costs in euros per year. Format ``etage-scenario/1``::

    {
      "format": "etage-scenario/1",
      "name": "Métropole, tout le parc des trois bailleurs",
      "scale": {"label": "Métropole", "housing_stock": 155000, "source": "…"},
      "identification_rate": 0.012,          # situations identified per dwelling per year
      "hours_per_fte_year": 1607,            # worked hours of one FTE (France)
      "non_case_share": 0.25,                # time not spent on cases (meetings, travel…)
      "orientation": {"staff_fte": 2.0, "hours_per_situation": 3.0},
      "levels": {
        "advice": {"share": 0.5, "duration": {"kind": "exponential", "mean_months": 3},
                   "hours_per_month": 2, "caseload_cap": 60, "staff_fte": 2,
                   "cost_per_fte": 55000},
        "coordination": {…}, "agr": {…}
      },
      "horizon_months": 36, "warmup_months": 12
    }

A duration is ``{"kind": "exponential", "mean_months": m}`` or ``{"kind": "empirical",
"times": [...], "survival": [...]}`` — a Kaplan–Meier curve of the observed supports
(:mod:`etage.analytics.survival`), beyond whose last point the tail is exponential with the
curve's average hazard (see :class:`EmpiricalDuration`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from django.utils.translation import gettext as _

FORMAT = "etage-scenario/1"
DAYS_PER_MONTH = 365.25 / 12
LEVELS = ("advice", "coordination", "agr")


class ScenarioError(ValueError):
    """The scenario file is not valid; the message is French and says where."""


class Duration(Protocol):
    def mean(self) -> float: ...

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray: ...

    def to_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ExponentialDuration:
    mean_months: float

    def mean(self) -> float:
        return self.mean_months

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.exponential(self.mean_months, size)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "exponential", "mean_months": self.mean_months}


@dataclass(frozen=True)
class EmpiricalDuration:
    """Durations drawn from an observed survival curve by inverse transform: a uniform ``u``
    gives the first time the curve falls to ``u`` or below. Supports still running at the
    curve's end (``survival[-1] > 0``) get an exponential tail whose rate is the curve's
    average hazard, ``-ln S(t_end) / t_end``: constant-hazard is the least committal
    extrapolation, and it keeps the mean finite."""

    times: tuple[float, ...]
    survival: tuple[float, ...]

    def _tail_rate(self) -> float:
        last_t, last_s = self.times[-1], self.survival[-1]
        if last_s <= 0 or last_t <= 0:
            return math.inf
        return -math.log(last_s) / last_t

    def mean(self) -> float:
        # Area under the step curve up to its end, plus the tail's S_end / rate.
        area, previous_t, previous_s = 0.0, 0.0, 1.0
        for t, s in zip(self.times, self.survival, strict=True):
            area += previous_s * (t - previous_t)
            previous_t, previous_s = t, s
        rate = self._tail_rate()
        return area + (previous_s / rate if math.isfinite(rate) else 0.0)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        u = rng.random(size)
        times = np.asarray(self.times)
        # The curve is non-increasing: searching -S for -u gives the first S <= u.
        index = np.searchsorted(-np.asarray(self.survival), -u, side="left")
        out = np.empty(size)
        inside = index < len(times)
        out[inside] = times[index[inside]]
        beyond = ~inside
        if beyond.any():
            rate = self._tail_rate()
            extra = rng.exponential(1.0 / rate, int(beyond.sum())) if math.isfinite(rate) else 0.0
            out[beyond] = times[-1] + extra
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "empirical", "times": list(self.times), "survival": list(self.survival)}


@dataclass(frozen=True)
class LevelParams:
    level: str
    share: float
    duration: Duration
    hours_per_month: float
    caseload_cap: int
    staff_fte: float
    cost_per_fte: float


@dataclass(frozen=True)
class Scenario:
    name: str
    scale_label: str
    housing_stock: int
    scale_source: str
    identification_rate: float
    hours_per_fte_year: float
    non_case_share: float
    orientation_fte: float
    orientation_hours: float
    levels: tuple[LevelParams, ...]
    horizon_months: float
    warmup_months: float

    @property
    def arrivals_per_month(self) -> float:
        return self.housing_stock * self.identification_rate / 12

    @property
    def case_hours_per_fte_month(self) -> float:
        """Hours one FTE gives to cases in a month."""
        return self.hours_per_fte_year / 12 * (1 - self.non_case_share)

    def level(self, code: str) -> LevelParams:
        return next(p for p in self.levels if p.level == code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "name": self.name,
            "scale": {
                "label": self.scale_label,
                "housing_stock": self.housing_stock,
                "source": self.scale_source,
            },
            "identification_rate": self.identification_rate,
            "hours_per_fte_year": self.hours_per_fte_year,
            "non_case_share": self.non_case_share,
            "orientation": {
                "staff_fte": self.orientation_fte,
                "hours_per_situation": self.orientation_hours,
            },
            "levels": {
                p.level: {
                    "share": p.share,
                    "duration": p.duration.to_dict(),
                    "hours_per_month": p.hours_per_month,
                    "caseload_cap": p.caseload_cap,
                    "staff_fte": p.staff_fte,
                    "cost_per_fte": p.cost_per_fte,
                }
                for p in self.levels
            },
            "horizon_months": self.horizon_months,
            "warmup_months": self.warmup_months,
        }


def _number(
    data: Mapping[str, Any],
    key: str,
    where: str,
    *,
    low: float = 0.0,
    high: float = math.inf,
    strict_low: bool = False,
) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScenarioError(_("%(field)s: a number is expected.") % {"field": where + key})
    if value < low or (strict_low and value == low) or value > high:
        lower = f"{low:g} < x" if strict_low else f"{low:g} ≤ x"
        allowed = f"{lower} ≤ {high:g}" if math.isfinite(high) else lower
        raise ScenarioError(
            _("%(field)s: %(value)s is out of range (%(allowed)s).")
            % {"field": where + key, "value": f"{value:g}", "allowed": allowed}
        )
    return float(value)


def _mapping(data: Any, key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(value, Mapping):
        raise ScenarioError(_("%(field)s: an object is expected.") % {"field": where + key})
    return value


def _duration(data: Mapping[str, Any], where: str) -> Duration:
    kind = data.get("kind")
    if kind == "exponential":
        return ExponentialDuration(_number(data, "mean_months", where, strict_low=True))
    if kind == "empirical":
        times, survival = data.get("times"), data.get("survival")
        if (
            not isinstance(times, list)
            or not isinstance(survival, list)
            or not times
            or len(times) != len(survival)
        ):
            raise ScenarioError(
                _("%(field)s: two non-empty lists of the same length are expected.")
                % {"field": where + "times, survival"}
            )
        try:
            t = tuple(float(x) for x in times)
            s = tuple(float(x) for x in survival)
        except (TypeError, ValueError) as exc:
            raise ScenarioError(
                _("%(field)s: numbers are expected.") % {"field": where + "times, survival"}
            ) from exc
        if any(not math.isfinite(x) or x < 0 for x in t) or any(
            b <= a for a, b in itertools.pairwise(t)
        ):
            raise ScenarioError(
                _("%(field)s: positive, increasing durations are expected.")
                % {"field": where + "times"}
            )
        if any(not 0 <= x <= 1 for x in s) or any(b > a for a, b in itertools.pairwise(s)):
            raise ScenarioError(
                _("%(field)s: non-increasing probabilities between 0 and 1 are expected.")
                % {"field": where + "survival"}
            )
        return EmpiricalDuration(t, s)
    raise ScenarioError(
        _("%(field)s: “exponential” or “empirical” is expected.") % {"field": where + "kind"}
    )


def scenario_from_dict(data: Any) -> Scenario:
    """Validate a parsed scenario file; raise :class:`ScenarioError` (French) on the first
    problem found."""
    if not isinstance(data, Mapping):
        raise ScenarioError(_("The scenario must be a JSON object."))
    if data.get("format") != FORMAT:
        raise ScenarioError(_("format: “%(format)s” is expected.") % {"format": FORMAT})
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ScenarioError(_("name: the scenario needs a name."))
    scale = _mapping(data, "scale", "")
    orientation = _mapping(data, "orientation", "")
    levels_data = _mapping(data, "levels", "")
    unknown = sorted(set(levels_data) - set(LEVELS))
    if unknown:
        raise ScenarioError(
            _("levels: unknown level %(unknown)s (expected: %(levels)s).")
            % {"unknown": ", ".join(unknown), "levels": ", ".join(LEVELS)}
        )
    levels = []
    for code in LEVELS:
        if code not in levels_data:
            continue
        where = f"levels.{code}."
        level = levels_data[code]
        if not isinstance(level, Mapping):
            raise ScenarioError(
                _("%(field)s: an object is expected.") % {"field": f"levels.{code}"}
            )
        levels.append(
            LevelParams(
                level=code,
                share=_number(level, "share", where, high=1),
                duration=_duration(_mapping(level, "duration", where), f"{where}duration."),
                hours_per_month=_number(level, "hours_per_month", where),
                caseload_cap=int(_number(level, "caseload_cap", where, low=1)),
                staff_fte=_number(level, "staff_fte", where),
                cost_per_fte=_number(level, "cost_per_fte", where),
            )
        )
    if not levels:
        raise ScenarioError(_("levels: at least one support level is expected."))
    total = sum(p.share for p in levels)
    if abs(total - 1) > 1e-6:
        raise ScenarioError(
            _("levels: the orientation shares add up to %(total)s; they must add up to 1.")
            % {"total": f"{total:g}"}
        )
    horizon = _number(data, "horizon_months", "", strict_low=True, high=1200)
    warmup = _number(data, "warmup_months", "", high=horizon)
    if warmup >= horizon:
        raise ScenarioError(_("warmup_months: the warm-up must be shorter than the horizon."))
    label = scale.get("label")
    return Scenario(
        name=name.strip(),
        scale_label=str(label) if isinstance(label, str) else "",
        housing_stock=int(_number(scale, "housing_stock", "scale.", low=1)),
        scale_source=str(scale.get("source") or ""),
        identification_rate=_number(data, "identification_rate", "", high=1),
        hours_per_fte_year=_number(data, "hours_per_fte_year", "", strict_low=True, high=8760),
        non_case_share=_number(data, "non_case_share", "", high=0.95),
        orientation_fte=_number(orientation, "staff_fte", "orientation."),
        orientation_hours=_number(
            orientation, "hours_per_situation", "orientation.", strict_low=True
        ),
        levels=tuple(levels),
        horizon_months=horizon,
        warmup_months=warmup,
    )
