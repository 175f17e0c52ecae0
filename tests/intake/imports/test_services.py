"""Importing through the services: writing, idempotence, corrections, trial runs, formats,
mapping, post-import steps and atomicity."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings

from etage.intake.arrears.services import arrears_import_file, arrears_ingest_rows
from etage.intake.models import ArrearsImport, ArrearsLine, ImportProfile, ImportStatus
from tests.intake.imports.conftest import HEADER, line, sample_rows, write_csv, write_xlsx

CALLS: list[int] = []


def record_step(*, batch: ArrearsImport) -> None:
    CALLS.append(batch.pk)


def failing_step(*, batch: ArrearsImport) -> None:
    raise RuntimeError("step broke")


def _import(landlord, path, **kwargs):
    return arrears_import_file(
        landlord=landlord, path=path, file_name=path.name, submitted_by=None, **kwargs
    )


def _snapshot():
    return sorted(
        ArrearsLine.objects.values_list(
            "lease_reference",
            "balance_on",
            "balance",
            "tenant_names",
            "content_hash",
            "last_import",
        )
    )


def test_a_valid_file_is_written_then_reimporting_it_changes_nothing(landlord, tmp_path):
    path = write_csv(tmp_path / "extrait.csv", sample_rows(5))
    first = _import(landlord, path)
    assert first.status == ImportStatus.DONE, first.errors
    assert (first.lines_total, first.lines_created, first.lines_updated) == (5, 5, 0)
    assert first.file_sha256
    assert first.started_at
    assert first.finished_at
    stored = ArrearsLine.objects.get(lease_reference="LMH-000002")
    assert stored.balance == Decimal("800.00")
    assert stored.months_in_arrears == Decimal("2.0")
    assert stored.commune.insee_code == "69029"
    assert stored.first_import == first
    snapshot = _snapshot()
    again = _import(landlord, path)
    assert again.status == ImportStatus.DONE
    assert (again.lines_created, again.lines_updated, again.lines_unchanged) == (0, 0, 5)
    assert _snapshot() == snapshot


def test_a_different_amount_for_the_same_key_is_a_correction(landlord, tmp_path):
    rows = sample_rows(3)
    _import(landlord, write_csv(tmp_path / "a.csv", rows))
    rows[0][6], rows[0][7] = "1600,00", "4"
    second = _import(landlord, write_csv(tmp_path / "b.csv", rows))
    assert (second.lines_created, second.lines_updated, second.lines_unchanged) == (0, 1, 2)
    corrected = ArrearsLine.objects.get(lease_reference="LMH-000001")
    assert corrected.balance == Decimal("1600.00")
    assert corrected.last_import == second
    assert corrected.first_import != second
    assert ArrearsLine.objects.count() == 3


def test_a_trial_run_counts_without_writing(landlord, tmp_path):
    _import(landlord, write_csv(tmp_path / "a.csv", sample_rows(2)))
    before = _snapshot()
    trial = _import(landlord, write_csv(tmp_path / "b.csv", sample_rows(4)), dry_run=True)
    assert trial.status == ImportStatus.CHECKED
    assert (trial.lines_created, trial.lines_unchanged) == (2, 2)
    assert _snapshot() == before


def test_cp1252_with_semicolons_utf8_with_commas_and_xlsx_import_identically(landlord, tmp_path):
    rows = sample_rows(4)
    rows[0][2] = "Mme Éléonore Fictive-Bénard"
    csv_cp = write_csv(tmp_path / "cp.csv", rows, encoding="cp1252")
    csv_utf = write_csv(
        tmp_path / "utf.csv",
        [[c.replace(",", ".") for c in r] for r in rows],
        delimiter=",",
        encoding="utf-8-sig",
    )
    xlsx = write_xlsx(tmp_path / "x.xlsx", rows)
    assert _import(landlord, csv_cp).lines_created == 4
    first = _snapshot()
    for other in (csv_utf, xlsx):
        batch = _import(landlord, other)
        assert batch.status == ImportStatus.DONE, batch.errors
        assert batch.lines_unchanged == 4, other
    assert _snapshot() == first
    assert ArrearsLine.objects.get(lease_reference="LMH-000001").tenant_names == rows[0][2]


def test_xlsx_with_native_dates_and_numbers(landlord, tmp_path):
    import datetime as dt

    row = [
        "LMH-77",
        dt.datetime(2026, 10, 31),
        "M. Fictif",
        "3 rue X",
        69259,
        400,
        1200.5,
        3,
        None,
        None,
        None,
    ]
    batch = _import(landlord, write_xlsx(tmp_path / "n.xlsx", [row]))
    assert batch.status == ImportStatus.DONE, batch.errors
    stored = ArrearsLine.objects.get()
    assert stored.balance == Decimal("1200.50")
    assert stored.balance_on == dt.date(2026, 10, 31)


def test_the_landlord_mapping_reads_its_own_headers(landlord, tmp_path):
    ImportProfile.objects.create(
        landlord=landlord, column_mapping={"lease_reference": "N° bail", "balance": "Solde dû"}
    )
    header = [
        "N° bail" if h == "reference_bail" else "Solde dû" if h == "solde" else h for h in HEADER
    ]
    batch = _import(
        landlord, write_csv(tmp_path / "m.csv", sample_rows(2), header=header, encoding="cp1252")
    )
    assert batch.status == ImportStatus.DONE, batch.errors
    assert ArrearsLine.objects.count() == 2


def test_errors_name_the_landlords_header(landlord, tmp_path):
    ImportProfile.objects.create(landlord=landlord, column_mapping={"balance": "Solde dû"})
    header = ["Solde dû" if h == "solde" else h for h in HEADER]
    rows = [line(balance="beaucoup")]
    batch = _import(landlord, write_csv(tmp_path / "m.csv", rows, header=header))
    assert batch.status == ImportStatus.REJECTED
    assert batch.errors[0]["column"] == "Solde dû"
    assert batch.errors[0]["line"] == 2


@override_settings(ETAGE_POST_IMPORT_STEPS=["tests.intake.imports.test_services.record_step"])
def test_post_import_steps_run_after_a_real_import_only(landlord, tmp_path):
    CALLS.clear()
    path = write_csv(tmp_path / "a.csv", sample_rows(2))
    done = _import(landlord, path)
    _import(landlord, path, dry_run=True)
    _import(landlord, write_csv(tmp_path / "bad.csv", [line(balance="?")]))
    assert [done.pk] == CALLS


@override_settings(ETAGE_POST_IMPORT_STEPS=["tests.intake.imports.test_services.failing_step"])
def test_a_crash_after_writing_leaves_nothing_half_written(landlord, tmp_path):
    batch = _import(landlord, write_csv(tmp_path / "a.csv", sample_rows(3)))
    assert batch.status == ImportStatus.FAILED
    assert "rien n'a été écrit" in batch.errors[0]["message"]
    assert ArrearsLine.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert batch.lines_created == 0


def test_rows_are_checked_and_written_like_a_file(landlord):
    good = {
        "lease_reference": "LMH-API-1",
        "balance_on": "2026-10-31",
        "tenant_names": "Mme Fictive",
        "address": "1 rue de l'API",
        "commune": "Vénissieux",
        "monthly_rent": "400.00",
        "balance": "800",
        "months_in_arrears": "2",
    }
    batch = arrears_ingest_rows(landlord=landlord, rows=[good])
    assert batch.status == ImportStatus.DONE
    assert batch.lines_created == 1
    again = arrears_ingest_rows(landlord=landlord, rows=[good])
    assert again.lines_unchanged == 1
    bad = arrears_ingest_rows(landlord=landlord, rows=[good, {**good, "balance_on": "31/13/2026"}])
    assert bad.status == ImportStatus.REJECTED
    assert bad.errors == [{"line": 2, "column": "balance_on", "message": bad.errors[0]["message"]}]
    assert ArrearsLine.objects.count() == 1


def test_only_a_landlord_imports(demo_reference, tmp_path):
    from etage.organisations.models import Organisation
    from etage.situations.services import ServiceError

    with pytest.raises(ServiceError):
        _import(
            Organisation.objects.get(code="CCAS-VEN"), write_csv(tmp_path / "a.csv", sample_rows(1))
        )


def _stored_values():
    """Every column of every stored line but the id, the imports named by their position."""
    from etage.intake.models import ArrearsLine as Line

    names = [f.attname for f in Line._meta.concrete_fields if not f.primary_key]
    imports = list(ArrearsImport.objects.order_by("pk").values_list("pk", flat=True))
    rows = []
    for row in Line.objects.order_by("lease_reference").values(*names):
        row["first_import_id"] = imports.index(row["first_import_id"])
        row["last_import_id"] = imports.index(row["last_import_id"])
        rows.append(row)
    return rows


def test_lines_written_with_copy_read_back_as_bulk_create_writes_them(
    landlord, tmp_path, monkeypatch
):
    from django.db import connection

    from etage.intake.arrears import services

    if connection.vendor != "postgresql":
        pytest.skip("COPY is the PostgreSQL path; elsewhere bulk_create is the only one")
    rows = sample_rows(4)
    rows[0][2] = "Mme Éléonore  Fictive-Bénard"
    rows[1][7], rows[1][6] = "", "1000,00"  # months computed from balance ÷ rent
    rows[2][8:11] = ["", "Relance de paiement", "01/10/2026"]
    rows[3][6], rows[3][7] = "-35,50", "0"
    path = write_csv(tmp_path / "a.csv", rows)
    by_copy = _import(landlord, path)
    assert by_copy.status == ImportStatus.DONE, by_copy.errors
    copied = _stored_values()
    ArrearsLine.objects.all().delete()
    ArrearsImport.objects.all().delete()
    monkeypatch.setattr(services, "COPY_NEW_LINES", False)
    by_orm = _import(landlord, path)
    assert by_orm.status == ImportStatus.DONE, by_orm.errors
    assert copied == _stored_values()
    assert len(copied) == 4
    assert copied[1]["months_in_arrears"] == Decimal("2.5")


def test_a_file_that_changes_between_the_check_and_the_writing_fails_whole(
    landlord, tmp_path, monkeypatch
):
    from etage.intake.arrears import reading, services

    path = write_csv(tmp_path / "a.csv", sample_rows(3))
    real_read_rows = reading.read_rows
    reads = []

    def read_rows(*args, **kwargs):
        reads.append(1)
        if len(reads) == 2:  # the writing pass: someone rewrote the file meanwhile
            write_csv(path, [*sample_rows(3), line(lease="LMH-X", balance="beaucoup")])
        return real_read_rows(*args, **kwargs)

    monkeypatch.setattr(services.reading, "read_rows", read_rows)
    batch = _import(landlord, path)
    assert batch.status == ImportStatus.FAILED
    assert ArrearsLine.objects.count() == 0
