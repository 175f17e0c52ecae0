"""Benchmark of the scenario simulation (issue 11; docs/performance.md): a metropolis-year —
the metropolis scenario of docs/examples/scenarios/metropole.json, one year simulated after
its warm-up — with 100 replications through ETAGE's engine (``etage.scenarios.simulation.
simulate``: monitors, monthly series, bands), against a bare SimPy model of the same queues
(a Poisson stream of situations, one orientation desk, one resource per level, the same rates
and means; no monitor, Python's ``random``) stepped through exactly the same number of SimPy
events as ETAGE's replication of the same index. One JSON line on stdout:

    {"measure": "simulation", "replications": ..., "events": ..., "seconds": ...,
     "baseline": "bare SimPy", "baseline_seconds": ..., "ratio": ..., "peak_memory_mb": ...,
     "baseline_peak_memory_mb": ...}

Each side runs in its own process (``peak_memory_mb`` is that process's VmHWM). The events
are counted in a first, untimed pass (a counting ``simpy.Environment``), so the timed run is
the engine as it is.

    python benchmarks/simulation.py [--replications 100] [--seed 2019] [--months 12]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "docs" / "examples" / "scenarios" / "metropole.json"


def _peak_mb() -> float:
    """The process's peak resident memory (VmHWM, not inherited through exec)."""
    for text in Path("/proc/self/status").read_text().splitlines():
        if text.startswith("VmHWM:"):
            return round(int(text.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _scenario(months: int) -> Any:
    sys.path.insert(0, str(ROOT))
    from etage.scenarios.params import scenario_from_dict

    data = json.loads(SCENARIO.read_text(encoding="utf-8"))
    # A year measured after the scenario's own warm-up (the queues filled as in steady state).
    data["horizon_months"] = data["warmup_months"] + months
    return scenario_from_dict(data)


def count_events(months: int, replications: int, seed: int) -> dict[str, Any]:
    """Events per replication of ETAGE's engine, counted by a stepping Environment."""
    import simpy

    from etage.scenarios import simulation

    counts: list[int] = []

    class Counting(simpy.Environment):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            counts.append(0)

        def step(self) -> None:
            counts[-1] += 1
            super().step()

    simulation.simpy.Environment = Counting  # type: ignore[misc]
    simulation.simulate(_scenario(months), replications, seed)
    return {"events": counts}


def measure_etage(months: int, replications: int, seed: int) -> dict[str, Any]:
    from etage.scenarios.simulation import simulate

    scenario = _scenario(months)
    started = time.perf_counter()
    result = simulate(scenario, replications, seed)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 3),
        "arrivals_mean": round(result.arrivals.mean, 1),
        "peak_memory_mb": _peak_mb(),
    }


def measure_bare(months: int, seed: int, events: list[int]) -> dict[str, Any]:
    """The same queues in plain SimPy, each replication stepped through ``events[i]`` events."""
    import simpy

    from etage.scenarios.analytic import level_places

    scenario = _scenario(months)
    rate = scenario.arrivals_per_month
    orient_mean = scenario.orientation_hours / (
        scenario.orientation_fte * scenario.case_hours_per_fte_month
    )
    levels = [(p.level, p.share, p.duration.mean()) for p in scenario.levels]
    places = {p.level: level_places(scenario, p) for p in scenario.levels}
    codes = [code for code, _share, _mean in levels]
    weights = [share for _code, share, _mean in levels]
    means = {code: mean for code, _share, mean in levels}
    started = time.perf_counter()
    stepped = 0
    for index, target in enumerate(events):
        rng = random.Random(seed * 1000 + index)
        env = simpy.Environment()
        desk = simpy.Resource(env, capacity=1)
        beds = {code: simpy.Resource(env, capacity=max(n, 1)) for code, n in places.items()}

        def situation(env: Any = env, desk: Any = desk, beds: Any = beds, rng: Any = rng) -> Any:
            with desk.request() as turn:
                yield turn
                yield env.timeout(rng.expovariate(1 / orient_mean))
            code = rng.choices(codes, weights)[0]
            with beds[code].request() as place:
                yield place
                yield env.timeout(rng.expovariate(1 / means[code]))

        def arrivals(env: Any = env, rng: Any = rng, situation: Any = situation) -> Any:
            while True:
                yield env.timeout(rng.expovariate(rate))
                env.process(situation())

        def month_ends(env: Any = env) -> Any:
            while True:
                yield env.timeout(1)

        env.process(arrivals())
        env.process(month_ends())
        for _ in range(target):
            if env.peek() == math.inf:
                break
            env.step()
            stepped += 1
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "events": stepped, "peak_memory_mb": _peak_mb()}


def _child(args: argparse.Namespace) -> None:
    if args.child == "count":
        result = count_events(args.months, args.replications, args.seed)
    elif args.child == "etage":
        result = measure_etage(args.months, args.replications, args.seed)
    else:
        events = json.loads(Path(args.events_file).read_text())
        result = measure_bare(args.months, args.seed, events)
    print(json.dumps(result))


def _run_child(args: argparse.Namespace, what: str, *extra: str) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--child",
        what,
        "--months",
        str(args.months),
        "--replications",
        str(args.replications),
        "--seed",
        str(args.seed),
        *extra,
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--months", type=int, default=12, help="months simulated after warm-up")
    parser.add_argument("--child", choices=["count", "etage", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--events-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    import tempfile

    events = _run_child(args, "count")["events"]
    etage = _run_child(args, "etage")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(events, handle)
    try:
        bare = _run_child(args, "bare", "--events-file", handle.name)
    finally:
        os.unlink(handle.name)
    total = sum(events)
    print(
        json.dumps(
            {
                "measure": "simulation",
                "scenario": "metropole.json, 12 months after a 24-month warm-up"
                if args.months == 12
                else f"metropole.json, {args.months} months after warm-up",
                "replications": args.replications,
                "events": total,
                "arrivals_per_replication": etage["arrivals_mean"],
                "seconds": etage["seconds"],
                "baseline": "bare SimPy, same queues, same number of events",
                "baseline_events": bare["events"],
                "baseline_seconds": bare["seconds"],
                "ratio": round(etage["seconds"] / bare["seconds"], 2),
                "peak_memory_mb": etage["peak_memory_mb"],
                "baseline_peak_memory_mb": bare["peak_memory_mb"],
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
