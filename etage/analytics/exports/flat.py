"""Flat CSV export with pm4py's column names (``case:concept:name``, ``concept:name``,
``time:timestamp`` in ISO 8601 UTC, ``org:resource``), one row per kept event in the log's
order, plus the level, territory and landlord in force and the tie-breaking ``seq``."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from etage.analytics.exports.base import atomic_path, events, iso_utc
from etage.analytics.filters import Filters

COLUMNS = (
    ("case:concept:name", "case_id"),
    ("concept:name", "activity"),
    ("time:timestamp", "timestamp"),
    ("org:resource", "resource"),
    ("org:role", "role"),
    ("category", "category"),
    ("level", "level"),
    ("territory", "territory"),
    ("landlord", "landlord"),
    ("day", "day"),
    ("seq", "seq"),
)


def write_csv(con: duckdb.DuckDBPyConnection, path: Path, filters: Filters | None = None) -> int:
    """Write the kept events to ``path``. Returns the number of rows written."""
    written = 0
    with (
        atomic_path(Path(path)) as temporary,
        temporary.open("w", encoding="utf-8", newline="") as out,
    ):
        writer = csv.writer(out)
        writer.writerow([name for name, _ in COLUMNS])
        for event in events(con, filters):
            event["timestamp"] = iso_utc(event["timestamp"])
            writer.writerow([event[column] for _, column in COLUMNS])
            written += 1
    return written
