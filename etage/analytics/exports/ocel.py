"""OCEL 2.0 exports (JSON and SQLite, https://www.ocel-standard.org/2.0/).

Objects: ``situation`` (the case, with the situation's attributes), ``household``,
``dwelling``, ``referent`` (the lead professional, pseudonymised, with the kind of the
referent organisation), ``landlord`` (its code) and ``meeting``. Object-to-object relations:
situation → household, dwelling, landlord, referent; dwelling → landlord; meeting → the
situations on its agenda. Events: one per kept event, of type its activity, related to its
situation (``case``), household, dwelling and landlord, and to the meeting that decided it.
Attribute values are written as strings, as the published JSON schema types them; the
declared types (string, integer, float, boolean, time) say how to read them. Static object
attributes carry the epoch as their time, as the specification does.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from etage.analytics import schema
from etage.analytics.exports.base import LINK_COLUMNS, atomic_path, events, iso_utc, situations
from etage.analytics.filters import Filters, events_sql

EPOCH = "1970-01-01T00:00:00Z"
OBJECT_TYPES = ("situation", "household", "dwelling", "referent", "landlord", "meeting")
_EVENT_COLUMNS = (
    "category",
    "day",
    "month",
    "seq",
    "from_status",
    "to_status",
    "resource",
    "role",
    "territory",
    "level",
)


def _ocel_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_integer(arrow_type):
        return "integer"
    if pa.types.is_floating(arrow_type):
        return "float"
    if pa.types.is_timestamp(arrow_type):
        return "time"
    return "string"


SITUATION_ATTRIBUTES = tuple(
    (f.name, _ocel_type(f.type)) for f in schema.SITUATIONS if f.name not in LINK_COLUMNS
)
_EVENT_TYPES = {f.name: _ocel_type(f.type) for f in schema.EVENTS}
OBJECT_ATTRIBUTES: dict[str, tuple[tuple[str, str], ...]] = {
    "situation": SITUATION_ATTRIBUTES,
    "household": (("adults", "integer"), ("children", "integer"), ("resources_band", "string")),
    "dwelling": (("commune_insee", "string"),),
    "referent": (("referent_kind", "string"),),
    "landlord": (("code", "string"),),
    "meeting": (("territory", "string"), ("held_month", "string"), ("status", "string")),
}


def _text(value: Any) -> str | None:
    """A value as the string OCEL carries (``None`` for unknown: the attribute is left out)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return iso_utc(value)
    if isinstance(value, list | tuple):
        return ",".join(map(str, value)) or None
    return str(value)


def landlord_id(code: str) -> str:
    return f"landlord-{code}"


@dataclass
class _Object:
    type: str
    id: str
    attributes: dict[str, str] = field(default_factory=dict)
    relations: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Event:
    id: str
    type: str
    time: str
    attributes: dict[str, str]
    relations: list[tuple[str, str]]


def _attributes(row: dict[str, Any], names: tuple[tuple[str, str], ...]) -> dict[str, str]:
    out = {}
    for name, _ in names:
        text = _text(row.get(name))
        if text is not None:
            out[name] = text
    return out


