"""Daily: remind data-protection officers of access requests due within 7 days or overdue.
Idempotent per day (docs/operations.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from etage.notifications.management.commands.etage_send_digests import parse_day
from etage.privacy.notify import send_reminders


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Remind data-protection officers of the access requests due within 7 days or "
            "overdue. Once a day per request and officer: running it again creates nothing."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", help=_("day to compute for, YYYY-MM-DD (default: today)"), default=None
        )

    def handle(self, *args: Any, date: str | None, **options: Any) -> None:
        created = send_reminders(parse_day(date))
        self.stdout.write(_("Access-request reminders created: %(count)s.") % {"count": created})
