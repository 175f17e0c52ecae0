"""Discrete-event simulation of a scenario (SimPy), Monte-Carlo replications with fixed seeds
and 90 % bands (evaluation.md part E).

The model, in months:

1. situations are identified as a Poisson process (``Scenario.arrivals_per_month``);
2. each waits for **orientation**: one desk whose service time is exponential with the rate
   the coordinators' case hours allow (as in :mod:`.analytic`);
3. it is oriented to a level by the scenario's mix, waits for a **place** at that level (the
   level's places, :func:`.analytic.level_places`) and is supported for a duration drawn
   from the level's distribution (the observed survival curve, or an exponential);
4. it leaves; its place goes to the next in the level's queue (first come, first served).

Monitors are exact time-weighted averages after the warm-up (not samples): caseload and
queue per level, orientation queue; waits are averaged over the situations whose wait
*started* after the warm-up; utilisation = caseload / places; the backlog is what waits at
the end of the horizon. A monthly series (caseload and queue per level at each month's end)
feeds the band charts.

**Reproducibility.** Replication ``i`` of ``simulate(scenario, n, seed)`` draws from
``Generator(PCG64(SeedSequence(seed).spawn(n)[i]))``: the same seed gives the same numbers
to the digit on every run and machine; replications are independent streams.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import simpy

from etage.scenarios.analytic import level_places
from etage.scenarios.params import Scenario


class _TimeAverage:
    """Time-weighted average of a count that changes by steps, counted from ``start``."""

    def __init__(self, env: simpy.Environment, start: float) -> None:
        self.env, self.start = env, start
        self.value, self.last, self.area = 0, 0.0, 0.0

    def change(self, delta: int) -> None:
        now = self.env.now
        if now > self.start:
            self.area += self.value * (now - max(self.last, self.start))
        self.last = now
        self.value += delta

    def mean(self, end: float) -> float:
        self.change(0)
        span = end - self.start
        return self.area / span if span > 0 else 0.0


@dataclass(frozen=True)
class Replication:
    arrivals: int
    orientation_wait: float
    orientation_queue: float
    #: Per level code.
    caseload: dict[str, float]
    queue: dict[str, float]
    wait: dict[str, float]
    utilisation: dict[str, float]
    backlog: int
    #: Per level, caseload and queue at the end of each month (month 1 … horizon).
    monthly_caseload: dict[str, list[int]]
    monthly_queue: dict[str, list[int]]


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else 0.0


def run_once(scenario: Scenario, rng: np.random.Generator) -> Replication:
    env = simpy.Environment()
    warmup, horizon = scenario.warmup_months, scenario.horizon_months
    codes = [p.level for p in scenario.levels]
    shares = np.array([p.share for p in scenario.levels])
    shares = shares / shares.sum()
    places = {p.level: level_places(scenario, p) for p in scenario.levels}
    resources = {code: simpy.Resource(env, capacity=n) for code, n in places.items() if n > 0}
    capacity = scenario.orientation_fte * scenario.case_hours_per_fte_month
    orientation_rate = capacity / scenario.orientation_hours
    desk = simpy.Resource(env, capacity=1) if orientation_rate > 0 else None

    caseload = {code: _TimeAverage(env, warmup) for code in codes}
    queue = {code: _TimeAverage(env, warmup) for code in codes}
    orientation_queue = _TimeAverage(env, warmup)
    waits: dict[str, list[float]] = {code: [] for code in codes}
    orientation_waits: list[float] = []
    arrivals = 0
    durations = {p.level: p.duration for p in scenario.levels}

    def situation() -> simpy.events.ProcessGenerator:
        arrived = env.now
        orientation_queue.change(+1)
        if desk is None:  # nobody orients: the situation waits until the horizon
            yield env.timeout(math.inf)
        assert desk is not None
        with desk.request() as turn:
            yield turn
            orientation_queue.change(-1)
            if arrived >= warmup:
                orientation_waits.append(env.now - arrived)
            yield env.timeout(rng.exponential(1 / orientation_rate))
        code = codes[int(rng.choice(len(codes), p=shares))]
        oriented = env.now
        queue[code].change(+1)
        resource = resources.get(code)
        if resource is None:
            yield env.timeout(math.inf)
        assert resource is not None
        with resource.request() as place:
            yield place
            queue[code].change(-1)
            if oriented >= warmup:
                waits[code].append(env.now - oriented)
            caseload[code].change(+1)
            yield env.timeout(float(durations[code].sample(rng, 1)[0]))
            caseload[code].change(-1)

    def identify() -> simpy.events.ProcessGenerator:
        nonlocal arrivals
        rate = scenario.arrivals_per_month
        if rate <= 0:
            return
        while True:
            yield env.timeout(rng.exponential(1 / rate))
            arrivals += 1
            env.process(situation())

    monthly_caseload: dict[str, list[int]] = {code: [] for code in codes}
    monthly_queue: dict[str, list[int]] = {code: [] for code in codes}

    def month_ends() -> simpy.events.ProcessGenerator:
        while True:
            yield env.timeout(1)
            for code in codes:
                monthly_caseload[code].append(caseload[code].value)
                monthly_queue[code].append(queue[code].value)

    env.process(identify())
    env.process(month_ends())
    env.run(until=horizon)
    mean_caseload = {code: caseload[code].mean(horizon) for code in codes}
    return Replication(
        arrivals=arrivals,
        orientation_wait=_mean(orientation_waits),
        orientation_queue=orientation_queue.mean(horizon),
        caseload=mean_caseload,
        queue={code: queue[code].mean(horizon) for code in codes},
        wait={code: _mean(waits[code]) for code in codes},
        utilisation={
            code: (mean_caseload[code] / places[code] if places[code] else 0.0) for code in codes
        },
        backlog=orientation_queue.value + sum(queue[code].value for code in codes),
        monthly_caseload=monthly_caseload,
        monthly_queue=monthly_queue,
    )


@dataclass(frozen=True)
class Band:
    """Across replications: mean, its 95 % confidence interval, and the 90 % band (5th and
    95th percentiles) of the replications themselves."""

    mean: float
    ci_low: float
    ci_high: float
    p05: float
    p95: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Band:
        array = np.asarray(values, dtype=float)
        mean = float(array.mean())
        half = 1.96 * float(array.std(ddof=1)) / math.sqrt(len(array)) if len(array) > 1 else 0.0
        p05, p95 = np.percentile(array, [5, 95])
        return cls(mean, mean - half, mean + half, float(p05), float(p95))

    def to_dict(self) -> dict[str, object]:
        return {
            "mean": self.mean,
            "ci95": [self.ci_low, self.ci_high],
            "band90": [self.p05, self.p95],
        }


@dataclass(frozen=True)
class SimulationResult:
    seed: int
    replications: int
    arrivals: Band
    orientation_wait: Band
    caseload: dict[str, Band]
    queue: dict[str, Band]
    wait: dict[str, Band]
    utilisation: dict[str, Band]
    backlog: Band
    #: Per level: per month (p05, mean, p95) of the caseload and of the queue.
    monthly_caseload: dict[str, list[tuple[float, float, float]]]
    monthly_queue: dict[str, list[tuple[float, float, float]]]

    def to_dict(self) -> dict[str, object]:
        def per_level(bands: dict[str, Band]) -> dict[str, dict[str, object]]:
            return {code: band.to_dict() for code, band in bands.items()}

        return {
            "seed": self.seed,
            "replications": self.replications,
            "arrivals": self.arrivals.to_dict(),
            "orientation_wait_months": self.orientation_wait.to_dict(),
            "caseload": per_level(self.caseload),
            "queue": per_level(self.queue),
            "wait_months": per_level(self.wait),
            "utilisation": per_level(self.utilisation),
            "backlog": self.backlog.to_dict(),
            "monthly_caseload": self.monthly_caseload,
            "monthly_queue": self.monthly_queue,
        }


def _monthly(series: list[list[int]]) -> list[tuple[float, float, float]]:
    array = np.asarray(series, dtype=float)
    p05, p95 = np.percentile(array, [5, 95], axis=0)
    mean = array.mean(axis=0)
    return [(float(a), float(b), float(c)) for a, b, c in zip(p05, mean, p95, strict=True)]


def simulate(
    scenario: Scenario,
    replications: int,
    seed: int,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult:
    if replications < 1:
        raise ValueError("replications must be at least 1")
    streams = np.random.SeedSequence(seed).spawn(replications)
    runs = []
    for index, stream in enumerate(streams):
        runs.append(run_once(scenario, np.random.Generator(np.random.PCG64(stream))))
        if progress is not None:
            progress(index + 1, replications)
    codes = [p.level for p in scenario.levels]

    def per_level(attr: str) -> dict[str, Band]:
        return {code: Band.of([getattr(r, attr)[code] for r in runs]) for code in codes}

    return SimulationResult(
        seed=seed,
        replications=replications,
        arrivals=Band.of([r.arrivals for r in runs]),
        orientation_wait=Band.of([r.orientation_wait for r in runs]),
        caseload=per_level("caseload"),
        queue=per_level("queue"),
        wait=per_level("wait"),
        utilisation=per_level("utilisation"),
        backlog=Band.of([r.backlog for r in runs]),
        monthly_caseload={
            code: _monthly([r.monthly_caseload[code] for r in runs]) for code in codes
        },
        monthly_queue={code: _monthly([r.monthly_queue[code] for r in runs]) for code in codes},
    )
