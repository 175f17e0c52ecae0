"""Benchmark of the analytics (issue 8; docs/performance.md): on a generated log (national
scale by default: 520,000 situations, ≈ 7.9 million events), the process map, the variants
and a subset of the indicators (:data:`SUBSET`) of ``etage.analytics``, each against a raw
DuckDB query of the same figures written by hand and measured in the same run, and against
pm4py on the same log or on the largest subset it finishes within its timeout; the whole
indicator suite is timed on its own line (against the floor of one grouped count per base,
which computes far less: a scale, not a ratio). One JSON line per measure on stdout:

    {"measure": ..., "seconds": ..., "baseline": ..., "baseline_seconds": ..., "ratio": ...,
     "peak_memory_mb": ..., "baseline_peak_memory_mb": ..., ...}

Every measure runs in its own process (Django set up in each, so that memory figures differ
only by the work measured); ``peak_memory_mb`` is that process's ``ru_maxrss``. DuckDB
measures run ``--repeat`` times on one connection and report the median (the first, cold run
is reported too); the whole indicator suite, half a minute, runs once. pm4py runs on growing
subsets (the first N cases of the situations file), each in a process killed after
``--pm4py-timeout`` seconds; the comparison is in cases per second, with the subset stated.

    python benchmarks/analytics/run.py [--scale national] [--seed 2019] [--data DIR]
        [--repeat 3] [--pm4py-sizes 10000,50000,100000,250000,all] [--pm4py-timeout 600]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
HERE = Path(__file__).resolve().parent
PROCESS_CATEGORIES = ("pathway", "procedure", "review")  # schema.PROCESS_CATEGORIES
#: Yearly cost per supported household (€, synthetic) so that the cost indicators run too.
COSTS = [
    (str(year), level, "", cost)
    for year in range(2022, 2027)
    for level, cost in (("advice", 600_000.0), ("coordination", 1_500_000.0), ("agr", 4_000_000.0))
]

Result = dict[str, Any]


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _timed(run: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeat):
        # The previous run's result freed first: peak memory is one run's, not two.
        result = None
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return times, result


# --- what each child process measures --------------------------------------------------------


def _etage_indicators(con: Any) -> tuple[Callable[[], Any], Callable[[Any], Any]]:
    """The whole suite as the nightly store consumes it: the rows streamed by
    ``iter_indicators`` and counted as they come, never held all at once."""
    from etage.analytics.indicators import iter_indicators

    return (lambda: sum(1 for _row in iter_indicators(con, costs=COSTS))), (
        lambda rows: {"rows": rows}
    )


#: The indicator subset measured against hand-written SQL: (code, its breakdowns kept).
SUBSET = (
    ("identified", ("all",)),
    ("closed", ("outcome",)),
    ("days_to_orientation_median", ("all",)),
)


def _subset() -> list[Any]:
    from dataclasses import replace

    from etage.analytics.catalogue import CATALOGUE

    codes = dict(SUBSET)
    return [replace(i, breakdowns=codes[i.code]) for i in CATALOGUE if i.code in codes]


def _etage_indicators_subset(con: Any) -> tuple[Callable[[], Any], Callable[[Any], Any]]:
    """The module on the subset only (same figures as :data:`RAW_SUBSET_SQL`)."""
    from etage.analytics.indicators import compute_indicators

    subset = _subset()
    return (lambda: compute_indicators(con, costs=[], catalogue=subset)), (
        lambda rows: {"figures": len(rows), "cases": sum(r.cases for r in rows)}
    )


#: Written by hand, independently of the module: identified situations per month and year ×
#: territory (and all territories), closures by outcome, median days to orientation.
RAW_SUBSET_SQL = [
    """
    SELECT period, territory, count(*) FROM (
        SELECT territory, unnest([identified_month, left(identified_month, 4)]) AS period
        FROM situations
    ) GROUP BY GROUPING SETS ((period), (period, territory))""",
    """
    SELECT period, territory, outcome, count(*) FROM (
        SELECT territory, coalesce(outcome, '') AS outcome,
            unnest([closed_month, left(closed_month, 4)]) AS period
        FROM situations WHERE closed_month <> ''
    ) GROUP BY GROUPING SETS ((period, outcome), (period, territory, outcome))""",
    """
    SELECT period, territory, quantile_cont(oriented_day, 0.5), count(*) FROM (
        SELECT territory, oriented_day,
            unnest([identified_month, left(identified_month, 4)]) AS period
        FROM situations WHERE oriented_day IS NOT NULL
    ) GROUP BY GROUPING SETS ((period), (period, territory))""",
]


def _raw_indicators_subset(con: Any) -> tuple[Callable[[], Any], Callable[[Any], Any]]:
    def run() -> list[tuple[Any, ...]]:
        return [r for q in RAW_SUBSET_SQL for r in con.execute(q).fetchall()]

    return run, lambda rows: {"figures": len(rows), "cases": sum(r[-1] for r in rows)}


FLOOR_SQL = [
    "SELECT identified_month, territory, count(*) FROM situations "
    "GROUP BY GROUPING SETS ((identified_month), (identified_month, territory))",
    "SELECT closed_month, territory, count(*) FROM situations WHERE closed_month <> '' "
    "GROUP BY GROUPING SETS ((closed_month), (closed_month, territory))",
    "SELECT month, territory, count(*) FROM events WHERE category = 'review' "
    "GROUP BY GROUPING SETS ((month), (month, territory))",
    "SELECT held_month, territory, count(*) FROM meetings WHERE status = 'held' "
    "GROUP BY GROUPING SETS ((held_month), (held_month, territory))",
]


def _floor_indicators(con: Any) -> tuple[Callable[[], Any], Callable[[Any], Any]]:
    """The floor: one grouped count per base (month × territory), nothing else."""
    return (lambda: sum(len(con.execute(q).fetchall()) for q in FLOOR_SQL)), (
        lambda n: {"records": n}
    )


def _etage_process_map(con: Any) -> tuple[Callable[[], Any], Callable[[Any], Any]]:
    from etage.analytics.filters import Filters
    from etage.analytics.process import process_map

    def check(pm: Any) -> Result:
        return {
            "cases": pm.cases,
            "edges": len(pm.edges),
            "transitions": sum(e.count for e in pm.edges),
            "ends": sum(pm.ends.values()),
        }

    return (lambda: process_map(con, Filters())), check


RAW_DFG_SQL = f"""
WITH steps AS (
    SELECT case_id, activity,
        lead(activity) OVER w AS next_activity,
        (epoch_us(lead(timestamp) OVER w) - epoch_us(timestamp)) / 1e6 AS seconds,
        row_number() OVER w AS pos
    FROM events WHERE category IN {PROCESS_CATEGORIES}
    WINDOW w AS (PARTITION BY case_id ORDER BY timestamp, seq)
)
SELECT activity, next_activity, count(*), count(*) FILTER (WHERE pos = 1), avg(seconds),
    quantile_cont(seconds, [0.5, 0.75, 0.9])
