"""Build a costly test world once per process, then replay the rows it wrote.

The demo history walks dozens of situations through the real services (about 20 s for 40
situations); many test modules need the same one. :func:`replay` runs the builder for real the
first time a key is asked for on a given database state, records every row it added, table by
table, and the next time the same key is asked for on the same database state (compared row by
row) inserts those rows again in one transaction instead of running the builder. The world a
test sees is therefore exactly the one the services built, ids and timestamps included.

It refuses to record what it could not replay faithfully: a builder that changed or deleted a
row that existed before it ran is run for real every time. The tests of the builders themselves
(tests/demo/) call them directly, never through here.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.apps import apps
from django.core import mail
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from etage.demo.history import HistorySummary, demo_build_history
from etage.demo.services import demo_build_reference
from etage.notifications.dispatch import is_suppressed

T = TypeVar("T")

#: Tables whose content is the schema's, not the data's.
_SKIPPED = frozenset({"django_migrations", "sqlite_sequence"})

#: Rows as each database gives them back: one COPY text line per row on PostgreSQL (exact for
#: every type), one tuple of Python values on SQLite.
Rows = frozenset[Any]


@dataclass(frozen=True)
class _Recording:
    before: dict[str, Rows]
    added: dict[str, tuple[Any, ...]]
    mails: tuple[Any, ...]
    result: Any


#: Per key, one recording per starting state met (a flushed database, one with the demo
#: reference, …).
_RECORDINGS: dict[tuple[Hashable, ...], list[_Recording]] = {}
#: Keys whose builder changes rows it did not create: always run for real.
_UNREPLAYABLE: set[tuple[Hashable, ...]] = set()


def replay(key: Hashable, build: Callable[[], T]) -> T:
    """``build()``'s result, building for real only the first time ``key`` is asked for on the
    current database state in this process (see the module's docstring)."""
    full_key = (
        connection.vendor,
        connection.settings_dict["NAME"],
        # What the builders read from outside the database: today (time-machine may have moved
        # it) and whether notifications are written.
        timezone.localdate(),
        is_suppressed(),
        key,
    )
    if full_key in _UNREPLAYABLE:
        return build()
    before = _dump()
    for recording in _RECORDINGS.get(full_key, []):
        if recording.before == before:
            with transaction.atomic():
                _insert(recording.added)
            if recording.mails:
                mail.outbox.extend(copy.deepcopy(list(recording.mails)))
            return copy.deepcopy(recording.result)
    outbox = getattr(mail, "outbox", None)
    sent = len(outbox) if outbox is not None else 0
    result = build()
    after = _dump()
    added: dict[str, tuple[Any, ...]] = {}
    for table, rows in after.items():
        previous = before.get(table, frozenset())
        if not previous <= rows:
            _UNREPLAYABLE.add(full_key)
            return result
        if len(rows) > len(previous):
            added[table] = tuple(rows - previous)
    mails = tuple(copy.deepcopy(outbox[sent:])) if outbox is not None else ()
    _RECORDINGS.setdefault(full_key, []).append(
        _Recording(before, added, mails, copy.deepcopy(result))
    )
    return result


def demo_reference(seed: int = 1) -> list[Any]:
    """:func:`~etage.demo.services.demo_build_reference`, replayed."""
    return replay(("demo_reference", seed), lambda: demo_build_reference(seed=seed))


def demo_history(*, seed: int, count: int) -> HistorySummary:
    """:func:`~etage.demo.history.demo_build_history`, replayed."""
    return replay(("demo_history", seed, count), lambda: demo_build_history(seed=seed, count=count))


def _tables() -> list[str]:
    return sorted(set(connection.introspection.table_names()) - _SKIPPED)


def _dump() -> dict[str, Rows]:
    dumped: dict[str, Rows] = {}
    with connection.cursor() as cursor:
        for table in _tables():
            name = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {name} TO STDOUT") as copy_out:
                    data = b"".join(bytes(chunk) for chunk in copy_out)
                dumped[table] = frozenset(data.splitlines())
            else:
                cursor.execute(f"SELECT * FROM {name}")
                dumped[table] = frozenset(cursor.fetchall())
    return dumped


def _insert(added: dict[str, tuple[Any, ...]]) -> None:
    """Insert the recorded rows (foreign keys are deferred to the commit on both databases, so
    the tables' order does not matter), then move each sequence past the highest id."""
    with connection.cursor() as cursor:
        for table, rows in added.items():
            name = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {name} FROM STDIN") as copy_in:
                    copy_in.write(b"\n".join(rows) + b"\n")
            else:
                marks = ", ".join(["%s"] * len(next(iter(rows))))
                cursor.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)
        if connection.vendor == "postgresql":
            models = [
                model
                for model in apps.get_models(include_auto_created=True)
                if model._meta.db_table in added
            ]
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
