"""Helpers for the arrears-import tests: write an extract in the ETAGE format."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest

from etage.intake.arrears.format import FIELDS

HEADER = [f.header for f in FIELDS]
FILES = Path(__file__).resolve().parent.parent / "files"


def line(
    lease: str = "LMH-000001",
    balance_on: str = "31/10/2026",
    names: str = "Mme Exemple Léonie",
    address: str = "12 rue des Glycines",
    commune: str = "69259",
    rent: str = "400,00",
    balance: str = "1200,00",
    months: str = "3",
    last_payment: str = "15/08/2026",
    stage: str = "",
    stage_on: str = "",
) -> list[str]:
    return [
        lease,
        balance_on,
        names,
        address,
        commune,
        rent,
        balance,
        months,
        last_payment,
        stage,
        stage_on,
    ]


def write_csv(
    path: Path,
    rows: Sequence[Sequence[str]],
    *,
    header: Sequence[str] = HEADER,
    encoding: str = "utf-8",
    delimiter: str = ";",
) -> Path:
    text = "\r\n".join(delimiter.join(r) for r in [list(header), *rows]) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(
    path: Path, rows: Sequence[Sequence[object]], *, header: Sequence[str] = HEADER
) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def sample_rows(count: int = 5) -> list[list[str]]:
    communes = ["69259", "Vénissieux", "69029", "Lyon 8e", "vaulx-en-velin"]
    return [
        line(
            lease=f"LMH-{n:06d}",
            names=f"Famille Fictive {n}",
            address=f"{n} rue de l'Exemple",
            commune=communes[n % len(communes)],
            balance=f"{400 * (n % 4)},00",
            months=str(n % 4),
        )
        for n in range(1, count + 1)
    ]


@pytest.fixture
def landlord(demo_reference):
    from etage.organisations.models import Organisation

    return Organisation.objects.get(code="LMH")


@pytest.fixture
def today() -> dt.date:
    return dt.date.today()
