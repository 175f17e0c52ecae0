"""Where snapshots live and how analytics open them: a DuckDB connection with three views
(``situations``, ``events``, ``meetings``) over the Parquet files of :mod:`.schema`. Every
reader goes through :func:`connect`, never through the operational database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
from django.conf import settings
from django.utils.translation import gettext as _

#: DuckDB's memory per connection; what a query needs beyond it spills to :data:`SPILL_DIR`.
MEMORY_LIMIT = "1GB"
SPILL_DIR = "duckdb-spill"


class SnapshotMissing(Exception):
    """No snapshot has been written yet (the message is for people)."""


def snapshot_dir() -> Path:
    return Path(settings.ETAGE_SNAPSHOT_DIR)


def manifest(directory: Path | None = None) -> dict[str, Any]:
    path = (directory or snapshot_dir()) / "manifest.json"
    if not path.exists():
        raise SnapshotMissing(
            _(
                "No analytics snapshot yet: run “python manage.py etage_snapshot” "
                "(it runs every night in production)."
            )
        )
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def connect(directory: Path | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection whose views read the snapshot in ``directory``."""
    directory = directory or snapshot_dir()
    manifest(directory)  # raises SnapshotMissing with a French message
    con = duckdb.connect(database=":memory:")
    # Two threads at most: the analytics share the machine with the web workers.
    con.execute("SET threads TO 2")
    con.execute("SET TimeZone = 'UTC'")
    root = directory.as_posix().replace("'", "''")
    # Bounded memory (the national indicator suite would take several GB otherwise): DuckDB
    # spills its sorts and aggregates past the limit, next to the snapshot it reads (outside
    # ``events/``, so never taken for a part; created only when it spills).
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute(f"SET temp_directory = '{root}/{SPILL_DIR}'")
    for view, files in (
        ("situations", "situations.parquet"),
        ("events", "events/*.parquet"),  # the writer always leaves at least one part
        ("meetings", "meetings.parquet"),
    ):
        con.execute(f"CREATE VIEW {view} AS SELECT * FROM read_parquet('{root}/{files}')")  # noqa: S608
    return con
