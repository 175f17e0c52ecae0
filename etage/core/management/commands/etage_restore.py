"""``python manage.py etage_restore FILE --target URL_OR_PATH [--check]``: restore a backup of
``etage_backup`` into a database (a PostgreSQL URL whose database exists, or a SQLite file),
then, with ``--check``, compare the row count and checksum of every table with those recorded
at backup time: the command fails if anything differs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from etage.core.backup import BackupError, fingerprints, restore


class Command(BaseCommand):
    help = "Restore a backup into a database and check it table by table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--target", required=True, help="PostgreSQL URL or SQLite file.")
        parser.add_argument("--check", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["file"]
        target: str = options["target"]
        try:
            restore(source, target=target)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if not options["check"]:
            self.stdout.write(_("Backup restored into %(target)s.") % {"target": target})
            return
        recorded_path = source.with_name(source.name + ".sha256.json")
        if not recorded_path.exists():
            raise CommandError(
                _("No fingerprint file beside the backup: %(path)s") % {"path": recorded_path}
            )
        recorded = {k: tuple(v) for k, v in json.loads(recorded_path.read_text("utf-8")).items()}
        restored = fingerprints(target)
        differing = sorted(
            table
            for table in set(recorded) | set(restored)
            if recorded.get(table) != restored.get(table)
        )
        if differing:
            raise CommandError(
                _("The restored database differs from the backup in: %(tables)s")
                % {"tables": ", ".join(differing)}
            )
        self.stdout.write(
            _("Backup restored and checked: %(tables)s tables identical (count and checksum).")
            % {"tables": len(restored)}
        )
