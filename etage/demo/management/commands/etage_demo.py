from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from etage.demo import reference as ref
from etage.demo.services import demo_build_reference


class Command(BaseCommand):
    help = "Crée les données de démonstration (fictives) des trois territoires ETAGE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=2019, help="graine du générateur (défaut : 2019)"
        )

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        if not settings.ETAGE_ALLOW_DEMO_ACCOUNTS:
            raise CommandError(
                "Les comptes de démonstration sont interdits avec ces réglages "
                "(ETAGE_ALLOW_DEMO_ACCOUNTS est faux ou réglages de production)."
            )
        accounts = demo_build_reference(seed=seed)
        self.stdout.write(self.style.SUCCESS(f"Données de démonstration créées (graine {seed})."))
        self.stdout.write("")
        self.stdout.write(f"Comptes de démonstration — mot de passe commun : {ref.DEMO_PASSWORD}")
        width = max(len(a.username) for a in accounts)
        for account in accounts:
            self.stdout.write(
                f"  {account.username:<{width}}  {account.role_label} — "
                f"{account.organisation_code}, {account.territory_code} ({account.full_name})"
            )
