"""``manage.py etage_generate --scale small|metropolis|national --seed S``: synthetic data at
scale in the configured database (see :mod:`etage.demo.generate` and docs/performance.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from etage.demo import reference as ref
from etage.demo.generate import SCALES, GenerationRefused, generate, generate_refusal


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A plain str for argparse, translated once the settings are ready.
        self.help = _(
            "Fill an empty database with fictitious data at scale (small, metropolis or "
            "national), to measure the application."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=2026, help=_("generator seed"))
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help=_("date the history runs up to (YYYY-MM-DD; default: today)"),
        )

    def handle(
        self, *args: Any, scale: str, seed: int, today: dt.date | None, **options: Any
    ) -> None:
        if not settings.ETAGE_ALLOW_DEMO_ACCOUNTS:
            raise CommandError(
                _(
                    "Demo accounts are forbidden with these settings "
                    "(ETAGE_ALLOW_DEMO_ACCOUNTS is false, or production settings)."
                )
            )
        refusal = generate_refusal()
        if refusal:
            raise CommandError(refusal)
        plan = SCALES[scale]
        self.stdout.write(
            _(
                "Generating “%(scale)s”: %(territories)s territories, %(situations)s "
                "situations, %(users)s accounts (seed %(seed)s)."
            )
            % {
                "scale": scale,
                "territories": plan.territories,
                "situations": plan.situations,
                "users": plan.users,
                "seed": seed,
            }
        )
        try:
            summary = generate(
                plan,
                seed=seed,
                today=today or timezone.localdate(),
                progress=lambda line: self.stdout.write("  " + line),
            )
        except GenerationRefused as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Generated in %(seconds)s s: %(situations)s situations, %(pathway)s "
                    "pathway events, %(procedure)s procedure events, %(journal)s journal "
                    "entries, %(reviews)s reviews, %(users)s accounts."
                )
                % {
                    "seconds": round(summary.seconds, 1),
                    "situations": summary.situations,
                    "pathway": summary.pathway_events,
                    "procedure": summary.procedure_events,
                    "journal": summary.journal_entries,
                    "reviews": summary.reviews,
                    "users": summary.users,
                }
            )
        )
        self.stdout.write(
            _(
                "Accounts such as g001-coordination-1 (one coordinator per territory and "
                "more); shared password: %(password)s"
            )
            % {"password": ref.DEMO_PASSWORD}
        )
