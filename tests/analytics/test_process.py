"""Process map and variants equal pm4py's on generated logs (ties, single-event cases,
censored cases), and their percentiles equal numpy's on the same durations."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pm4py
import pytest

from etage.analytics.filters import Filters, variant_id
from etage.analytics.process import process_map, timeline, variant_cases, variants
from etage.analytics.schema import PROCESS_CATEGORIES
from etage.analytics.store import connect
from tests.analytics.logs import BuiltLog, build_log

SEEDS = (0, 1, 2, 3)


@pytest.fixture(params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def log(request: pytest.FixtureRequest, tmp_path: Path) -> BuiltLog:
    return build_log(tmp_path / "snap", cases=160, seed=request.param)


@pytest.fixture
def con(log: BuiltLog) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(log.directory)
    yield connection
    connection.close()


def pm4py_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The events in (case, timestamp, seq) order with pm4py's column names; pm4py sorts by
    (case, timestamp, original index), so ties keep this order."""
    frame = pd.DataFrame(
        {
            "case_id": [r["case_id"] for r in rows],
            "activity": [r["activity"] for r in rows],
            "timestamp": pd.to_datetime([r["timestamp"] for r in rows], utc=True),
        }
    )
    return pm4py.format_dataframe(
        frame, case_id="case_id", activity_key="activity", timestamp_key="timestamp"
    )


def python_durations(rows: list[dict[str, Any]]) -> dict[tuple[str, str], list[float]]:
    """Directly-follows durations in seconds, computed by hand from the ordered rows."""
    out: dict[tuple[str, str], list[float]] = {}
    for before, after in itertools.pairwise(rows):
        if before["case_id"] == after["case_id"]:
            seconds = (after["timestamp"] - before["timestamp"]).total_seconds()
            out.setdefault((before["activity"], after["activity"]), []).append(seconds)
    return out


def test_generated_logs_exercise_the_hard_cases(log: BuiltLog) -> None:
    rows = log.ordered_events(PROCESS_CATEGORIES)
    traces = log.traces(PROCESS_CATEGORIES)
    same_instant = [
        (a, b)
        for a, b in itertools.pairwise(rows)
        if a["case_id"] == b["case_id"] and a["timestamp"] == b["timestamp"]
    ]
    # Ties whose seq order is not the alphabetical order: a sort on activity would differ.
    assert any(a["activity"] > b["activity"] for a, b in same_instant)
    assert any(len(t) == 1 for t in traces.values())
    assert any(s["closed_day"] is None for s in log.situations)  # open: censored
    assert len({s["outcome"] for s in log.situations if s["closed_day"] is not None}) >= 4
    # The file is not in the analysis order: consumers must sort.
    assert log.events != log.ordered_events()


def test_variants_equal_pm4py(log: BuiltLog, con: duckdb.DuckDBPyConnection) -> None:
    rows = log.ordered_events(PROCESS_CATEGORIES)
    expected = {tuple(k): int(v) for k, v in pm4py.get_variants(pm4py_frame(rows)).items()}
    found = variants(con, Filters())
    assert {v.activities: v.cases for v in found} == expected
    assert all(v.id == variant_id(v.activities) for v in found)
    counts = [v.cases for v in found]
    assert counts == sorted(counts, reverse=True)
    total = sum(counts)
    assert found[-1].cumulative_share == pytest.approx(1.0, rel=1e-12)
    assert [v.share for v in found] == pytest.approx([c / total for c in counts], rel=1e-12)


def test_variant_median_duration_and_cases(log: BuiltLog, con: duckdb.DuckDBPyConnection) -> None:
    rows = log.ordered_events(PROCESS_CATEGORIES)
    by_case: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_case.setdefault(row["case_id"], []).append(row)
    durations: dict[tuple[str, ...], list[float]] = {}
    members: dict[tuple[str, ...], set[str]] = {}
    for case_id, events in by_case.items():
        key = tuple(e["activity"] for e in events)
        days = (events[-1]["timestamp"] - events[0]["timestamp"]).total_seconds() / 86400
        durations.setdefault(key, []).append(days)
        members.setdefault(key, set()).add(case_id)
    for variant in variants(con, Filters(), limit=8):
        assert variant.median_days == pytest.approx(
            float(np.median(durations[variant.activities])), rel=1e-9, abs=1e-9
        )
        assert (
            set(variant_cases(con, Filters(), variant.id, limit=1000))
            == members[variant.activities]
        )
    assert len(variants(con, Filters(), limit=3)) == 3


