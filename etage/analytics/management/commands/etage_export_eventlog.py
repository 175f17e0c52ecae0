"""``python manage.py etage_export_eventlog --format xes|ocel-json|ocel-sqlite|csv --out FILE
[--snapshot DIR] [--filter KEY=VALUE …]``: the pseudonymised event log in a standard format,
for pm4py, Disco, ProM or a spreadsheet. Filters use the keys of the analytics pages' query
strings (``territory=T1``, ``level=agr``, ``period_from=2021-01``, ``category=consent``…)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import QueryDict
from django.utils.translation import gettext as _

from etage.analytics import exports
from etage.analytics.filters import Filters
from etage.analytics.store import SnapshotMissing, connect

WRITERS = {
    "xes": exports.write_xes,
    "ocel-json": exports.write_ocel_json,
    "ocel-sqlite": exports.write_ocel_sqlite,
    "csv": exports.write_csv,
}


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _("Export the pseudonymised event log (XES, OCEL 2.0 or CSV).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", required=True, choices=sorted(WRITERS))
        parser.add_argument("--out", required=True, type=Path, help=_("file to write"))
        parser.add_argument(
            "--snapshot", type=Path, default=None, help=_("snapshot directory (default: settings)")
        )
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help=_("filter of the analytics pages, repeatable (e.g. territory=T1)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        if not out.parent.is_dir():
            raise CommandError(
                _("The folder of %(path)s does not exist.") % {"path": out.as_posix()}
            )
        query = QueryDict(mutable=True)
        for item in options["filter"]:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise CommandError(
                    _("Invalid filter “%(item)s”: expected KEY=VALUE.") % {"item": item}
                )
            query.appendlist(key.strip(), value.strip())
        filters = Filters.from_query(query)
        if filters.messages:
            raise CommandError(" ".join(filters.messages))
        try:
            con = connect(options["snapshot"])
        except SnapshotMissing as error:
            raise CommandError(str(error)) from error
        try:
            count = WRITERS[options["format"]](con, out, filters)
        except OSError as error:
            raise CommandError(
                _("Could not write %(path)s: %(error)s") % {"path": out.as_posix(), "error": error}
            ) from error
        finally:
            con.close()
        self.stdout.write(
            _("%(count)d events written to %(path)s.") % {"count": count, "path": out.as_posix()}
        )