FROM steps GROUP BY activity, next_activity
"""


def _raw_process_map(con: Any) -> tuple[Callable[[], Any], Callable[[Any], Any]]:
    """Directly-follows pairs with counts, mean and quantile durations, start and end counts
    (next activity NULL), in one window pass and one GROUP BY."""

    def check(rows: list[tuple[Any, ...]]) -> Result:
        edges = [r for r in rows if r[1] is not None]
        return {
            "cases": sum(r[3] for r in rows),
            "edges": len(edges),
            "transitions": sum(r[2] for r in edges),
            "ends": sum(r[2] for r in rows if r[1] is None),
        }

    return (lambda: con.execute(RAW_DFG_SQL).fetchall()), check


def _etage_variants(con: Any) -> tuple[Callable[[], Any], Callable[[Any], Any]]:
    from etage.analytics.filters import Filters
    from etage.analytics.process import variants

    return (lambda: variants(con, Filters())), (
        lambda vs: {"variants": len(vs), "cases": sum(v.cases for v in vs)}
    )


RAW_VARIANTS_SQL = f"""
SELECT variant, count(*), median(days) FROM (
    SELECT case_id, string_agg(activity, ',' ORDER BY timestamp, seq) AS variant,
        (epoch_us(max(timestamp)) - epoch_us(min(timestamp))) / 86400e6 AS days
    FROM events WHERE category IN {PROCESS_CATEGORIES} GROUP BY case_id
) GROUP BY variant
"""


def _raw_variants(con: Any) -> tuple[Callable[[], Any], Callable[[Any], Any]]:
    return (lambda: con.execute(RAW_VARIANTS_SQL).fetchall()), (
        lambda rows: {"variants": len(rows), "cases": sum(r[1] for r in rows)}
    )


DUCKDB_MEASURES = {
    "etage_indicators": _etage_indicators,
    "floor_indicators": _floor_indicators,
    "etage_indicators_subset": _etage_indicators_subset,
    "raw_indicators_subset": _raw_indicators_subset,
    "etage_process_map": _etage_process_map,
    "raw_process_map": _raw_process_map,
    "etage_variants": _etage_variants,
    "raw_variants": _raw_variants,
}


def child_duckdb(measure: str, data: Path, repeat: int) -> Result:
    _setup_django()
    from etage.analytics.store import connect

    con = connect(data)
    run, check = DUCKDB_MEASURES[measure](con)
    times, result = _timed(run, repeat)
    return {
        "seconds": round(statistics.median(times), 3),
        "first_seconds": round(times[0], 3),
        "check": check(result),
        "peak_memory_mb": _peak_mb(),
    }


def child_pm4py(what: str, data: Path, cases: int | None) -> Result:
    """pm4py on the first ``cases`` cases (all when None), from a pandas DataFrame sorted by
    (case, timestamp, seq) — pm4py's sort is stable, so ties keep that order."""
    _setup_django()
    import pm4py

    from etage.analytics.store import connect

    con = connect(data)
    limit = "" if cases is None else f"LIMIT {int(cases)}"
    started = time.perf_counter()
    df = con.execute(
        'SELECT e.case_id AS "case:concept:name", e.activity AS "concept:name", '
        'e.timestamp AS "time:timestamp" FROM events e '
        f"JOIN (SELECT case_id FROM situations {limit}) s USING (case_id) "
        f"WHERE e.category IN {PROCESS_CATEGORIES} ORDER BY e.case_id, e.timestamp, e.seq"
    ).df()
    load = time.perf_counter() - started
    started = time.perf_counter()
    if what == "dfg":
        dfg, _starts, _ends = pm4py.discover_dfg(df)
        performance, _s, _e = pm4py.discover_performance_dfg(df)
        check = {"edges": len(dfg), "transitions": int(sum(dfg.values())), "perf": len(performance)}
    else:
        found = pm4py.get_variants(df)
        check = {"variants": len(found), "cases": int(sum(found.values()))}
    return {
        "seconds": round(time.perf_counter() - started, 3),
        "load_seconds": round(load, 3),
        "cases": int(df["case:concept:name"].nunique()),
        "events": len(df),
        "check": check,
        "peak_memory_mb": _peak_mb(),
    }


