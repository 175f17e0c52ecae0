"""Backup and restore of the ETAGE database, and the per-table fingerprint that proves a round
trip lost nothing (issue 11; docs/operations.md "Backups").

- PostgreSQL: ``pg_dump --format=custom`` (consistent snapshot of a live database, restorable
  table by table) and ``pg_restore --clean --if-exists`` into the target database;
- SQLite (the embedded default): SQLite's online backup API (a consistent copy while the
  platform runs), restored the same way in the other direction.

:func:`fingerprints` reads every table through a plain DB-API connection and returns, per
table, the row count and a SHA-256 of its rows in a stable order: two databases with the same
fingerprints hold the same data.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connections
from django.utils.translation import gettext as _


class BackupError(Exception):
    """The backup or restore failed; the message says why."""


def _engine(alias: str = "default") -> str:
    return "sqlite" if connections[alias].vendor == "sqlite" else "postgresql"


def _pg_url(alias: str = "default", database: str | None = None) -> str:
    settings = connections[alias].settings_dict
    user = settings.get("USER") or ""
    password = settings.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings.get("HOST") or "localhost"
    port = settings.get("PORT") or 5432
    name = database or settings["NAME"]
    return f"postgresql://{auth}{host}:{port}/{name}"


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            _("%(tool)s not found: install the PostgreSQL client tools.") % {"tool": command[0]}
        )
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(
            _("%(tool)s failed: %(error)s")
            % {"tool": command[0], "error": result.stderr.strip()[:2000]}
        )


def backup(out: Path, alias: str = "default") -> Path:
    """Write a consistent copy of the database to ``out``."""
    connection = connections[alias]
    if _engine(alias) == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(out)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return out
    _run(
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "-f",
            str(out),
            _pg_url(alias),
        ]
    )
    return out


def restore(source: Path, *, target: str) -> None:
    """Restore a backup into ``target``: a SQLite file path, or a PostgreSQL URL whose
    database exists (its tables are replaced)."""
    if not source.exists():
        raise BackupError(_("Backup not found: %(path)s") % {"path": source})
    if target.startswith(("postgres://", "postgresql://")):
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--dbname",
                target,
                str(source),
            ]
        )
        return
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _tables(cursor: Any, engine: str) -> list[str]:
    if engine == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    else:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    return [row[0] for row in cursor.fetchall()]


def _fingerprint(cursor: Any, engine: str) -> dict[str, tuple[int, str]]:
    result = {}
    for table in _tables(cursor, engine):
        cursor.execute(f'SELECT * FROM "{table}" LIMIT 0')  # noqa: S608 - names from the catalogue
        width = len(cursor.description)
        order = ", ".join(str(i) for i in range(1, width + 1))
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY {order}')  # noqa: S608
        digest = hashlib.sha256()
        count = 0
        for row in cursor.fetchall():
            digest.update(repr(tuple(row)).encode())
            digest.update(b"\n")
            count += 1
        result[table] = (count, digest.hexdigest())
    return result


def fingerprints(target: str) -> dict[str, tuple[int, str]]:
    """Row count and SHA-256 of every table of ``target`` (SQLite path or PostgreSQL URL)."""
    if target.startswith(("postgres://", "postgresql://")):
        import psycopg

        with psycopg.connect(target) as connection, connection.cursor() as cursor:
            return _fingerprint(cursor, "postgresql")
    database = sqlite3.connect(target)
    try:
        return _fingerprint(database.cursor(), "sqlite")
    finally:
        database.close()


def live_target(alias: str = "default") -> str:
    """The running database as a :func:`fingerprints` target."""
    if _engine(alias) == "sqlite":
        return str(connections[alias].settings_dict["NAME"])
    return _pg_url(alias)
