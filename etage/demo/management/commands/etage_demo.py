from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from etage.demo import reference as ref
from etage.demo.analytics import demo_build_analytics
from etage.demo.evaluation import demo_build_evaluation, demo_evaluation_counts
from etage.demo.history import (
    DEFAULT_COUNT,
    MIN_COUNT,
    HistorySummary,
    demo_build_history,
    demo_delete_history,
    demo_situations,
)
from etage.demo.imports import demo_import_extracts
from etage.demo.services import demo_build_reference
from etage.notifications.dispatch import suppressed as notifications_suppressed
from etage.situations.choices import Status


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # argparse needs a plain str (not a lazy translation), so the help is translated when
        # the command is built, once Django's settings and translations are ready.
        self.help = _("Create the (fictitious) demo data of the three ETAGE territories.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=2019, help=_("generator seed (default: 2019)")
        )
        parser.add_argument(
            "--situations",
            type=int,
            default=DEFAULT_COUNT,
            help=_("number of situations in the demo history (default: %(default)s; 0: no history)")
            % {"default": DEFAULT_COUNT},
        )
        parser.add_argument(
            "--reset-history",
            action="store_true",
            help=_("delete the demo situations first, then generate the history again"),
        )

    def handle(
        self, *args: Any, seed: int, situations: int, reset_history: bool, **options: Any
    ) -> None:
        if not settings.ETAGE_ALLOW_DEMO_ACCOUNTS:
            raise CommandError(
                _(
                    "Demo accounts are forbidden with these settings "
                    "(ETAGE_ALLOW_DEMO_ACCOUNTS is false, or production settings)."
                )
            )
        if situations != 0 and situations < MIN_COUNT:
            raise CommandError(
                _("--situations must be 0 or at least %(min)s.") % {"min": MIN_COUNT}
            )
        accounts = demo_build_reference(seed=seed)
        self.stdout.write(
            self.style.SUCCESS(_("Demo data created (seed %(seed)s).") % {"seed": seed})
        )
        self.stdout.write("")
        self.stdout.write(
            _("Demo accounts — shared password: %(password)s") % {"password": ref.DEMO_PASSWORD}
        )
        width = max(len(a.username) for a in accounts)
        for account in accounts:
            self.stdout.write(
                f"  {account.username:<{width}}  {account.role_label} — "
                f"{account.organisation_code}, {account.territory_code} ({account.full_name})"
            )
        self.stdout.write("")
        self._history(seed=seed, count=situations, reset=reset_history)
        analytics = demo_build_analytics()
        self.stdout.write(
            _("Analytics snapshot: %(situations)s situations, %(figures)s indicator figures.")
            % {"situations": analytics.situations, "figures": analytics.figures}
        )
        # After the snapshot: the evaluation project draws its case studies from it.
        counts = demo_evaluation_counts(demo_build_evaluation(seed=seed))
        self.stdout.write(
            _(
                "Evaluation project “%(name)s” (t1-evaluation, t2-evaluation, t3-evaluation): "
                "%(interviews)s interviews, %(segments)s coded segments, %(cases)s case "
                "studies, %(workshops)s workshop."
            )
            % counts
        )

    def _history(self, *, seed: int, count: int, reset: bool) -> None:
        if reset:
            deleted = demo_delete_history()
            self.stdout.write(
                ngettext(
                    "Demo history deleted (%(count)s situation).",
                    "Demo history deleted (%(count)s situations).",
                    deleted,
                )
                % {"count": deleted}
            )
        existing = demo_situations().count()
        if existing:
            self.stdout.write(
                ngettext(
                    "A demo history is already there (%(count)s situation): nothing added. "
                    "Use --reset-history to generate it again.",
                    "A demo history is already there (%(count)s situations): nothing added. "
                    "Use --reset-history to generate it again.",
                    existing,
                )
                % {"count": existing}
            )
            return
        if count == 0:
            self.stdout.write(_("No demo history (--situations 0)."))
            return
        # Years of past work replayed through the services: nobody is notified of it.
        with notifications_suppressed():
            summary = demo_build_history(seed=seed, count=count)
        self._print_summary(summary)
        # The landlords' last monthly arrears extracts, through the real import service.
        imported = demo_import_extracts(seed=seed)
        self.stdout.write(
            _("Landlords' arrears extracts: %(imports)s imports, %(lines)s lines.")
            % {"imports": imported.imports, "lines": imported.lines}
        )

    def _print_summary(self, summary: HistorySummary) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo history: %(count)s situations identified from June 2019 to "
                    "December 2022 (%(seconds)s s)."
                )
                % {"count": summary.created, "seconds": round(summary.seconds)}
            )
        )
        if summary.duplicates_joined:
            self.stdout.write(
                "  "
                + ngettext(
                    "including %(count)s later referral joined to an open situation",
                    "including %(count)s later referrals joined to an open situation",
                    summary.duplicates_joined,
                )
                % {"count": summary.duplicates_joined}
            )
        self.stdout.write(
            "  "
            + _(
                "with %(meetings)s platform meetings (%(decisions)s decisions), "
                "%(events)s procedure events, %(actions)s plan actions, "
                "%(entries)s journal entries and %(reviews)s reviews"
            )
            % {
                "meetings": summary.meetings,
                "decisions": summary.decisions,
                "events": summary.procedure_events,
                "actions": summary.plan_actions,
                "entries": summary.journal_entries,
                "reviews": summary.reviews,
            }
        )
        names = {t.code: f"{t.code} {t.name}" for t in ref.TERRITORIES}
        self._table(
            _("Situations per territory:"),
            [(names.get(code, code), count) for code, count in summary.by_territory.items()],
        )
        self._table(
            _("Situations per status:"),
            [(str(Status(status).label), count) for status, count in summary.by_status.items()],
        )

    def _table(self, title: str, rows: list[tuple[str, int]]) -> None:
        self.stdout.write(title)
        width = max((len(label) for label, _count in rows), default=0)
        for label, count in rows:
            self.stdout.write(f"  {label:<{width}}  {count:>4}")
