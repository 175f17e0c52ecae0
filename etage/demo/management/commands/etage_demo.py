from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from etage.demo import reference as ref
from etage.demo.services import demo_build_reference


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

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        if not settings.ETAGE_ALLOW_DEMO_ACCOUNTS:
            raise CommandError(
                _(
                    "Demo accounts are forbidden with these settings "
                    "(ETAGE_ALLOW_DEMO_ACCOUNTS is false, or production settings)."
                )
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
