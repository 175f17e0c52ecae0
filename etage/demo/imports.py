"""The demo's landlord extracts: an import profile per landlord (LMH with its own headers) and
one synthetic monthly arrears extract per landlord for each of the last three month-ends,
imported through the real service (:func:`arrears_ingest_rows` keeps it fast: no file).

Each extract holds lines for some of the landlord's known tenancies (same lease reference),
some for known households under a slightly different name without a lease reference match
(for record linkage to score), and some for households ETAGE does not know. Balances move
from month to month so that trends exist. Every name and address is invented."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from etage.demo import reference as ref
from etage.households.models import Tenancy
from etage.intake.arrears.services import arrears_ingest_rows
from etage.intake.models import ImportProfile, ImportSource, ImportStatus
from etage.organisations.models import Organisation

#: LMH's extract uses its own headers (docs/imports.md, "correspondance des colonnes").
PROFILES: dict[str, dict[str, str]] = {
    "LMH": {
        "lease_reference": "N° bail",
        "balance_on": "Solde au",
        "tenant_names": "Titulaire(s)",
        "address": "Adresse du logement",
        "monthly_rent": "Loyer + charges",
        "balance": "Solde débiteur",
        "months_in_arrears": "Nb mois impayés",
    },
    "EMH": {},
    "GLH": {"lease_reference": "Référence contrat"},
}
KNOWN_PER_LANDLORD = 40
SIMILAR_PER_LANDLORD = 6
UNKNOWN_PER_LANDLORD = 12
STREETS = ("rue des Acacias", "avenue des Platanes", "allée des Cerisiers", "place du Lavoir")


@dataclass(frozen=True)
class ImportSummary:
    imports: int
    lines: int


def _month_ends(today: dt.date, count: int) -> list[dt.date]:
    ends: list[dt.date] = []
    day = today.replace(day=1) - dt.timedelta(days=1)
    while len(ends) < count:
        ends.append(day)
        day = day.replace(day=1) - dt.timedelta(days=1)
    return sorted(ends)


def demo_import_profiles() -> None:
    for code, mapping in PROFILES.items():
        landlord = Organisation.objects.filter(code=code).first()
        if landlord is not None:
            ImportProfile.objects.update_or_create(
                landlord=landlord, defaults={"column_mapping": mapping}
            )


def demo_import_extracts(*, seed: int, months: int = 3) -> ImportSummary:
    """Import ``months`` monthly extracts per demo landlord. Idempotent lines: a second run
    adds import records whose lines are all already known."""
    demo_import_profiles()
    rng = random.Random(seed)  # noqa: S311 — reproducible demo data, not security
    today = timezone.localdate()
    ends = _month_ends(today, months)
    imports = lines = 0
    for code in ("EMH", "GLH", "LMH"):
        landlord = Organisation.objects.get(code=code)
        people = list(
            Tenancy.objects.filter(landlord=landlord, is_current=True)
            .exclude(lease_reference="")
            .select_related("commune", "household")
            .prefetch_related("household__people")
            .order_by("pk")[: KNOWN_PER_LANDLORD + SIMILAR_PER_LANDLORD]
        )
        accounts = []
        for tenancy in people[:KNOWN_PER_LANDLORD]:
            person = next(iter(tenancy.household.people.all()), None)
            name = f"{person.first_name} {person.last_name}".strip() if person else "Foyer inconnu"
            accounts.append(
                (tenancy.lease_reference, name, tenancy.address, tenancy.commune.insee_code)
            )
        for n, tenancy in enumerate(people[KNOWN_PER_LANDLORD:]):
            person = next(iter(tenancy.household.people.all()), None)
            if person is None:
                continue
            # The landlord's system spells the name differently and has a new lease number.
            name = f"{person.last_name.upper()} {person.first_name[:1]}."
            accounts.append((f"{code}-N{n:05d}", name, tenancy.address, tenancy.commune.insee_code))
        communes = [c for t in ref.TERRITORIES if code in t.landlords for c, _name in t.communes]
        for n in range(UNKNOWN_PER_LANDLORD):
            name = f"{rng.choice(ref.FIRST_NAMES)} {rng.choice(ref.LAST_NAMES)}"
            address = f"{rng.randint(1, 80)} {rng.choice(STREETS)}"
            accounts.append((f"{code}-X{n:05d}", name, address, rng.choice(communes)))
        plans = [
            (
                account,
                Decimal(rng.randrange(300, 650)),
                rng.choice((-1, 0, 1, 1, 2)),
                rng.randint(0, 4),
            )
            for account in accounts
        ]
        for index, end in enumerate(ends):
            rows = []
            for (lease, name, address, commune), rent, trend, start in plans:
                months_due = max(0, start + trend * index)
                balance = rent * months_due
                rows.append(
                    {
                        "lease_reference": lease,
                        "balance_on": end.isoformat(),
                        "tenant_names": name,
                        "address": address,
                        "commune": commune,
                        "monthly_rent": str(rent),
                        "balance": str(balance),
                        "months_in_arrears": str(months_due),
                        "last_payment_on": (
                            end - dt.timedelta(days=rng.randint(3, 25) + 30 * min(months_due, 3))
                        ).isoformat(),
                    }
                )
            batch = arrears_ingest_rows(landlord=landlord, rows=rows, source=ImportSource.FILE)
            if batch.status != ImportStatus.DONE:
                raise RuntimeError(f"demo extract {code} {end} refused: {batch.errors[:3]}")
            batch.file_name = f"extrait-impayes-{code.lower()}-{end:%Y-%m}.csv"
            batch.save(update_fields=["file_name"])
            imports += 1
            lines += batch.lines_created
    return ImportSummary(imports=imports, lines=lines)
