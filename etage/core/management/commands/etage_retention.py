from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from etage.core.retention import retention_run


def parse_day(value: str | None) -> dt.date:
    if not value:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("--date must be a date written YYYY-MM-DD (for example 2026-11-26).")
        ) from None


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Delete what has passed its retention period (access-log entries, …) and store a "
            "report with counts only. Run once a day; --dry-run only counts."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("count what would be deleted, change nothing"),
        )
        parser.add_argument(
            "--date", help=_("day to compute for, YYYY-MM-DD (default: today)"), default=None
        )

    def handle(self, *args: Any, dry_run: bool, date: str | None, **options: Any) -> None:
        day = parse_day(date)
        report = retention_run(today=day, dry_run=dry_run)
        title = (
            _("Retention of %(day)s (dry run, nothing changed):")
            if dry_run
            else _("Retention of %(day)s:")
        )
        self.stdout.write(title % {"day": day.strftime("%d/%m/%Y")})
        for name, count in report.counts.items():
            self.stdout.write(f"  {name}: {count}")