class _Log:
    """The objects of the kept cases, then their events, as streams. What stays in memory is
    one entry per case (its household, dwelling and landlord, for the events' relations) and
    the identifiers of the objects already written."""

    def __init__(self, con: duckdb.DuckDBPyConnection, filters: Filters | None) -> None:
        self.con, self.filters = con, filters
        self.links: dict[str, tuple[str, str, str]] = {}
        self.meetings: set[str] = set()
        self.event_types = self._event_types()

    def objects(self) -> Iterator[_Object]:
        """Every object once; to be read whole before :meth:`events`."""
        seen: set[str] = set()
        for row in situations(self.con, self.filters):
            landlord = _Object("landlord", landlord_id(row["landlord"]), {"code": row["landlord"]})
            household = _Object(
                "household", row["household"], _attributes(row, OBJECT_ATTRIBUTES["household"])
            )
            dwelling = _Object(
                "dwelling",
                row["dwelling"],
                _attributes(row, OBJECT_ATTRIBUTES["dwelling"]),
                [(landlord.id, "owned by")],
            )
            case = _Object(
                "situation",
                row["case_id"],
                _attributes(row, SITUATION_ATTRIBUTES),
                [(household.id, "household"), (dwelling.id, "dwelling"), (landlord.id, "landlord")],
            )
            related = [landlord, household, dwelling]
            if row["referent"]:
                referent = _Object(
                    "referent", row["referent"], _attributes(row, OBJECT_ATTRIBUTES["referent"])
                )
                case.relations.append((referent.id, "referent"))
                related.append(referent)
            for obj in related:
                if obj.id not in seen:
                    seen.add(obj.id)
                    yield obj
            self.links[case.id] = (household.id, dwelling.id, landlord.id)
            yield case
        yield from self._meetings()

    def _meetings(self) -> Iterator[_Object]:
        sql, params = events_sql(self._filters(), "meeting")
        used = {m for (m,) in self.con.execute(sql, params).fetchall() if m}
        rows = self.con.execute(
            "SELECT meeting, territory, held_month, status, situations "
            "FROM meetings ORDER BY meeting"
        ).fetchall()
        for meeting, territory, held_month, status, agenda in rows:
            on_agenda = [case for case in agenda if case in self.links]
            if meeting not in used and not on_agenda:
                continue
            self.meetings.add(meeting)
            attrs = {"territory": territory, "held_month": held_month, "status": status}
            yield _Object(
                "meeting",
                meeting,
                {k: v for k, v in attrs.items() if v},
                [(case, "agenda item") for case in on_agenda],
            )

    def _filters(self) -> Filters:
        return self.filters if self.filters is not None else Filters()

    def _event_types(self) -> dict[str, list[tuple[str, str]]]:
        sql, params = events_sql(self._filters(), "activity, details")
        rows = self.con.execute(
            f"SELECT activity, list_sort(list_distinct(flatten(list(map_keys(details))))) "  # noqa: S608
            f"FROM ({sql}) GROUP BY activity ORDER BY activity",
            params,
        ).fetchall()
        declared = [(c, _EVENT_TYPES[c]) for c in _EVENT_COLUMNS]
        return {
            activity: declared + [(f"detail:{key}", "string") for key in keys or ()]
            for activity, keys in rows
        }

    def events(self) -> Iterator[_Event]:
        for row in events(self.con, self.filters):
            links = self.links.get(row["case_id"])
            if links is None:
                continue
            household, dwelling, landlord = links
            relations = [
                (row["case_id"], "case"),
                (household, "household"),
                (dwelling, "dwelling"),
                (landlord, "landlord"),
            ]
            if row["meeting"] and row["meeting"] in self.meetings:
                relations.append((row["meeting"], "decided in"))
            attrs = {}
            for name in _EVENT_COLUMNS:
                text = _text(row[name])
                if text is not None:
                    attrs[name] = text
            for key, value in row["details"] or ():
                attrs[f"detail:{key}"] = value
            yield _Event(
                row["event_id"], row["activity"], iso_utc(row["timestamp"]), attrs, relations
            )


def _types(declared: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"name": name, "attributes": [{"name": a, "type": t} for a, t in attributes]}
        for name, attributes in declared.items()
    ]


def write_ocel_json(
    con: duckdb.DuckDBPyConnection, path: Path, filters: Filters | None = None
) -> int:
    """Write the OCEL 2.0 JSON document; returns the number of events."""
    log = _Log(con, filters)
    written = 0
    with atomic_path(Path(path)) as temporary, temporary.open("w", encoding="utf-8") as out:
        out.write('{"objectTypes": ')
        out.write(json.dumps(_types(OBJECT_ATTRIBUTES), ensure_ascii=False))
        out.write(',\n"eventTypes": ')
        out.write(json.dumps(_types(log.event_types), ensure_ascii=False))
        out.write(',\n"objects": [')
        for index, obj in enumerate(log.objects()):
            item = {
                "id": obj.id,
                "type": obj.type,
                "attributes": [
                    {"name": k, "value": v, "time": EPOCH} for k, v in obj.attributes.items()
                ],
                "relationships": [{"objectId": o, "qualifier": q} for o, q in obj.relations],
            }
            out.write(("," if index else "") + "\n" + json.dumps(item, ensure_ascii=False))
        out.write('],\n"events": [')
        for event in log.events():
            item = {
                "id": event.id,
                "type": event.type,
                "time": event.time,
                "attributes": [{"name": k, "value": v} for k, v in event.attributes.items()],
                "relationships": [{"objectId": o, "qualifier": q} for o, q in event.relations],
            }
            out.write(("," if written else "") + "\n" + json.dumps(item, ensure_ascii=False))
            written += 1
        out.write("]}\n")
    return written


_SQL_TYPES = {
    "string": "TEXT",
    "integer": "INTEGER",
    "float": "REAL",
    "boolean": "INTEGER",
    "time": "TIMESTAMP",
}


def _table_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", name)


def _q(identifier: str) -> str:
    """A quoted SQLite identifier (table and column names come from codes, quoted anyway)."""
    return '"' + identifier.replace('"', '""') + '"'


