"""The linkage as the import runs it (settings.ETAGE_POST_IMPORT_STEPS), end to end."""

from __future__ import annotations

import pytest

from etage.intake.arrears.services import arrears_ingest_rows
from etage.intake.models.arrears import ArrearsLine, LinkStatus
from etage.linkage.models import LinkReview
from etage.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def row(lease: str, names: str, address: str, balance_on: str = "31/05/2026") -> dict:
    return {
        "lease_reference": lease,
        "balance_on": balance_on,
        "tenant_names": names,
        "address": address,
        "commune": "69256",
        "monthly_rent": "450",
        "balance": "1350",
        "months_in_arrears": "3",
    }


def test_an_import_links_its_lines_and_reimporting_changes_nothing(known):
    exact = known("EMH", ("Fictif", "Alix"), lease="EMH-0001", address="1 rue Haute")
    probable = known("EMH", ("Dupont", "Marie"), address="12 rue des Lilas")
    known("EMH", ("Benali", "Karim"), address="8 rue Verte")
    known("EMH", ("Benalli", "Karima"), address="8 rue Verte")
    landlord = Organisation.objects.get(code="EMH")
    rows = [
        row("EMH-0001", "FICTIF Alix", "1 rue Haute"),
        row("EMH-0002", "M. et Mme DUPOND", "12 r. des Lilas"),
        row("EMH-0003", "BENALI Karima", "8 rue Verte"),
        row("EMH-0004", "NOUVEAU Sam", "40 rue Neuve"),
    ]
    batch = arrears_ingest_rows(landlord=landlord, rows=rows)
    assert batch.status == "done", batch.errors
    got = dict(ArrearsLine.objects.values_list("lease_reference", "link_status"))
    assert got == {
        "EMH-0001": LinkStatus.EXACT,
        "EMH-0002": LinkStatus.PROBABLE,
        "EMH-0003": LinkStatus.REVIEW,
        "EMH-0004": LinkStatus.UNKNOWN,
    }
    households = dict(ArrearsLine.objects.values_list("lease_reference", "household_id"))
    assert households["EMH-0001"] == exact.pk
    assert households["EMH-0002"] == probable.pk
    assert LinkReview.objects.get().lease_reference == "EMH-0003"
    before = list(ArrearsLine.objects.order_by("pk").values())
    again = arrears_ingest_rows(landlord=landlord, rows=rows)
    assert again.lines_unchanged == 4
    assert list(ArrearsLine.objects.order_by("pk").values()) == before
    assert LinkReview.objects.count() == 1
