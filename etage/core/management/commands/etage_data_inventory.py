"""Write (or check) docs/data-inventory.md, the DPIA's data inventory, from the models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from etage.core.inventory import render_markdown, undeclared_models, unknown_personal_fields


class Command(BaseCommand):
    help = "Écrit ou vérifie l'inventaire des données (docs/data-inventory.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", default=str(Path(settings.BASE_DIR) / "docs" / "data-inventory.md")
        )
        parser.add_argument(
            "--check", action="store_true", help="Échoue si le fichier n'est pas à jour."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        missing = undeclared_models()
        if missing:
            raise CommandError("Modèles absents de etage/core/inventory.py : " + ", ".join(missing))
        gone = unknown_personal_fields()
        if gone:
            raise CommandError("Champs déclarés mais inexistants : " + ", ".join(gone))
        # English headings, like the rest of docs/: the document is read next to the code.
        with translation.override("en"):
            text = render_markdown()
        path = Path(options["output"])
        if options["check"]:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(
                    f"{path} n'est pas à jour : lancez python manage.py etage_data_inventory"
                )
            self.stdout.write("Inventaire des données à jour.")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Inventaire des données écrit dans {path}.")
