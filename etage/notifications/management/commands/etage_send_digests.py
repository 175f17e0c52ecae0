from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from etage.notifications.emails import send_digests


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
            "Send each person one e-mail with their notifications not e-mailed yet (only those "
            "they may still see). Run once a day; running it again the same day sends nothing."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", help=_("day of the digest, YYYY-MM-DD (default: today)"), default=None
        )

    def handle(self, *args: Any, date: str | None, **options: Any) -> None:
        day = parse_day(date)
        report = send_digests(day)
        self.stdout.write(
            _("Digests of %(day)s: %(emails)s e-mail(s), %(n)s notification(s).")
            % {"day": day.strftime("%d/%m/%Y"), "emails": report.emails, "n": report.notifications}
        )
