"""``python manage.py etage_indicators compute [--snapshot DIR] | list``: compute the indicator
catalogue over the snapshot and store it (final periods kept), or list the catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from etage.analytics.catalogue import CATALOGUE
from etage.analytics.indicators import refresh_indicators
from etage.analytics.store import SnapshotMissing


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _("Compute the indicators over the analytics snapshot, or list them.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["compute", "list"])
        parser.add_argument(
            "--snapshot", type=Path, default=None, help=_("snapshot directory (default: settings)")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for indicator in CATALOGUE:
                self.stdout.write(
                    f"{indicator.code}\t{indicator.family}\t{indicator.unit}\t"
                    f"{indicator.final_after_months}\t{indicator.name}"
                )
            return
        try:
            computed, written, kept = refresh_indicators(options["snapshot"])
        except SnapshotMissing as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _(
                "Indicators computed: %(computed)d figures, %(written)d written, "
                "%(kept)d final periods kept as they were."
            )
            % {"computed": computed, "written": written, "kept": kept}
        )
