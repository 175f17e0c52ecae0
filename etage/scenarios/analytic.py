"""The instant check of a scenario (evaluation.md part E), before any simulation:

- **Little's law**: the steady-state caseload of a level is its arrival rate times the mean
  duration of its supports (L = λW), whatever the duration's distribution;
- **Erlang C** for the wait before a support starts: a level is a queue with ``c`` places
  (what its staff can carry: the caseload cap, or the hours they give to cases, whichever is
  smaller); with Poisson arrivals the probability of waiting and the mean wait follow. Exact
  for exponential durations (M/M/c); for other durations an approximation;
- orientation (the coordinators' first assessment) as one desk (M/M/1) whose service rate is
  the coordinators' case hours over the hours one orientation takes.

From these: staff needed (FTE), cost, and warnings when a level is saturated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from etage.scenarios.params import LevelParams, Scenario
from etage.situations.choices import Level


def level_label(code: str) -> str:
    return str(Level(code).label) if code in Level.values else code


def erlang_c(offered_load: float, servers: int) -> float:
    """Probability that an arrival waits in an M/M/c queue with ``servers`` places and
    ``offered_load`` = λ/μ (in erlangs); 1.0 when the queue is unstable (load ≥ servers).

    Computed through the Erlang B recursion, B(k) = aB(k−1) / (k + aB(k−1)), which stays
    stable for tens of thousands of servers where factorials overflow; then
    C = cB / (c − a(1 − B))."""
    if servers <= 0 or offered_load >= servers:
        return 1.0
    if offered_load <= 0:
        return 0.0
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
    return servers * b / (servers - offered_load * (1 - b))


def erlang_c_wait(arrival_rate: float, mean_service: float, servers: int) -> float:
    """Mean wait in queue (same time unit as ``mean_service``) of an M/M/c queue; ``inf``
    when unstable."""
    load = arrival_rate * mean_service
    if servers <= 0 or load >= servers:
        return math.inf
    if arrival_rate <= 0:
        return 0.0
    return erlang_c(load, servers) * mean_service / (servers - load)


def level_places(scenario: Scenario, level: LevelParams) -> int:
    """Supports a level's staff can carry at once: the caseload cap per FTE, or the case
    hours of its staff over the monthly hours of one support, whichever is smaller."""
    by_cap = level.staff_fte * level.caseload_cap
    if level.hours_per_month > 0:
        by_hours = level.staff_fte * scenario.case_hours_per_fte_month / level.hours_per_month
        return math.floor(min(by_cap, by_hours) + 1e-9)
    return math.floor(by_cap + 1e-9)


def fte_for(scenario: Scenario, level: LevelParams, caseload: float) -> float:
    """Staff needed to carry ``caseload`` supports within both the cap and the hours."""
    per_case = 1 / level.caseload_cap
    if level.hours_per_month > 0:
        per_case = max(per_case, level.hours_per_month / scenario.case_hours_per_fte_month)
    return caseload * per_case


@dataclass(frozen=True)
class LevelCheck:
    level: str
    arrivals_per_month: float
    mean_duration_months: float
    #: Little's law: mean number of supports running at once.
    caseload: float
    places: int
    fte_needed: float
    fte_available: float
    utilisation: float
    wait_probability: float
    mean_wait_months: float
    annual_cost: float

    @property
    def stable(self) -> bool:
        return self.utilisation < 1

    @property
    def label(self) -> str:
        return level_label(self.level)


@dataclass(frozen=True)
class OrientationCheck:
    arrivals_per_month: float
    capacity_per_month: float
    utilisation: float
    mean_wait_months: float


@dataclass(frozen=True)
class AnalyticResult:
    arrivals_per_month: float
    orientation: OrientationCheck
    levels: tuple[LevelCheck, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def caseload(self) -> float:
        return sum(level.caseload for level in self.levels)

    @property
    def fte_needed(self) -> float:
        return sum(level.fte_needed for level in self.levels)

    @property
    def fte_available(self) -> float:
        return sum(level.fte_available for level in self.levels)

    @property
    def annual_cost(self) -> float:
        return sum(level.annual_cost for level in self.levels)


#: A level where this share of situations waits for a place is warned about, before it
#: saturates (with many places a level can run at 90 % with almost no wait; with few, 70 %
#: already makes most wait: the probability says it, the utilisation does not).
WAIT_WARNING = 0.2


def check(scenario: Scenario) -> AnalyticResult:
    arrivals = scenario.arrivals_per_month
    warnings: list[str] = []

    capacity = scenario.orientation_fte * scenario.case_hours_per_fte_month
    capacity /= scenario.orientation_hours
    if capacity <= 0 or arrivals >= capacity:
        orientation_wait, orientation_use = (
            math.inf,
            math.inf if capacity <= 0 else arrivals / capacity,
        )
        warnings.append(
            _(
                "Orientation is saturated: %(arrivals)s situations a month for a capacity of "
                "%(capacity)s; the queue grows without end."
            )
            % {"arrivals": f"{arrivals:.1f}", "capacity": f"{capacity:.1f}"}
        )
    else:
        orientation_use = arrivals / capacity
        orientation_wait = orientation_use / (capacity - arrivals)
    orientation = OrientationCheck(arrivals, capacity, orientation_use, orientation_wait)

    levels = []
    for params in scenario.levels:
        rate = arrivals * params.share
        mean = params.duration.mean()
        caseload = rate * mean
        places = level_places(scenario, params)
        utilisation = caseload / places if places else (math.inf if caseload else 0.0)
        wait = erlang_c_wait(rate, mean, places)
        check_ = LevelCheck(
            level=params.level,
            arrivals_per_month=rate,
            mean_duration_months=mean,
            caseload=caseload,
            places=places,
            fte_needed=fte_for(scenario, params, caseload),
            fte_available=params.staff_fte,
            utilisation=utilisation,
            wait_probability=erlang_c(caseload, places),
            mean_wait_months=wait,
            annual_cost=params.staff_fte * params.cost_per_fte,
        )
        levels.append(check_)
        values = {
            "level": level_label(params.level),
            "caseload": f"{caseload:.0f}",
            "places": places,
            "fte": f"{check_.fte_needed:.1f}",
        }
        if not check_.stable:
            warnings.append(
                _(
                    "Level %(level)s is saturated: %(caseload)s supports at once for "
                    "%(places)s places; %(fte)s FTE are needed."
                )
                % values
            )
        elif check_.wait_probability >= WAIT_WARNING:
            warnings.append(
                _(
                    "Level %(level)s: %(probability)s %% of situations wait for a place, "
                    "%(wait)s months on average."
                )
                % {
                    "level": level_label(params.level),
                    "probability": f"{100 * check_.wait_probability:.0f}",
                    "wait": f"{wait:.1f}",
                }
            )
    return AnalyticResult(arrivals, orientation, tuple(levels), tuple(warnings))
