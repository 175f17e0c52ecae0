"""Backup → restore round trip on a generated dataset loses nothing: every table has the same
row count and checksum after the restore (issue 11; docs/operations.md "Backups")."""

from __future__ import annotations

import io
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from etage.core.backup import fingerprints, live_target
from etage.demo.history import MIN_COUNT, demo_build_history
from etage.demo.services import demo_build_reference


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[str]:
    """An empty database of the same engine to restore into."""
    if connection.vendor == "sqlite":
        yield str(tmp_path / "restored.sqlite3")
        return
    import psycopg

    name = f"etage_restore_{os.getpid()}"
    admin = live_target().rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}"')
        pg.execute(f'CREATE DATABASE "{name}"')
    yield live_target().rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(admin, autocommit=True) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_every_table_identically(tmp_path, scratch):
    demo_build_reference(seed=1)
    demo_build_history(seed=2, count=MIN_COUNT)
    out = tmp_path / "etage.backup"
    call_command("etage_backup", "--out", str(out), stdout=io.StringIO())
    recorded = json.loads((tmp_path / "etage.backup.sha256.json").read_text("utf-8"))
    assert recorded["situations_situation"][0] >= MIN_COUNT
    assert recorded["situations_pathwayevent"][0] > 0

    report = io.StringIO()
    call_command("etage_restore", str(out), "--target", scratch, "--check", stdout=report)
    assert "identiques" in report.getvalue()
    assert {k: list(v) for k, v in fingerprints(scratch).items()} == recorded

    # The check is not blind: a changed row is found.
    if connection.vendor == "sqlite":
        db = sqlite3.connect(scratch)
        db.execute("UPDATE territories_territory SET name = name || ' (modifié)'")
        db.commit()
        db.close()
    else:
        import psycopg

        with psycopg.connect(scratch, autocommit=True) as pg:
            pg.execute("UPDATE territories_territory SET name = name || ' (modifié)'")
    changed = fingerprints(scratch)
    assert changed["territories_territory"] != tuple(recorded["territories_territory"])
    assert changed["territories_territory"][0] == recorded["territories_territory"][0]


def test_a_missing_backup_is_refused(tmp_path):
    with pytest.raises(CommandError):
        call_command("etage_restore", str(tmp_path / "absent"), "--target", str(tmp_path / "x"))
