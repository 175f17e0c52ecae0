"""The national-scale log generator of the analytics benchmark (benchmarks/analytics/), run at
its small scale: it must write exactly the snapshot contract that every analytics reader
expects, deterministically, and open through the one store the application uses."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pyarrow.parquet as pq
import pytest

from etage.analytics import schema
from etage.analytics.store import connect

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_analytics_generate", ROOT / "benchmarks" / "analytics" / "generate.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return _generator()


@pytest.fixture(scope="module")
def snapshot(generator: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("small")
    generator.generate("small", 7, out)
    return out


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*.parquet"))


def test_every_file_has_exactly_the_contract_schema(snapshot: Path) -> None:
    expected = {"situations.parquet": schema.SITUATIONS, "meetings.parquet": schema.MEETINGS}
    parts = sorted((snapshot / "events").glob("part-*.parquet"))
    assert len(parts) >= 2  # the small scale still writes the log in several parts
    for path in _files(snapshot):
        contract = expected.get(path.name, schema.EVENTS)
        written = pq.read_schema(path)
        assert written.names == contract.names, path
        assert [f.type for f in written] == [f.type for f in contract], path
    manifest = json.loads((snapshot / "manifest.json").read_text())
    assert manifest["schema_version"] == schema.SCHEMA_VERSION
    assert manifest["parts"] == [p.relative_to(snapshot).as_posix() for p in parts]


def test_same_seed_gives_the_same_bytes_and_another_seed_another_log(
    generator: ModuleType, snapshot: Path, tmp_path: Path
) -> None:
    generator.generate("small", 7, tmp_path / "again")
    generator.generate("small", 8, tmp_path / "other")
    for path in _files(snapshot):
        relative = path.relative_to(snapshot)
        assert path.read_bytes() == (tmp_path / "again" / relative).read_bytes(), relative
    first = pq.read_table(snapshot / "situations.parquet", columns=["case_id", "level"])
    other = pq.read_table(tmp_path / "other" / "situations.parquet", columns=["case_id", "level"])
    assert first.column("case_id") != other.column("case_id")


def test_duckdb_reads_a_coherent_censored_log_through_the_store(snapshot: Path) -> None:
    con = connect(snapshot)
    manifest = json.loads((snapshot / "manifest.json").read_text())
    counts = con.execute(
        "SELECT (SELECT count(*) FROM situations), (SELECT count(*) FROM events), "
        "(SELECT count(*) FROM meetings)"
    ).fetchone()
    rows = manifest["rows"]
    assert counts == (rows["situations"], rows["events"], rows["meetings"])
    problems = con.execute(
        """
        SELECT
          count(*) FILTER (WHERE s.case_id IS NULL),                    -- orphan events
          count(*) FILTER (WHERE e.category NOT IN ?),
          count(*) FILTER (WHERE e.day > s.observed_until_day),         -- after the snapshot
          count(*) FILTER (WHERE e.timestamp != s.identified_at + to_days(e.day)),
          count(DISTINCT e.seq) - count(*),
          count(DISTINCT e.event_id) - count(*)
        FROM events e LEFT JOIN situations s USING (case_id)
        """,
        [list(schema.CATEGORIES)],
    ).fetchone()
    assert problems == (0, 0, 0, 0, 0, 0)
    # The status of a situation is where its last status change, in (timestamp, seq) order,
    # left it; closed days and outcomes exist exactly for closed situations.
    mismatches = con.execute(
        """
        WITH last AS (
          SELECT case_id, arg_max(to_status, (timestamp, seq)) AS status
          FROM events WHERE to_status != '' GROUP BY case_id
        )
        SELECT count(*) FROM situations s JOIN last USING (case_id)
        WHERE s.status != last.status
           OR (s.status = 'closed') != (s.closed_day IS NOT NULL)
           OR (s.status = 'closed') != (s.outcome != '')
        """
    ).fetchone()
    assert mismatches == (0,)
    shape = con.execute(
        """
        SELECT
          count(DISTINCT territory),
          count(*) FILTER (WHERE status != 'closed'),                   -- censored cases
          count(*) FILTER (WHERE level = 'agr'),
          (SELECT count(*) FROM (SELECT case_id, timestamp FROM events
                                 GROUP BY ALL HAVING count(*) > 1)),    -- same-day ties
          (SELECT count(*) FROM events WHERE category = 'procedure' AND day < 0)
        FROM situations
        """
    ).fetchone()
    assert shape is not None
    assert shape[0] == 5
    assert all(value > 0 for value in shape[1:]), shape
