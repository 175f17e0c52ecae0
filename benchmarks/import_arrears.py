"""Benchmark of the arrears import (docs/performance.md): a generated extract of N lines
(default 1,000,000; synthetic, seeded) imported with the real service, against a raw bulk
insert of the same rows into a scratch table in the same run (executemany on SQLite, COPY on
PostgreSQL). One JSON line per measure on stdout:

    {"measure": ..., "lines": ..., "seconds": ..., "baseline_seconds": ..., "ratio": ...,
     "peak_memory_mb": ...}

Each measure runs in its own process, so that ``peak_memory_mb`` (the process's peak
resident memory) is the measure's own. Its own database: by default a scratch SQLite file
var/bench/import-arrears.sqlite3 (migrated on the first run); set DATABASE_URL to a
PostgreSQL database made for it (never the production one: the bench landlord's lines are
deleted first).

    python benchmarks/import_arrears.py [--lines 1000000] [--seed 2019]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/etage_bench python benchmarks/import_arrears.py
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HEADER = [
    "reference_bail",
    "date_solde",
    "locataires",
    "adresse",
    "commune",
    "loyer_mensuel",
    "solde",
    "mois_impayes",
    "date_dernier_paiement",
    "etape_procedure",
    "date_etape_procedure",
]
COMMUNES = ["69256", "69029", "69259", "69387", "69388"]
BALANCE_ON = "31/10/2026"
LANDLORD = "LMH"


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    if "DATABASE_URL" not in os.environ:
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = (
            f"sqlite:///{ROOT / 'var' / 'bench' / 'import-arrears.sqlite3'}"
        )
    import django

    django.setup()


def generate(path: Path, lines: int, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(HEADER)
        for n in range(lines):
            rent = rng.randrange(250, 800)
            months = rng.choice((0, 0, 0, 1, 1, 2, 3, 5))
            writer.writerow(
                [
                    f"BENCH-{n:07d}",
                    BALANCE_ON,
                    f"Foyer Fictif {n}",
                    f"{rng.randint(1, 200)} rue de l'Exemple",
                    rng.choice(COMMUNES),
                    f"{rent},00",
                    f"{rent * months},00",
                    str(months),
                    f"{rng.randint(1, 28):02d}/09/2026",
                    "",
                    "",
                ]
            )


def _peak_mb() -> float:
    """The process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited through
    exec from the parent)."""
    for text in Path("/proc/self/status").read_text().splitlines():
        if text.startswith("VmHWM:"):
            return round(int(text.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def measure_import(path: Path) -> dict[str, object]:
    _setup_django()
    from django.conf import settings

    from etage.intake.arrears.services import arrears_import_file
    from etage.organisations.models import Organisation

    # The import alone: linkage and alerts have their own benchmarks.
    settings.ETAGE_POST_IMPORT_STEPS = []
    landlord = Organisation.objects.get(code=LANDLORD)
    started = time.perf_counter()
    batch = arrears_import_file(
        landlord=landlord, path=path, file_name=path.name, submitted_by=None
    )
    seconds = time.perf_counter() - started
    assert batch.status == "done", batch.errors[:5]
    return {
        "seconds": round(seconds, 2),
        "created": batch.lines_created,
        "unchanged": batch.lines_unchanged,
        "peak_memory_mb": _peak_mb(),
    }


def measure_baseline(path: Path) -> dict[str, object]:
    """The same rows, typed, into a bare table: no checks, no lookups, no ORM."""
    _setup_django()
    import datetime as dt
    from decimal import Decimal

    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_arrears")
        cursor.execute(
            "CREATE TABLE bench_raw_arrears (lease_reference varchar(40), balance_on date, "
            "tenant_names varchar(250), address varchar(250), commune varchar(5), "
            "monthly_rent numeric(8,2), balance numeric(10,2), months_in_arrears numeric(5,1), "
            "last_payment_on date, procedure_stage varchar(32), procedure_on date)"
        )

    def day(text: str) -> dt.date | None:
        return dt.datetime.strptime(text, "%d/%m/%Y").date() if text else None

    def rows():
        with path.open(encoding="utf-8", newline="") as source:
            reader = csv.reader(source, delimiter=";")
            next(reader)
            for r in reader:
                yield (
                    r[0], day(r[1]), r[2], r[3], r[4], Decimal(r[5].replace(",", ".")),
                    Decimal(r[6].replace(",", ".")), Decimal(r[7]), day(r[8]), r[9], day(r[10]),
                )  # fmt: skip

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy("COPY bench_raw_arrears FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
        else:
            batch: list[tuple[Any, ...]] = []
            sql = f"INSERT INTO bench_raw_arrears VALUES ({', '.join(['%s'] * 11)})"
            for row in rows():
                batch.append(tuple(str(v) if isinstance(v, Decimal) else v for v in row))
                if len(batch) == 10_000:
                    cursor.executemany(sql, batch)
                    batch.clear()
            if batch:
                cursor.executemany(sql, batch)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_raw_arrears")
    return {"seconds": round(seconds, 2), "peak_memory_mb": _peak_mb()}


def prepare() -> str:
    """Migrate the bench database, make sure the reference data is there, and remove the
    lines of an earlier run. Returns the database vendor."""
    _setup_django()
    from django.core.management import call_command
    from django.db import connection

    from etage.demo.services import demo_build_reference
    from etage.intake.models import ArrearsImport, ArrearsLine
    from etage.organisations.models import Organisation

    call_command("migrate", verbosity=0)
    if not Organisation.objects.filter(code=LANDLORD).exists():
        demo_build_reference(seed=1)
    ArrearsLine.objects.filter(landlord__code=LANDLORD).delete()
    ArrearsImport.objects.filter(landlord__code=LANDLORD).delete()
    return connection.vendor


def _child(measure: str, path: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", measure, "--file", str(path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--child", choices=["import", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = (
            measure_import(args.file) if args.child == "import" else measure_baseline(args.file)
        )
        print(json.dumps(result))
        return
    vendor = prepare()
    with tempfile.TemporaryDirectory(prefix="etage-bench-") as tmp:
        path = Path(tmp) / "extrait.csv"
        generate(path, args.lines, args.seed)
        baseline = _child("baseline", path)
        for measure in ("import", "reimport"):
            result = _child("import", path)
            print(
                json.dumps(
                    {
                        "measure": f"{measure}_{vendor}",
                        "lines": args.lines,
                        "file_mb": round(path.stat().st_size / 1e6, 1),
                        "seconds": result["seconds"],
                        "baseline_seconds": baseline["seconds"],
                        "ratio": round(float(result["seconds"]) / float(baseline["seconds"]), 2),  # type: ignore[arg-type]
                        "peak_memory_mb": result["peak_memory_mb"],
                        "baseline_peak_memory_mb": baseline["peak_memory_mb"],
                        "created": result["created"],
                        "unchanged": result["unchanged"],
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
