"""The standard event-log exports over a snapshot of the demo history: XES read back by pm4py
with the same cases, events and order; OCEL 2.0 JSON valid against the published schema and
read back by pm4py; OCEL 2.0 SQLite valid for pm4py's relational checks; CSV with pm4py's
column names; filters honoured; no partial file on error."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import jsonschema
import pandas as pd
import pm4py
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from pm4py.objects.ocel.validation import ocel20_rel_validation

from etage.analytics import exports, schema
from etage.analytics.exports import base
from etage.analytics.filters import Filters
from etage.analytics.snapshot import write_snapshot
from etage.analytics.store import connect
from tests import replay

pytestmark = pytest.mark.django_db

SCHEMA = Path(__file__).parent / "schemas" / "ocel20-schema-json.json"


@pytest.fixture(scope="module")
def snapshot_dir(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    directory = tmp_path_factory.mktemp("snapshot")
    with django_db_blocker.unblock(), transaction.atomic():
        replay.demo_reference(seed=1)
        replay.demo_history(seed=5, count=40)
        write_snapshot(directory)
        transaction.set_rollback(True)
    return directory


@pytest.fixture
def con(snapshot_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(snapshot_dir)
    yield connection
    connection.close()


def _log(con: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> list[tuple[Any, ...]]:
    """(case, activity, timestamp) of the kept events, straight from the snapshot."""
    kept = filters or Filters()
    marks = ", ".join("?" for _ in kept.categories)
    territories = " AND territory IN ('T1')" if kept.territories == ("T1",) else ""
    return con.execute(
        f"SELECT case_id, activity, timestamp FROM events WHERE category IN ({marks}) "
        f"AND case_id IN (SELECT case_id FROM situations WHERE true{territories}) "
        "ORDER BY case_id, timestamp, seq",
        list(kept.categories),
    ).fetchall()


@pytest.mark.parametrize("name", ["log.xes", "log.xes.gz"])
def test_xes_reads_back_in_pm4py_with_the_same_cases_events_and_order(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    written = exports.write_xes(con, path)
    expected = _log(con)
    assert written == len(expected) > 300
    if name.endswith(".gz"):
        assert path.read_bytes()[:2] == b"\x1f\x8b"
    df = pm4py.read_xes(str(path))
    got = list(
        zip(
            df["case:concept:name"],
            df["concept:name"],
            pd.to_datetime(df["time:timestamp"], utc=True),
            strict=True,
        )
    )
    assert [(c, a) for c, a, _ in got] == [(c, a) for c, a, _ in expected]
    assert [t.to_pydatetime() for _, _, t in got] == [t for _, _, t in expected]
    cases = con.execute(
        "SELECT count(DISTINCT case_id) FROM events WHERE category IN ('pathway', 'procedure', "
        "'review')"
    ).fetchone()
    assert cases is not None
    assert df["case:concept:name"].nunique() == cases[0]
    # Trace attributes come from the situations; every event is "complete".
    territories = dict(con.execute("SELECT case_id, territory FROM situations").fetchall())
    for case, territory in zip(df["case:concept:name"], df["case:territory"], strict=True):
        assert territories[case] == territory
    assert set(df["lifecycle:transition"]) == {"complete"}


def test_xes_honours_the_filters(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    filters = Filters(territories=("T1",))
    written = exports.write_xes(con, tmp_path / "t1.xes", filters)
    expected = _log(con, filters)
    assert written == len(expected) > 0
    df = pm4py.read_xes(str(tmp_path / "t1.xes"))
    assert set(df["case:territory"]) == {"T1"}
    assert len(df) < len(_log(con))


def test_ocel_json_validates_against_the_ocel_2_schema_and_reads_back(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "log.jsonocel"
    written = exports.write_ocel_json(con, path)
    document = json.loads(path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(
        json.loads(SCHEMA.read_text()), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    assert list(validator.iter_errors(document)) == []
    assert written == len(document["events"]) == len(_log(con))
    object_types = {o["type"] for o in document["objects"]}
    assert object_types == {"household", "situation", "referent", "landlord", "dwelling", "meeting"}
    assert {t["name"] for t in document["objectTypes"]} == object_types
    activities = {
        a
        for (a,) in con.execute(
            "SELECT DISTINCT activity FROM events WHERE category "
            "IN ('pathway', 'procedure', 'review')"
        ).fetchall()
    }
    assert {t["name"] for t in document["eventTypes"]} == activities
    ids = {o["id"] for o in document["objects"]}
    qualifiers = set()
    for item in document["events"] + document["objects"]:
        for relation in item.get("relationships", []):
            assert relation["objectId"] in ids
            qualifiers.add(relation["qualifier"])
    assert {"case", "household", "dwelling", "landlord", "decided in", "agenda item"} <= qualifiers
    declared = {t["name"]: {a["name"] for a in t["attributes"]} for t in document["eventTypes"]}
    for event in document["events"]:
        assert {a["name"] for a in event["attributes"]} <= declared[event["type"]]
    ocel = pm4py.read_ocel2_json(str(path))
    assert len(ocel.events) == written
    # pm4py keeps the objects some event relates to (referents and meetings with no decision
    # are related to situations only).
    related = {r["objectId"] for e in document["events"] for r in e["relationships"]}
    assert set(ocel.objects["ocel:oid"]) == related
    relations = sum(len(e["relationships"]) for e in document["events"])
    assert len(ocel.relations) == relations


def test_ocel_sqlite_passes_the_relational_checks_and_reads_back(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "log.sqlite"
    written = exports.write_ocel_sqlite(con, path)
    _satisfied, unsatisfied = ocel20_rel_validation.apply(str(path))
    assert not unsatisfied
    ocel = pm4py.read_ocel2_sqlite(str(path))
    assert len(ocel.events) == written == len(_log(con))
    db = sqlite3.connect(path)
    try:
        (objects,) = db.execute("SELECT count(*) FROM object").fetchone()
        (relations,) = db.execute("SELECT count(*) FROM event_object").fetchone()
        types = {t for (t,) in db.execute("SELECT ocel_type FROM object_map_type")}
    finally:
        db.close()
    assert len(ocel.relations) == relations
    assert len(ocel.objects) <= objects
    assert types == {"household", "situation", "referent", "landlord", "dwelling", "meeting"}
    # The same log as the JSON export.
    exports.write_ocel_json(con, tmp_path / "log.json")
    document = json.loads((tmp_path / "log.json").read_text())
    assert objects == len(document["objects"])


def test_csv_has_pm4py_column_names_and_the_log_order(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "log.csv"
    written = exports.write_csv(con, path)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0])[:4] == [
        "case:concept:name",
        "concept:name",
        "time:timestamp",
        "org:resource",
    ]
    assert {"level", "territory", "landlord"} <= set(rows[0])
    expected = _log(con)
    assert written == len(rows) == len(expected)
    assert [(r["case:concept:name"], r["concept:name"]) for r in rows] == [
        (c, a) for c, a, _ in expected
    ]
    assert all(r["time:timestamp"].endswith("Z") for r in rows)
    df = pm4py.format_dataframe(pd.read_csv(path))
    assert len(df) == written


def test_every_category_can_be_exported(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    everything = Filters(categories=schema.CATEGORIES)
    written = exports.write_csv(con, tmp_path / "all.csv", everything)
    total = con.execute("SELECT count(*) FROM events").fetchone()
    assert total is not None
    assert written == total[0] > len(_log(con))


@pytest.mark.parametrize(
    "writer", ["write_xes", "write_ocel_json", "write_ocel_sqlite", "write_csv"]
)
def test_an_error_leaves_no_file(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer: str
) -> None:
    real = base.events

    def failing(*args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        for index, event in enumerate(real(*args, **kwargs)):
            if index == 10:
                raise RuntimeError("disk full")
            yield event

    for module in ("xes", "ocel", "flat"):
        monkeypatch.setattr(f"etage.analytics.exports.{module}.events", failing, raising=False)
    monkeypatch.setattr(base, "events", failing)
    with pytest.raises(RuntimeError):
        getattr(exports, writer)(con, tmp_path / "out.file")
    assert list(tmp_path.iterdir()) == []


def test_command_writes_the_file_and_says_so(snapshot_dir: Path, tmp_path: Path) -> None:
    out = io.StringIO()
    target = tmp_path / "t1.csv"
    call_command(
        "etage_export_eventlog",
        "--format",
        "csv",
        "--out",
        str(target),
        "--snapshot",
        str(snapshot_dir),
        "--filter",
        "territory=T1",
        stdout=out,
    )
    with target.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    assert {r["territory"] for r in rows} == {"T1"}
    assert f"{len(rows)} évènements" in out.getvalue()


def test_command_refuses_in_french_without_leaving_a_file(tmp_path: Path) -> None:
    target = tmp_path / "log.xes"
    with pytest.raises(CommandError, match="etage_snapshot"):
        call_command(
            "etage_export_eventlog",
            "--format",
            "xes",
            "--out",
            str(target),
            "--snapshot",
            str(tmp_path / "nowhere"),
        )
    with pytest.raises(CommandError, match="dossier"):
        call_command(
            "etage_export_eventlog", "--format", "xes", "--out", str(tmp_path / "no" / "x.xes")
        )
    with pytest.raises(CommandError, match=r"CLÉ=VALEUR"):
        call_command(
            "etage_export_eventlog", "--format", "csv", "--out", str(target), "--filter", "T1"
        )
    assert list(tmp_path.iterdir()) == []
