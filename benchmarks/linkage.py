"""Benchmark of record linkage after an import (docs/linkage.md, docs/performance.md): N
generated arrears lines (default 1,000,000; synthetic, seeded) of one landlord, K known
households of that landlord (a quarter found by lease reference, a quarter by name and
address, a quarter in close pairs that go to review), then ``link_import`` on the batch —
against a raw ``UPDATE`` of the same lines' ``link_status`` in the same run (the least any
linkage must write). One JSON line on stdout:

    {"measure": "link_import", "lines": ..., "known_households": ..., "seconds": ...,
     "baseline_seconds": ..., "ratio": ..., "queries": ..., "peak_memory_mb": ...,
     "statuses": {...}}

Its own database: by default a scratch SQLite file var/bench/linkage.sqlite3 (migrated on
the first run); set DATABASE_URL to a PostgreSQL database made for it (never the production
one: the bench landlord's lines, reviews and households are deleted first).

    python benchmarks/linkage.py [--lines 1000000] [--known 4000] [--seed 2019]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANDLORD = "LMH"
COMMUNES = ["69256", "69029", "69259", "69387", "69388"]
LAST_NAMES = ["Fictif", "Exemple", "Imaginaire", "Modèle", "Témoin", "Essai", "Brouillon"]
FIRST_NAMES = ["Alix", "Noa", "Sacha", "Camille", "Inès", "Karim", "Léa", "Hugo"]


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    if "DATABASE_URL" not in os.environ:
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench' / 'linkage.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024, 1)


def prepare(lines: int, known: int, seed: int) -> object:
    """The landlord's households and one import batch of ``lines`` pending lines."""
    import datetime as dt
    from decimal import Decimal

    from django.db import transaction

    from etage.demo.services import demo_build_reference
    from etage.households.models import Household, Person, Tenancy
    from etage.intake.models.arrears import ArrearsImport, ArrearsLine, ImportStatus
    from etage.linkage.models import LinkReview
    from etage.organisations.models import Organisation
    from etage.territories.models import Commune

    if not Organisation.objects.filter(code=LANDLORD).exists():
        demo_build_reference(seed=1)
    landlord = Organisation.objects.get(code=LANDLORD)
    communes = {c.insee_code: c for c in Commune.objects.filter(insee_code__in=COMMUNES)}
    rng = random.Random(seed)
    with transaction.atomic():
        LinkReview.objects.filter(landlord=landlord).delete()
        ArrearsLine.objects.filter(landlord=landlord).delete()
        ArrearsImport.objects.filter(landlord=landlord).delete()
        bench = Household.objects.filter(tenancies__landlord=landlord, situations__isnull=True)
        Household.objects.filter(pk__in=list(bench.values_list("pk", flat=True))).delete()

    def address(n: int) -> str:
        return f"{n} rue du Banc d'Essai"

    # The first ``known`` lines' leases are known: by reference, by name and address, or in
    # close pairs; the rest are households ETAGE does not know.
    names: list[tuple[str, str]] = [
        (f"{rng.choice(LAST_NAMES)}{n}", rng.choice(FIRST_NAMES)) for n in range(lines)
    ]
    with transaction.atomic():
        for n in range(min(known, lines)):
            kind = n % 4
            count = 2 if kind == 3 else 1
            for copy in range(count):
                household = Household.objects.create()
                last, first = names[n]
                Person.objects.create(
                    household=household,
                    last_name=last + ("d" if copy else ""),
                    first_name=first,
                )
                Tenancy.objects.create(
                    household=household,
                    landlord=landlord,
                    lease_reference=f"BENCH-{n:07d}" if kind == 0 else "",
                    address=address(n),
                    commune=communes[COMMUNES[n % len(COMMUNES)]],
                )
    batch = ArrearsImport.objects.create(landlord=landlord, status=ImportStatus.DONE)
    chunk: list[ArrearsLine] = []
    for n in range(lines):
        last, first = names[n]
        chunk.append(
            ArrearsLine(
                landlord=landlord,
                lease_reference=f"BENCH-{n:07d}",
                balance_on=dt.date(2026, 10, 31),
                tenant_names=f"{last.upper()}{'s' if n % 4 == 3 else ''} {first}",
                address=address(n),
                commune_id=communes[COMMUNES[n % len(COMMUNES)]].pk,
                monthly_rent=Decimal("450.00"),
                balance=Decimal("900.00"),
                months_in_arrears=Decimal("2.0"),
                content_hash=f"{n:032x}",
                first_import=batch,
                last_import=batch,
            )
        )
        if len(chunk) == 5000:
            ArrearsLine.objects.bulk_create(chunk)
            chunk = []
    ArrearsLine.objects.bulk_create(chunk)
    return batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--known", type=int, default=4_000)
    parser.add_argument("--seed", type=int, default=2019)
    args = parser.parse_args()
    _setup_django()

    from django.db import connection, reset_queries, transaction
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from etage.intake.models.arrears import ArrearsLine
    from etage.linkage.services import link_import

    batch = prepare(args.lines, args.known, args.seed)
    table = ArrearsLine._meta.db_table
    with transaction.atomic():
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET link_status = %s WHERE last_import_id = %s",
                ["unknown", batch.pk],  # type: ignore[attr-defined]
            )
        baseline = time.perf_counter() - started
        transaction.set_rollback(True)
    reset_queries()  # the log is capped: a full one would count nothing
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        link_import(batch=batch)  # type: ignore[arg-type]
        seconds = time.perf_counter() - started
    statuses: dict[str, int] = dict(
        ArrearsLine.objects.filter(last_import=batch)  # type: ignore[misc]
        .values_list("link_status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    print(
        json.dumps(
            {
                "measure": "link_import",
                "database": connection.vendor,
                "lines": args.lines,
                "known_households": args.known,
                "seconds": round(seconds, 2),
                "baseline_seconds": round(baseline, 2),
                "ratio": round(seconds / baseline, 1) if baseline else None,
                "queries": len(queries),
                "peak_memory_mb": _peak_mb(),
                "statuses": statuses,
            }
        )
    )


if __name__ == "__main__":
    main()