def _create(
    db: sqlite3.Connection, kind: str, types: dict[str, Any]
) -> dict[str, tuple[list[str], str]]:
    """The type-map table, the ``event``/``object`` table and one table per type; returns the
    attribute columns of each type's table and the statement inserting into it."""
    db.execute(f"CREATE TABLE {kind}_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT)")
    db.execute(
        f"CREATE TABLE {kind} (ocel_id TEXT PRIMARY KEY, ocel_type TEXT, "
        f"FOREIGN KEY (ocel_type) REFERENCES {kind}_map_type (ocel_type))"
    )
    columns: dict[str, tuple[list[str], str]] = {}
    for name, attributes in types.items():
        table = _table_name(name)
        db.execute(f"INSERT INTO {kind}_map_type VALUES (?, ?)", (name, table))  # noqa: S608
        extra = "".join(f", {_q(a)} {_SQL_TYPES[t]}" for a, t in attributes)
        key = "PRIMARY KEY" if kind == "event" else ""
        changed = ", ocel_changed_field TEXT" if kind == "object" else ""
        db.execute(
            f"CREATE TABLE {_q(kind + '_' + table)} (ocel_id TEXT {key}, ocel_time TIMESTAMP"
            f"{changed}{extra}, FOREIGN KEY (ocel_id) REFERENCES {kind} (ocel_id))"
        )
        fixed = 3 if kind == "object" else 2
        marks = ", ".join("?" for _ in range(len(attributes) + fixed))
        insert = f"INSERT INTO {_q(kind + '_' + table)} VALUES ({marks})"  # noqa: S608
        columns[name] = ([a for a, _ in attributes], insert)
    return columns


def _sql_time(iso: str) -> str:
    return iso.replace("T", " ").removesuffix("Z")


_O2O = "INSERT OR IGNORE INTO object_object VALUES (?, ?, ?)"
_E2O = "INSERT OR IGNORE INTO event_object VALUES (?, ?, ?)"


class _Batches:
    """Rows grouped per statement and written with ``executemany`` every few thousand."""

    SIZE = 5_000

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.pending: dict[str, list[tuple[Any, ...]]] = {}
        self.count = 0

    def add(self, statement: str, row: tuple[Any, ...]) -> None:
        self.pending.setdefault(statement, []).append(row)
        self.count += 1
        if self.count >= self.SIZE:
            self.flush()

    def flush(self) -> None:
        for statement, rows in self.pending.items():
            self.db.executemany(statement, rows)
        self.pending, self.count = {}, 0


def write_ocel_sqlite(
    con: duckdb.DuckDBPyConnection, path: Path, filters: Filters | None = None
) -> int:
    """Write the OCEL 2.0 SQLite database (the relational format); returns the number of
    events."""
    log = _Log(con, filters)
    written = 0
    with atomic_path(Path(path)) as temporary:
        temporary.unlink()
        db = sqlite3.connect(temporary)
        try:
            # A file of our own, renamed only once complete: no journal needed.
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            object_columns = _create(db, "object", OBJECT_ATTRIBUTES)
            event_columns = _create(db, "event", log.event_types)
            db.execute(
                "CREATE TABLE event_object (ocel_event_id TEXT, ocel_object_id TEXT, "
                "ocel_qualifier TEXT, PRIMARY KEY (ocel_event_id, ocel_object_id, ocel_qualifier), "
                "FOREIGN KEY (ocel_event_id) REFERENCES event (ocel_id), "
                "FOREIGN KEY (ocel_object_id) REFERENCES object (ocel_id))"
            )
            db.execute(
                "CREATE TABLE object_object (ocel_source_id TEXT, ocel_target_id TEXT, "
                "ocel_qualifier TEXT, "
                "PRIMARY KEY (ocel_source_id, ocel_target_id, ocel_qualifier), "
                "FOREIGN KEY (ocel_source_id) REFERENCES object (ocel_id), "
                "FOREIGN KEY (ocel_target_id) REFERENCES object (ocel_id))"
            )
            rows = _Batches(db)
            for obj in log.objects():
                rows.add("INSERT INTO object VALUES (?, ?)", (obj.id, obj.type))
                names, insert = object_columns[obj.type]
                values = (obj.attributes.get(n) for n in names)
                rows.add(insert, (obj.id, _sql_time(EPOCH), None, *values))
                for target, qualifier in obj.relations:
                    rows.add(_O2O, (obj.id, target, qualifier))
            for event in log.events():
                rows.add("INSERT INTO event VALUES (?, ?)", (event.id, event.type))
                names, insert = event_columns[event.type]
                values = (event.attributes.get(n) for n in names)
                rows.add(insert, (event.id, _sql_time(event.time), *values))
                for target, qualifier in event.relations:
                    rows.add(_E2O, (event.id, target, qualifier))
                written += 1
            rows.flush()
            db.commit()
        finally:
            db.close()
    return written
