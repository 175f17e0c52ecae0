"""Landlords' arrears lines written directly (as the import would), for the early-warning
tests: ``arrears(lease, [(date, balance), …])``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import pytest

from etage.accounts.models import User
from etage.intake.models import ArrearsImport, ArrearsLine, ImportStatus
from etage.organisations.models import Organisation
from etage.territories.models import Commune

MONTHS = [dt.date(2026, m, 28) for m in range(1, 7)]


@pytest.fixture
def new_batch(demo_reference: dict[str, User]) -> Callable[..., ArrearsImport]:
    def make(landlord: str = "EMH") -> ArrearsImport:
        return ArrearsImport.objects.create(
            landlord=Organisation.objects.get(code=landlord),
            file_name="extrait.csv",
            status=ImportStatus.DONE,
        )

    return make


@pytest.fixture
def arrears(new_batch: Callable[..., ArrearsImport]) -> Callable[..., ArrearsImport]:
    """Write the monthly balances of one lease (one line per month) in a new batch."""

    def write(
        lease: str,
        balances: Sequence[tuple[dt.date, str]],
        *,
        landlord: str = "EMH",
        insee: str = "69256",
        tenant_names: str = "FICTIF Alix",
        address: str = "3 rue des Tilleuls",
        rent: str = "400",
        last_payment_on: dt.date | None = None,
        procedure_stage: str = "",
        batch: ArrearsImport | None = None,
        **extra: Any,
    ) -> ArrearsImport:
        batch = batch or new_batch(landlord)
        org = Organisation.objects.get(code=landlord)
        commune = Commune.objects.get(insee_code=insee)
        for on, balance in balances:
            ArrearsLine.objects.update_or_create(
                landlord=org,
                lease_reference=lease,
                balance_on=on,
                defaults={
                    "tenant_names": tenant_names,
                    "address": address,
                    "commune": commune,
                    "monthly_rent": Decimal(rent),
                    "balance": Decimal(balance),
                    "months_in_arrears": Decimal(0),
                    "last_payment_on": last_payment_on,
                    "procedure_stage": procedure_stage if on == balances[-1][0] else "",
                    "procedure_on": on if procedure_stage and on == balances[-1][0] else None,
                    "content_hash": f"{lease}-{on}-{balance}",
                    "first_import": batch,
                    "last_import": batch,
                    **extra,
                },
            )
        return batch

    return write
