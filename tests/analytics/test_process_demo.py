"""The quality panel and the process figures on a snapshot the writer made from the demo
history: the product's own pathway events raise no alarm."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pm4py
import pytest

from etage.analytics.compliance import active_rules, compliance
from etage.analytics.filters import Filters
from etage.analytics.process import process_map, variants
from etage.analytics.quality import data_quality
from etage.analytics.snapshot import write_snapshot
from etage.analytics.store import connect

pytestmark = pytest.mark.django_db


@pytest.fixture
def con(history: None, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    write_snapshot(tmp_path)
    connection = connect(tmp_path)
    yield connection
    connection.close()


def test_the_products_own_log_raises_no_alarm(con: duckdb.DuckDBPyConnection) -> None:
    checks = data_quality(con, Filters())
    assert {c.code: c.examples for c in checks if c.count} == {}
    # Not vacuous: the log has moves of most kinds, including loops and archives.
    moves = con.execute(
        "SELECT DISTINCT activity FROM events WHERE category = 'pathway' AND to_status <> ''"
    ).fetchall()
    assert len(moves) >= 12


def test_the_products_own_log_gives_pm4pys_figures(con: duckdb.DuckDBPyConnection) -> None:
    # Day-precision dates: ties everywhere, broken by seq only.
    rows = con.execute(
        "SELECT case_id, activity, timestamp FROM events WHERE category IN "
        "('pathway', 'procedure', 'review') ORDER BY case_id, timestamp, seq"
    ).fetchall()
    frame = pm4py.format_dataframe(
        pd.DataFrame(rows, columns=["case", "activity", "timestamp"]),
        case_id="case",
        activity_key="activity",
        timestamp_key="timestamp",
    )
    expected = {tuple(k): int(v) for k, v in pm4py.get_variants(frame).items()}
    assert {v.activities: v.cases for v in variants(con, Filters())} == expected
    performance, starts, ends = pm4py.discover_performance_dfg(frame)
    dfg, _starts, _ends = pm4py.discover_dfg(frame)
    found = process_map(con, Filters())
    assert {(e.source, e.target): e.count for e in found.edges} == dict(dfg)
    assert (found.starts, found.ends) == (dict(starts), dict(ends))
    for edge in found.edges:
        reference = performance[(edge.source, edge.target)]
        assert edge.mean_days * 86400 == pytest.approx(reference["mean"], rel=1e-9, abs=1e-6)
        assert edge.median_days * 86400 == pytest.approx(reference["median"], rel=1e-9, abs=1e-6)


def test_the_seeded_rules_measure_the_demo_cases(con: duckdb.DuckDBPyConnection) -> None:
    report = compliance(con, Filters(), active_rules())
    assert len(report.rules) == 3
    identified = con.execute("SELECT count(*) FROM situations").fetchone()
    assert identified is not None
    for rule in report.rules:
        assert 0 < rule.measured <= identified[0]
        assert 0 <= rule.compliant <= rule.measured
