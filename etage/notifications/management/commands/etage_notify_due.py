from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from etage.notifications.dispatch import notify_due
from etage.notifications.management.commands.etage_send_digests import parse_day


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Create the notifications of procedure deadlines in the next 30 days and of reviews "
            "due within 7 days. Each is created once: running it again creates nothing new."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", help=_("day to compute for, YYYY-MM-DD (default: today)"), default=None
        )

    def handle(self, *args: Any, date: str | None, **options: Any) -> None:
        day = parse_day(date)
        report = notify_due(day)
        self.stdout.write(
            _(
                "Notifications of %(day)s: %(deadlines)s procedure deadline(s), %(reviews)s "
                "review(s) due."
            )
            % {
                "day": day.strftime("%d/%m/%Y"),
                "deadlines": report.deadlines,
                "reviews": report.reviews,
            }
        )