def test_directly_follows_counts_equal_pm4py(log: BuiltLog, con: duckdb.DuckDBPyConnection) -> None:
    frame = pm4py_frame(log.ordered_events(PROCESS_CATEGORIES))
    dfg, starts, ends = pm4py.discover_dfg(frame)
    found = process_map(con, Filters())
    assert {(e.source, e.target): e.count for e in found.edges} == dict(dfg)
    assert found.starts == dict(starts)
    assert found.ends == dict(ends)
    assert found.cases == frame["case:concept:name"].nunique()
    assert found.events == len(frame)
    assert {a.activity: a.count for a in found.activities} == dict(Counter(frame["concept:name"]))


def test_directly_follows_durations_equal_pm4py(
    log: BuiltLog, con: duckdb.DuckDBPyConnection
) -> None:
    rows = log.ordered_events(PROCESS_CATEGORIES)
    performance, _starts, _ends = pm4py.discover_performance_dfg(pm4py_frame(rows))
    by_hand = python_durations(rows)
    edges = process_map(con, Filters()).edges
    assert {(e.source, e.target) for e in edges} == set(performance)
    for edge in edges:
        reference = performance[(edge.source, edge.target)]
        # pm4py works in seconds, the process map in days.
        assert edge.mean_days * 86400 == pytest.approx(reference["mean"], rel=1e-9, abs=1e-6)
        assert edge.median_days * 86400 == pytest.approx(reference["median"], rel=1e-9, abs=1e-6)
        seconds = by_hand[(edge.source, edge.target)]
        for value, q in ((edge.p75_days, 75), (edge.p90_days, 90)):
            assert value * 86400 == pytest.approx(
                float(np.percentile(seconds, q)), rel=1e-9, abs=1e-6
            )


def test_filtered_map_equals_pm4py_on_the_same_cases(
    log: BuiltLog, con: duckdb.DuckDBPyConnection
) -> None:
    kept = {
        s["case_id"]
        for s in log.situations
        if s["territory"] in ("T1", "T2") and s["level"] in ("agr", "coordination")
    }
    rows = [r for r in log.ordered_events(PROCESS_CATEGORIES) if r["case_id"] in kept]
    dfg, starts, _ends = pm4py.discover_dfg(pm4py_frame(rows))
    found = process_map(con, Filters(territories=("T1", "T2"), levels=("agr", "coordination")))
    assert {(e.source, e.target): e.count for e in found.edges} == dict(dfg)
    assert found.starts == dict(starts)


def test_activity_slider_recomputes_on_the_reduced_traces(
    log: BuiltLog, con: duckdb.DuckDBPyConnection
) -> None:
    rows = log.ordered_events(PROCESS_CATEGORIES)
    frequency = Counter(r["activity"] for r in rows)
    ranked = sorted(frequency, key=lambda a: (-frequency[a], a))
    share = 0.4
    keep = set(ranked[: math.ceil(share * len(ranked))])
    reduced = [r for r in rows if r["activity"] in keep]
    performance, starts, ends = pm4py.discover_performance_dfg(pm4py_frame(reduced))
    found = process_map(con, Filters(), activity_share=share)
    assert {a.activity for a in found.activities} == keep
    assert found.total_activities == len(ranked)
    assert {(e.source, e.target) for e in found.edges} == set(performance)
    assert found.starts == dict(starts)
    assert found.ends == dict(ends)
    for edge in found.edges:
        assert edge.mean_days * 86400 == pytest.approx(
            performance[(edge.source, edge.target)]["mean"], rel=1e-9, abs=1e-6
        )


def _activity_figures(traces: list[list[str]]) -> dict[str, tuple[int, int, int, int, float]]:
    """(events, cases, starts, ends, mean 0-based rank) per activity, by hand."""
    events: Counter[str] = Counter()
    cases: Counter[str] = Counter()
    starts: Counter[str] = Counter(t[0] for t in traces)
    ends: Counter[str] = Counter(t[-1] for t in traces)
    ranks: Counter[str] = Counter()
    for trace in traces:
        cases.update(set(trace))
        for rank, activity in enumerate(trace):
            events[activity] += 1
            ranks[activity] += rank
    return {a: (events[a], cases[a], starts[a], ends[a], ranks[a] / events[a]) for a in events}


