"""Write (or check) docs/data-inventory.md, the DPIA's data inventory, from the models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from etage.core.inventory import render_markdown, undeclared_models, unknown_personal_fields


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _("Write or check the data inventory (docs/data-inventory.md).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", default=str(Path(settings.BASE_DIR) / "docs" / "data-inventory.md")
        )
        parser.add_argument(
            "--check", action="store_true", help=_("Fail if the file is not up to date.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        missing = undeclared_models()
        if missing:
            raise CommandError(
                _("Models missing from etage/core/inventory.py: %(models)s")
                % {"models": ", ".join(missing)}
            )
        gone = unknown_personal_fields()
        if gone:
            raise CommandError(
                _("Fields declared but not existing: %(fields)s") % {"fields": ", ".join(gone)}
            )
        # English headings, like the rest of docs/: the document is read next to the code.
        with translation.override("en"):
            text = render_markdown()
        path = Path(options["output"])
        if options["check"]:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(
                    _("%(path)s is not up to date: run python manage.py etage_data_inventory")
                    % {"path": path}
                )
            self.stdout.write(_("Data inventory up to date."))
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(_("Data inventory written to %(path)s.") % {"path": path})
