"""Households known to ETAGE and landlords' imports, written directly (the import service is
another part's): just what the linkage reads."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from etage.households.models import Household, Person, Relationship, Tenancy
from etage.intake.models.arrears import ArrearsImport, ArrearsLine, ImportStatus
from etage.organisations.models import Organisation
from etage.territories.models import Commune

_hashes = itertools.count()


@pytest.fixture
def known(demo_reference: Any) -> Callable[..., Household]:
    """``known("EMH", ("Dupont", "Marie"), lease="B-1")``: a household with a tenancy."""

    def make(
        landlord: str,
        *people: tuple[str, str],
        lease: str = "",
        address: str = "12 rue des Lilas",
        insee: str = "69256",
    ) -> Household:
        household = Household.objects.create(adults=max(1, len(people)))
        for i, (last, first) in enumerate(people):
            Person.objects.create(
                household=household,
                last_name=last,
                first_name=first,
                relationship=Relationship.HOLDER if i == 0 else Relationship.CO_HOLDER,
            )
        Tenancy.objects.create(
            household=household,
            landlord=Organisation.objects.get(code=landlord),
            lease_reference=lease,
            address=address,
            commune=Commune.objects.get(insee_code=insee),
        )
        return household

    return make


@pytest.fixture
def new_batch(demo_reference: Any) -> Callable[..., ArrearsImport]:
    def make(landlord: str = "EMH") -> ArrearsImport:
        return ArrearsImport.objects.create(
            landlord=Organisation.objects.get(code=landlord),
            file_name="extrait.csv",
            status=ImportStatus.DONE,
        )

    return make


@pytest.fixture
def add_line() -> Callable[..., ArrearsLine]:
    """A line as the import writes it; with ``correct=line`` the batch corrects that line."""

    def make(
        batch: ArrearsImport,
        lease: str,
        names: str,
        *,
        address: str = "12 rue des Lilas",
        insee: str = "69256",
        balance_on: dt.date = dt.date(2026, 5, 31),
    ) -> ArrearsLine:
        existing = ArrearsLine.objects.filter(
            landlord=batch.landlord, lease_reference=lease, balance_on=balance_on
        ).first()
        if existing is not None:
            existing.tenant_names, existing.address = names, address
            existing.last_import = batch
            existing.content_hash = f"h{next(_hashes)}"
            existing.save()
            return existing
        return ArrearsLine.objects.create(
            landlord=batch.landlord,
            lease_reference=lease,
            balance_on=balance_on,
            tenant_names=names,
            address=address,
            commune=Commune.objects.get(insee_code=insee),
            monthly_rent=Decimal("450.00"),
            balance=Decimal("1350.00"),
            months_in_arrears=Decimal("3.0"),
            content_hash=f"h{next(_hashes)}",
            first_import=batch,
            last_import=batch,
        )

    return make