@pytest.mark.parametrize("share", [1.0, 0.4])
def test_activity_figures_and_orders_by_hand(
    log: BuiltLog, con: duckdb.DuckDBPyConnection, share: float
) -> None:
    kept_cases = {s["case_id"] for s in log.situations if s["territory"] in ("T1", "T3")}
    traces = {c: t for c, t in log.traces(PROCESS_CATEGORIES).items() if c in kept_cases and t}
    everything = _activity_figures(list(traces.values()))
    ranked = sorted(everything, key=lambda a: (-everything[a][0], a))
    keep = set(ranked[: math.ceil(share * len(ranked))])
    reduced = [r for r in ([a for a in t if a in keep] for t in traces.values()) if r]
    expected = _activity_figures(reduced)
    found = process_map(con, Filters(territories=("T1", "T3")), activity_share=share)
    assert found.total_activities == len(everything)
    # Most frequent first, ties by code; cases per activity are those of the whole log.
    assert [a.activity for a in found.activities] == [a for a in ranked if a in keep]
    for stat in found.activities:
        events, _cases, starts, ends, position = expected[stat.activity]
        assert (stat.count, stat.cases) == everything[stat.activity][:2]
        assert (stat.count, stat.starts, stat.ends) == (events, starts, ends)
        assert stat.position == pytest.approx(position, rel=1e-12)
    assert found.cases == len(reduced)
    assert found.events == sum(len(t) for t in reduced)
    # Most frequent first, ties by source then target.
    order = [(e.count, e.source, e.target) for e in found.edges]
    assert order == sorted(order, key=lambda e: (-e[0], e[1], e[2]))


def test_no_case_kept_gives_an_empty_map_and_no_variant(
    con: duckdb.DuckDBPyConnection,
) -> None:
    nobody = Filters(territories=("NO-SUCH-TERRITORY",))
    found = process_map(con, nobody)
    assert (found.cases, found.events, found.activities, found.edges) == (0, 0, [], [])
    assert found.total_activities == 0
    assert variants(con, nobody) == []


def test_path_slider_keeps_the_most_frequent_edges(con: duckdb.DuckDBPyConnection) -> None:
    everything = process_map(con, Filters())
    half = process_map(con, Filters(), path_share=0.5)
    assert half.total_edges == len(everything.edges)
    assert len(half.edges) == math.ceil(0.5 * len(everything.edges))
    assert half.edges == everything.edges[: len(half.edges)]
    assert min(e.count for e in half.edges) >= max(
        e.count for e in everything.edges[len(half.edges) :]
    )
    with pytest.raises(ValueError):
        process_map(con, Filters(), path_share=0)


def test_consent_and_sharing_events_stay_out_by_default(
    log: BuiltLog, con: duckdb.DuckDBPyConnection
) -> None:
    default = {a.activity for a in process_map(con, Filters()).activities}
    assert "consent_recorded" not in default
    assert "share_granted" not in default
    everything = Filters(categories=("pathway", "procedure", "review", "consent", "sharing"))
    assert "share_granted" in {a.activity for a in process_map(con, everything).activities}


def test_timeline_is_ordered_and_dated_in_days(
    log: BuiltLog, con: duckdb.DuckDBPyConnection
) -> None:
    # The case with the most events in one instant: its order rests on seq alone.
    rows = log.ordered_events()
    instants = Counter((r["case_id"], r["timestamp"]) for r in rows)
    (case_id, _moment), _n = instants.most_common(1)[0]
    found = timeline(con, case_id)
    assert found is not None
    expected = [r for r in rows if r["case_id"] == case_id]
    assert [e.activity for e in found.events] == [r["activity"] for r in expected]
    assert [e.day for e in found.events] == [r["day"] for r in expected]
    assert "identified_at" not in found.attributes
    assert "household" not in found.attributes
    assert timeline(con, "NO-SUCH-CASE") is None
