"""``python manage.py etage_territory export CODE --out FILE`` and
``python manage.py etage_territory import FILE [--code T9] [--name "…"]``: the reproduction
kit (:mod:`etage.territories.kit`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from etage.territories.kit import KitError, dump, export_territory, import_territory, load
from etage.territories.models import Territory


class Command(BaseCommand):
    help = "Export a territory's whole configuration, or create a territory from such a file."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write a territory's configuration (YAML).")
        export.add_argument("code", help="Territory code, e.g. T1.")
        export.add_argument("--out", type=Path, help="File to write (default: standard output).")
        imported = sub.add_parser("import", help="Create a territory from a kit file.")
        imported.add_argument("file", type=Path)
        imported.add_argument("--code", default="", help="Code of the new territory.")
        imported.add_argument("--name", default="", help="Name of the new territory.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            territory = Territory.objects.filter(code=options["code"]).first()
            if territory is None:
                raise CommandError(
                    _("No territory has the code %(code)s.") % {"code": options["code"]}
                )
            text = dump(export_territory(territory))
            if options.get("out"):
                options["out"].write_text(text, encoding="utf-8")
                self.stdout.write(
                    _("Territory %(code)s written to %(path)s.")
                    % {"code": territory.code, "path": options["out"]}
                )
            else:
                self.stdout.write(text)
            return
        path: Path = options["file"]
        try:
            data = load(path.read_bytes())
            territory = import_territory(data, code=options["code"], name=options["name"])
        except FileNotFoundError as error:
            raise CommandError(_("File not found: %(path)s") % {"path": path}) from error
        except KitError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _(
                "Territory %(code)s “%(name)s” created with its platform, %(communes)s "
                "communes and %(rules)s early-warning rules."
            )
            % {
                "code": territory.code,
                "name": territory.name,
                "communes": territory.communes.count(),
                "rules": territory.warning_rules.count(),
            }
        )
