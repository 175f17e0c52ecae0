"""The process figures equal pm4py's computed on the XES export of the same snapshot (issue 8
"Must show"): what an evaluator gets from pm4py on the downloaded file is what ETAGE shows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pm4py
import pytest

from etage.analytics.exports import write_xes
from etage.analytics.filters import Filters
from etage.analytics.process import process_map, variants
from etage.analytics.store import connect
from tests.analytics.logs import build_log

CASES = [
    (0, Filters()),
    (1, Filters()),
    (2, Filters(territories=("T1", "T3"), levels=("agr", "coordination"))),
    (3, Filters(followed_by=("assess", "orient"), min_days=20)),
]


@pytest.mark.parametrize(("seed", "filters"), CASES, ids=[f"seed{s}" for s, _f in CASES])
def test_variants_and_directly_follows_equal_pm4py_on_the_xes_export(
    tmp_path: Path, seed: int, filters: Filters
) -> None:
    build_log(tmp_path / "snap", cases=150, seed=seed)
    con = connect(tmp_path / "snap")
    path = tmp_path / "log.xes.gz"
    assert write_xes(con, path, filters) > 0
    ours_variants = variants(con, filters)
    ours_map = process_map(con, filters)
    con.close()

    frame = pm4py.read_xes(str(path))
    frame["time:timestamp"] = pd.to_datetime(frame["time:timestamp"], utc=True)
    expected_variants = {tuple(k): int(v) for k, v in pm4py.get_variants(frame).items()}
    assert {v.activities: v.cases for v in ours_variants} == expected_variants

    dfg, starts, ends = pm4py.discover_dfg(frame)
    assert {(e.source, e.target): e.count for e in ours_map.edges} == dict(dfg)
    assert ours_map.starts == dict(starts)
    assert ours_map.ends == dict(ends)

    performance, _starts, _ends = pm4py.discover_performance_dfg(frame)
    assert {(e.source, e.target) for e in ours_map.edges} == set(performance)
    for edge in ours_map.edges:
        reference = performance[(edge.source, edge.target)]
        assert edge.mean_days * 86400 == pytest.approx(reference["mean"], rel=1e-9, abs=1e-6)
        assert edge.median_days * 86400 == pytest.approx(reference["median"], rel=1e-9, abs=1e-6)
