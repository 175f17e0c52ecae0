"""``python manage.py etage_backup --out FILE``: a consistent copy of the running database
(``pg_dump --format=custom`` on PostgreSQL, SQLite's online backup otherwise), and the row
count and checksum of every table beside it (``FILE.sha256.json``) so that a restore can be
checked (``etage_restore FILE --check``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from etage.core.backup import BackupError, backup, fingerprints, live_target


class Command(BaseCommand):
    help = "Back up the database, with a fingerprint of every table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        try:
            backup(out)
            prints = fingerprints(live_target())
        except BackupError as error:
            raise CommandError(str(error)) from error
        out.with_name(out.name + ".sha256.json").write_text(
            json.dumps(prints, indent=1, sort_keys=True), encoding="utf-8"
        )
        rows = sum(count for count, _digest in prints.values())
        self.stdout.write(
            _("Backup written to %(path)s: %(tables)s tables, %(rows)s rows.")
            % {"path": out, "tables": len(prints), "rows": rows}
        )
