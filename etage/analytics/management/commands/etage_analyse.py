"""``python manage.py etage_analyse variants|dfg|survival|indicators --json [filters]``: the
figures of the evaluator's pages, from the same functions (:mod:`etage.analytics.figures`)
and the same filter reading (:meth:`Filters.from_query`), for scripts and notebooks.

Examples::

    manage.py etage_analyse dfg --json --territory T1 --level agr --from 2025-01 --to 2026-10
    manage.py etage_analyse variants --json --followed-by orient,close --coverage 80
    manage.py etage_analyse survival --json --endpoint orientation --group level
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from etage.analytics import figures, store
from etage.analytics.filters import Filters
from etage.analytics.survival import ENDPOINTS


def query_from_options(options: dict[str, Any]) -> dict[str, list[str]]:
    """The page query string the options stand for (so the pages' reader parses them)."""
    query: dict[str, list[str]] = {}

    def add(key: str, values: list[str] | str | None) -> None:
        if values:
            query.setdefault(key, []).extend([values] if isinstance(values, str) else values)

    add("period_from", options.get("period_from"))
    add("period_to", options.get("period_to"))
    for key in ("territory", "landlord", "level", "attr", "category"):
        for value in options.get(key) or ():
            add(key, [v for v in value.split(",") if v])
    add("variant", options.get("variant"))
    for prefix in ("followed_by", "never_followed_by"):
        pair = options.get(prefix)
        if pair:
            a, _sep, b = pair.partition(",")
            add(f"{prefix}_a", a)
            add(f"{prefix}_b", b)
    for key in ("min_days", "max_days"):
        if options.get(key) is not None:
            add(key, str(options[key]))
    return query


class Command(BaseCommand):
    help = "Print the figures of the analytics pages (variants, process map, survival, indicators)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("figure", choices=("variants", "dfg", "survival", "indicators"))
        parser.add_argument("--json", action="store_true", help="JSON on standard output.")
        parser.add_argument("--snapshot", type=Path, help="Snapshot directory (default: settings).")
        parser.add_argument("--from", dest="period_from", help="First month YYYY-MM.")
        parser.add_argument("--to", dest="period_to", help="Last month YYYY-MM (included).")
        parser.add_argument("--territory", action="append", help="T1 (repeat or T1,T2).")
        parser.add_argument("--landlord", action="append")
        parser.add_argument("--level", action="append", help="advice, coordination, agr.")
        parser.add_argument("--attr", action="append", help="column:value, e.g. urgency:urgent.")
        parser.add_argument("--category", action="append", help="Event categories.")
        parser.add_argument("--variant", help="Variant id (10 hex digits).")
        parser.add_argument("--followed-by", dest="followed_by", help="A,B")
        parser.add_argument("--never-followed-by", dest="never_followed_by", help="A,B")
        parser.add_argument("--min-days", dest="min_days", type=float)
        parser.add_argument("--max-days", dest="max_days", type=float)
        parser.add_argument(
            "--activities",
            type=int,
            default=figures.DEFAULT_SLIDERS["activities"],
            help="Activity slider, %%.",
        )
        parser.add_argument(
            "--paths", type=int, default=figures.DEFAULT_SLIDERS["paths"], help="Path slider, %%."
        )
        parser.add_argument("--coverage", type=int, default=80, help="Variant coverage, %%.")
        parser.add_argument("--endpoint", choices=sorted(ENDPOINTS), default="closure")
        parser.add_argument("--group", choices=figures.GROUPS, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        filters = Filters.from_query(query_from_options(options))
        for message in filters.messages:
            self.stderr.write(message)
        try:
            con = store.connect(options.get("snapshot"))
        except store.SnapshotMissing as missing:
            raise CommandError(str(missing)) from missing
        try:
            data = self.figure(con, filters, options)
        finally:
            con.close()
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))
        else:
            self.stdout.write(self.summary(options["figure"], data))

    def figure(self, con: Any, filters: Filters, options: dict[str, Any]) -> dict[str, Any]:
        kind = options["figure"]
        if kind == "dfg":
            return figures.dfg(
                con,
                filters,
                activity_share=figures.share(options["activities"]),
                path_share=figures.share(options["paths"]),
            )
        if kind == "variants":
            return figures.variants(con, filters, coverage=figures.share(options["coverage"]))
        if kind == "survival":
            return figures.survival_curves(
                con, filters, options["endpoint"], group_by=options["group"]
            )
        return figures.indicators(con, filters)

    def summary(self, kind: str, data: dict[str, Any]) -> str:
        if kind == "dfg":
            lines = [f"{data['cases']} cases, {data['events']} events"]
            lines += [
                f"{e['source']} -> {e['target']}: {e['count']} (median {e['median_days']} d)"
                for e in data["edges"]
            ]
        elif kind == "variants":
            lines = [f"{data['total']} variants, {data['cases']} cases"]
            lines += [
                f"{v['id']} {v['cases']} {' > '.join(v['activities'])}" for v in data["variants"]
            ]
        elif kind == "survival":
            lines = [
                f"{g['group']}: {g['subjects']} cases, median {g['median_days']}"
                for g in data["groups"]
            ]
        else:
            lines = [
                f"{r['code']} {r['period']} {r['territory'] or '*'} {r['dimension']}={r['key']}: "
                f"{r['value']} ({r['cases']})"
                for r in data["rows"]
            ]
        return "\n".join(lines)
