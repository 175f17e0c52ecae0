"""A snapshot of an empty database: every file is there, with its columns, so that the
analytics pages open (showing nothing) instead of failing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from etage.analytics import schema
from etage.analytics.snapshot import write_snapshot
from etage.analytics.store import connect


def test_empty_database_still_leaves_readable_files(
    db: None, tmp_path: Path, settings: Any
) -> None:
    settings.ETAGE_SNAPSHOT_DIR = tmp_path
    report = write_snapshot()
    assert report.situations == report.events_total == 0
    con = connect()
    for view in ("situations", "events", "meetings"):
        assert con.execute(f"SELECT count(*) FROM {view}").fetchone() == (0,)
    assert pq.read_schema(tmp_path / "situations.parquet").remove_metadata() == schema.SITUATIONS
    assert len(list((tmp_path / "events").glob("part-*.parquet"))) == 1
