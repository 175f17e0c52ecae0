"""XES (IEEE 1849-2016) export: one trace per case with the situation's attributes, one event
per kept event in ``(timestamp, seq)`` order, with the Concept, Time, Organizational and
Lifecycle extensions. ``.xes.gz`` is gzip-compressed. Written as a stream, a trace at a
time, never as a tree in memory."""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import quoteattr

import duckdb

from etage.analytics.exports.base import atomic_path, iso_utc, traces
from etage.analytics.filters import Filters

EXTENSIONS = (
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
)
#: Event columns written under another name (the XES extensions') or not at all.
_EVENT_KEYS = {
    "activity": "concept:name",
    "timestamp": "time:timestamp",
    "resource": "org:resource",
    "role": "org:role",
    "event_id": "identity:id",
}
_SKIPPED = {"case_id", "details"}


@contextmanager
def _open(path: Path, gzipped: bool) -> Iterator[Any]:
    if gzipped:
        with gzip.open(path, "wb", compresslevel=5) as handle:
            yield handle
    else:
        with path.open("wb") as handle:
            yield handle


class _Writer:
    """Markup written as text, a trace at a time: the SAX generator's per-call overhead made a
    national log take tens of minutes. Attribute values go through ``quoteattr``."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.parts: list[str] = ['<?xml version="1.0" encoding="utf-8"?>\n']

    @staticmethod
    def _attrs(attrs: dict[str, str]) -> str:
        return "".join(f" {name}={quoteattr(value)}" for name, value in attrs.items())

    def start(self, tag: str, attrs: dict[str, str] | None = None) -> None:
        self.parts.append(f"<{tag}{self._attrs(attrs or {})}>")

    def end(self, tag: str) -> None:
        self.parts.append(f"</{tag}>")

    def element(self, tag: str, **attrs: str) -> None:
        self.parts.append(f"<{tag}{self._attrs(attrs)}/>")

    def newline(self) -> None:
        self.parts.append("\n")

    def flush(self) -> None:
        self.out.write("".join(self.parts).encode("utf-8"))
        self.parts.clear()

    def attribute(self, key: str, value: Any) -> None:
        """One typed XES attribute; ``None`` and "" are left out (unknown, not empty)."""
        if value is None or value == "":
            return
        if isinstance(value, bool):
            self.element("boolean", key=key, value="true" if value else "false")
        elif isinstance(value, int):
            self.element("int", key=key, value=str(value))
        elif isinstance(value, float):
            self.element("float", key=key, value=repr(value))
        elif isinstance(value, dt.datetime):
            self.element("date", key=key, value=iso_utc(value, millis=True))
        elif isinstance(value, list | tuple):
            if value:
                self.element("string", key=key, value=",".join(map(str, value)))
        else:
            self.element("string", key=key, value=str(value))


def write_xes(con: duckdb.DuckDBPyConnection, path: Path, filters: Filters | None = None) -> int:
    """Write the kept cases to ``path`` (gzip when it ends in ``.gz``). Returns the number of
    events written."""
    path = Path(path)
    written = 0
    with atomic_path(path) as temporary, _open(temporary, path.suffix == ".gz") as out:
        w = _Writer(out)
        w.start(
            "log",
            {
                "xes.version": "1849-2016",
                "xes.features": "nested-attributes",
                "xmlns": "http://www.xes-standard.org/",
            },
        )
        w.newline()
        for name, prefix, uri in EXTENSIONS:
            w.element("extension", name=name, prefix=prefix, uri=uri)
            w.newline()
        w.start("global", {"scope": "trace"})
        w.element("string", key="concept:name", value="__INVALID__")
        w.end("global")
        w.start("global", {"scope": "event"})
        w.element("string", key="concept:name", value="__INVALID__")
        w.element("date", key="time:timestamp", value="1970-01-01T00:00:00.000+00:00")
        w.element("string", key="lifecycle:transition", value="complete")
        w.end("global")
        w.newline()
        w.element("classifier", name="Activity", keys="concept:name")
        w.attribute("concept:name", "ETAGE")
        w.newline()
        for situation, events in traces(con, filters):
            w.start("trace")
            w.attribute("concept:name", situation["case_id"])
            for key, value in situation.items():
                if key != "case_id":
                    w.attribute(key, value)
            for event in events:
                w.start("event")
                for key, value in event.items():
                    if key not in _SKIPPED:
                        w.attribute(_EVENT_KEYS.get(key, key), value)
                w.attribute("lifecycle:transition", "complete")
                for detail, value in event["details"] or ():
                    w.attribute(f"detail:{detail}", value)
                w.end("event")
                written += 1
            w.end("trace")
            w.newline()
            w.flush()
        w.end("log")
        w.flush()
    return written
