"""``python manage.py etage_snapshot [--out DIR] [--full]``: write or bring up to date the
pseudonymised analytics snapshot (every night in production)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from etage.analytics.snapshot import write_snapshot


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _("Write the pseudonymised analytics snapshot (Parquet files).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out", type=Path, default=None, help=_("snapshot directory (default: settings)")
        )
        parser.add_argument(
            "--full", action="store_true", help=_("rebuild everything instead of appending")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = write_snapshot(options["out"], full=options["full"])
        mode = _("full rebuild") if report.full else _("incremental update")
        self.stdout.write(
            _(
                "Snapshot written to %(dir)s (%(mode)s): %(situations)d situations, "
                "%(events)d events (%(new)d new, %(parts)d parts), %(meetings)d meetings; "
                "%(rewritten)d situations rewritten after a correction, %(removed)d removed."
            )
            % {
                "dir": report.directory,
                "mode": mode,
                "situations": report.situations,
                "events": report.events_total,
                "new": report.events_written,
                "parts": report.parts,
                "meetings": report.meetings,
                "rewritten": report.cases_rewritten,
                "removed": report.cases_removed,
            }
        )
