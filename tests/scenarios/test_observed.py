"""Scenario durations come from the observed supports: the Kaplan–Meier curve of support
start → closure per level, with running supports censored."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from etage.analytics.survival import kaplan_meier
from etage.scenarios.observed import MIN_SUPPORTS, support_durations
from etage.scenarios.params import DAYS_PER_MONTH


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE situations (case_id VARCHAR, level VARCHAR, support_started_day INT,"
        " closed_day INT, observed_until_day INT)"
    )
    rows: list[tuple[str, str | None, int, int | None, int]] = []
    rng = np.random.default_rng(3)
    for i in range(60):  # AGR: long supports, a third still running
        start = int(rng.integers(0, 30))
        length = int(rng.exponential(300))
        closed = start + length if i % 3 else None
        rows.append((f"A{i}", "agr", start, closed, start + length + 20))
    for i in range(MIN_SUPPORTS - 1):  # too few to simulate from
        rows.append((f"C{i}", "coordination", 0, 50, 400))
    rows.append(("N0", None, 0, 10, 40))  # never oriented
    rows.append(("B0", "agr", 100, 50, 400))  # closed before its start: a data error
    con.executemany("INSERT INTO situations VALUES (?, ?, ?, ?, ?)", rows)
    return con


def test_each_level_gets_its_kaplan_meier_curve_in_months(con):
    observed = support_durations(con)
    assert set(observed) == {"agr"}
    agr = observed["agr"]
    assert agr.supports == 60
    assert agr.closed == 40
    durations = con.execute(
        "SELECT coalesce(closed_day, observed_until_day) - support_started_day,"
        " closed_day IS NOT NULL FROM situations WHERE level = 'agr' AND case_id <> 'B0'"
    ).fetchnumpy()
    values = list(durations.values())
    km = kaplan_meier(values[0].astype(float), values[1].astype(bool))
    assert agr.median_months == pytest.approx(km.median / DAYS_PER_MONTH)
    # The curve's steps are the KM steps at event times, in months.
    assert agr.duration.survival[-1] == pytest.approx(float(km.survival[-1]))
    assert list(agr.duration.times) == sorted(set(agr.duration.times))


def test_running_supports_lengthen_the_mean_compared_with_closed_ones_only(con):
    agr = support_durations(con)["agr"]
    closed_mean = con.execute(
        "SELECT avg(closed_day - support_started_day) FROM situations"
        " WHERE level = 'agr' AND closed_day >= support_started_day"
    ).fetchone()[0]
    assert agr.duration.mean() > closed_mean / DAYS_PER_MONTH


def test_a_restriction_to_some_cases_applies(con):
    observed = support_durations(
        con, "SELECT case_id FROM situations WHERE case_id LIKE ?", ["A1%"]
    )
    assert observed["agr"].supports == 11
