"""What the exports share: the selection of cases and events, the streams in the log's order,
and the atomic write."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

from etage.analytics.filters import Filters, case_ids_sql, events_sql

#: Rows per Arrow batch read from DuckDB.
BATCH = 50_000

#: Situation columns that name another object (OCEL) or the case itself.
LINK_COLUMNS = ("case_id", "household", "dwelling", "referent", "landlord")


def selection(filters: Filters | None) -> Filters:
    return filters if filters is not None else Filters()


def iso_utc(moment: dt.datetime, *, millis: bool = False) -> str:
    """ISO 8601 in UTC with a ``Z``, or with milliseconds and ``+00:00`` (XES's usual form)."""
    moment = moment.astimezone(dt.UTC)
    if millis:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+00:00"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _stream(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]
) -> Iterator[dict[str, Any]]:
    # A cursor of its own, so that two streams can be read side by side.
    reader = con.cursor().sql(sql, params=params).to_arrow_reader(BATCH)
    for batch in reader:
        yield from batch.to_pylist()


def events(con: duckdb.DuckDBPyConnection, filters: Filters | None) -> Iterator[dict[str, Any]]:
    """The kept events, ordered by case, time and ``seq`` (the order of :mod:`..schema`)."""
    sql, params = events_sql(selection(filters))
    return _stream(con, f"{sql} ORDER BY case_id, timestamp, seq", params)


def situations(con: duckdb.DuckDBPyConnection, filters: Filters | None) -> Iterator[dict[str, Any]]:
    """The kept cases that have at least one kept event, ordered by case."""
    kept = selection(filters)
    cases, params = case_ids_sql(kept)
    trace_sql, trace_params = events_sql(kept, "case_id")
    sql = (
        f"SELECT * FROM situations WHERE case_id IN ({cases}) "  # noqa: S608
        f"AND case_id IN ({trace_sql}) ORDER BY case_id"
    )
    return _stream(con, sql, [*params, *trace_params])


def traces(
    con: duckdb.DuckDBPyConnection, filters: Filters | None
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Each kept case with its events, in case order (one case in memory at a time)."""
    stream = events(con, filters)
    pending = next(stream, None)
    for situation in situations(con, filters):
        case: list[dict[str, Any]] = []
        while pending is not None and pending["case_id"] < situation["case_id"]:
            pending = next(stream, None)  # an event without its situation: not exported
        while pending is not None and pending["case_id"] == situation["case_id"]:
            case.append(pending)
            pending = next(stream, None)
        yield situation, case


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed to it when the block succeeds and removed
    when it fails."""
    path = Path(path)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
