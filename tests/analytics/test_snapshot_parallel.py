"""The snapshot written by several processes (national volumes on PostgreSQL) is the snapshot
one process writes: same situations, same events, same ``seq``; and a process that fails
fails the run, leaving the previous snapshot as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.db import connection

from etage.analytics import schema, snapshot
from etage.analytics.snapshot import write_snapshot
from etage.demo.history import demo_build_history
from etage.demo.services import demo_build_reference

# The processes read through their own connections: the rows must be committed.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the snapshot forks on PostgreSQL only"
    ),
]


@pytest.fixture
def history() -> None:
    demo_build_reference(seed=1)
    demo_build_history(seed=5, count=40)


def _table(path: Path, arrow_schema: Any, keys: list[str]) -> list[dict[str, Any]]:
    table = pq.read_table(path, schema=arrow_schema)
    return table.sort_by([(k, "ascending") for k in keys]).to_pylist()


def test_processes_write_the_same_snapshot_as_one(
    history: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot, "PARALLEL_FROM", 10**9)
    one = write_snapshot(tmp_path / "one", full=True)
    monkeypatch.setattr(snapshot, "PARALLEL_FROM", 1)
    monkeypatch.setattr(snapshot, "MAX_WORKERS", 3)
    monkeypatch.setattr(snapshot.os, "cpu_count", lambda: 3)
    assert snapshot._workers(one.situations) == 3
    several = write_snapshot(tmp_path / "several", full=True)

    assert (several.situations, several.events_total) == (one.situations, one.events_total)
    assert one.events_total > 100
    keys = ["case_id"]
    assert _table(tmp_path / "several" / "situations.parquet", schema.SITUATIONS, keys) == (
        _table(tmp_path / "one" / "situations.parquet", schema.SITUATIONS, keys)
    )
    keys = ["case_id", "timestamp", "seq"]
    events = _table(tmp_path / "several" / "events", schema.EVENTS, keys)
    assert events == _table(tmp_path / "one" / "events", schema.EVENTS, keys)
    # The situations file keeps the key order of a single process.
    ordered = pq.read_table(tmp_path / "one" / "situations.parquet").column("case_id")
    assert pq.read_table(tmp_path / "several" / "situations.parquet").column("case_id") == ordered
    assert not list((tmp_path / "several").glob(".staging-*"))


def test_a_failing_process_fails_the_run_and_keeps_the_previous_snapshot(
    history: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_snapshot(tmp_path, full=True)
    before = (tmp_path / "manifest.json").read_text()
    monkeypatch.setattr(snapshot, "PARALLEL_FROM", 1)
    monkeypatch.setattr(snapshot.os, "cpu_count", lambda: 2)
    real_case = snapshot._case

    def failing(sit: tuple[Any, ...], *args: Any) -> dict[str, Any]:
        if sit[0] % 2:  # some situations of each range
            raise ValueError("panne simulée")
        return real_case(sit, *args)

    monkeypatch.setattr(snapshot, "_case", failing)
    with pytest.raises(RuntimeError, match="etage-snapshot-"):
        write_snapshot(tmp_path, full=True)
    assert (tmp_path / "manifest.json").read_text() == before
    assert not list(tmp_path.glob(".staging-*"))