# --- the parent: runs the children and prints the ratios ----------------------------------


def _child(args: list[str], timeout: float | None = None) -> Result | None:
    """Run one measure in its own process; None when it ran out of time (it is killed)."""
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return None
    if process.returncode:
        raise RuntimeError(f"{args} failed:\n{err[-3000:]}")
    result: Result = json.loads(out.strip().splitlines()[-1])
    return result


def _agree(mine: Result, base: Result) -> bool | None:
    """Whether the sizes both sides report agree (None: nothing comparable, as for the
    indicator floor, which computes less)."""
    common = set(mine) & set(base)
    return all(mine[k] == base[k] for k in common) if common else None


def _emit(line: Result) -> None:
    print(json.dumps(line), flush=True)


def _machine() -> Result:
    cpu = ""
    for text in Path("/proc/cpuinfo").read_text().splitlines():
        if text.startswith("model name"):
            cpu = text.split(":", 1)[1].strip()
            break
    memory_kb = next(
        int(t.split()[1]) for t in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in t
    )
    import duckdb

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024**2, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", default="national")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--data", type=Path, help="snapshot directory (generated if missing)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pm4py-sizes", default="10000,50000,100000,250000,all")
    parser.add_argument("--pm4py-timeout", type=float, default=600.0)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--cases", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    data: Path = args.data or ROOT / "var" / "bench" / f"analytics-{args.scale}-{args.seed}"
    if args.child:
        if args.child.startswith("pm4py_"):
            measured = child_pm4py(args.child.removeprefix("pm4py_"), data, args.cases)
        else:
            measured = child_duckdb(args.child, data, args.repeat)
        print(json.dumps(measured))
        return

    _emit({"measure": "machine", **_machine()})
    generated: dict[str, float | None] = {"seconds": None}
    if not (data / "manifest.json").exists():
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--scale", args.scale,
             "--seed", str(args.seed), "--out", str(data)],
            check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        generated["seconds"] = round(time.perf_counter() - started, 1)
    rows = json.loads((data / "manifest.json").read_text())["rows"]
    _emit({"measure": "log", "data": str(data), **rows, "generate_seconds": generated["seconds"]})

    etage: dict[str, Result] = {}
    # The whole suite runs once: half a minute a run at national scale, with a spread of a
    # few per cent between runs (28.5 and 29.0 s), against the second-long measures whose
    # median of --repeat runs is worth its time.
    for name, baselines, repeat in (
        ("indicators_subset", ("raw",), args.repeat),
        ("indicators", ("floor",), 1),
        ("process_map", ("raw",), args.repeat),
        ("variants", ("raw",), args.repeat),
    ):
        mine = _child(["--child", f"etage_{name}", "--data", str(data), "--repeat", str(repeat)])
        assert mine is not None
        etage[name] = mine
        for baseline in baselines:
            base = _child(
                ["--child", f"{baseline}_{name}", "--data", str(data), "--repeat", str(repeat)]
            )
            assert base is not None
            _emit(
                {
                    "measure": name,
                    "baseline": f"{baseline}_duckdb",
                    "cases": rows["situations"],
                    "events": rows["events"],
                    "seconds": mine["seconds"],
                    "baseline_seconds": base["seconds"],
                    "ratio": round(mine["seconds"] / base["seconds"], 2),
                    "first_seconds": mine["first_seconds"],
                    "baseline_first_seconds": base["first_seconds"],
                    "peak_memory_mb": mine["peak_memory_mb"],
                    "baseline_peak_memory_mb": base["peak_memory_mb"],
                    "same_figures": _agree(mine["check"], base["check"]),
                    "check": mine["check"],
                    "baseline_check": base["check"],
                }
            )

    sizes = [None if s == "all" else int(s) for s in args.pm4py_sizes.split(",") if s]
    for what, name in (("dfg", "process_map"), ("variants", "variants")):
        largest: Result | None = None
        for size in sizes:
            if size is not None and size >= rows["situations"]:
                size = None
            cmd = ["--child", f"pm4py_{what}", "--data", str(data)]
            started = time.perf_counter()
            result = _child(
                cmd + ([] if size is None else ["--cases", str(size)]), args.pm4py_timeout
            )
            line: Result = {
                "measure": f"pm4py_{what}",
                "subset_cases": size or rows["situations"],
                "timeout_seconds": args.pm4py_timeout,
                "finished": result is not None,
                "wall_seconds": round(time.perf_counter() - started, 1),
            }
            _emit({**line, **(result or {})})
            if result is None:
                break
            largest = result
            if size is None:
                break
        if largest is None:
            continue
        ours = etage[name]
        etage_rate = rows["situations"] / ours["seconds"]
        pm4py_rate = largest["cases"] / largest["seconds"]
        _emit(
            {
                "measure": f"{name}_vs_pm4py",
                "cases": rows["situations"],
                "seconds": ours["seconds"],
                "pm4py_cases": largest["cases"],
                "pm4py_events": largest["events"],
                "pm4py_seconds": largest["seconds"],
                "pm4py_load_seconds": largest["load_seconds"],
                "etage_cases_per_second": round(etage_rate),
                "pm4py_cases_per_second": round(pm4py_rate),
                "speedup": round(etage_rate / pm4py_rate, 1),
                # pm4py's time leaves out building its DataFrame; ETAGE's includes the reading.
                "speedup_with_pm4py_load": round(
                    etage_rate
                    / (largest["cases"] / (largest["seconds"] + largest["load_seconds"])),
                    1,
                ),
                "peak_memory_mb": ours["peak_memory_mb"],
                "pm4py_peak_memory_mb": largest["peak_memory_mb"],
                "pm4py_check": largest["check"],
            }
        )
    _emit({"measure": "machine_after", "load_average": [round(x, 2) for x in os.getloadavg()]})


if __name__ == "__main__":
    main()
