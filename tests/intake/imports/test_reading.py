"""Streamed reading: encodings, delimiters, caps. No database."""

from __future__ import annotations

import inspect
import tracemalloc

import pytest

from etage.intake.arrears import reading
from tests.intake.imports.conftest import HEADER, line, write_csv


def test_the_reader_is_lazy_and_reads_200k_lines_in_bounded_memory(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(";".join(HEADER) + "\r\n")
        for n in range(200_000):
            out.write(";".join(line(lease=f"LMH-{n:07d}")) + "\r\n")
    rows = reading.read_rows(path, kind="csv")
    assert inspect.isgenerator(rows)
    tracemalloc.start()
    try:
        count = sum(1 for _row in rows)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 200_001
    # The file is ~25 MB; reading it keeps a few lines at a time.
    assert peak < 5 * 1024 * 1024, peak


@pytest.mark.parametrize("delimiter", [";", ","])
def test_the_delimiter_is_detected(tmp_path, delimiter):
    path = write_csv(tmp_path / "x.csv", [line()], delimiter=delimiter)
    rows = list(reading.read_rows(path, kind="csv"))
    assert rows[0] == (1, HEADER)
    assert rows[1][1][0] == "LMH-000001"


def test_a_utf8_bom_is_dropped_and_a_cp1252_file_fails_utf8(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ";".join(HEADER).encode())
    assert next(reading.read_rows(path, kind="csv"))[1][0] == "reference_bail"
    cp = write_csv(tmp_path / "cp.csv", [line(names="Mme Léonie")], encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        list(reading.read_rows(cp, kind="csv"))
    assert list(reading.read_rows(cp, kind="csv", encoding="cp1252"))[1][1][2] == "Mme Léonie"


def test_a_line_of_10_mb_is_refused_without_reading_it_whole(tmp_path):
    path = tmp_path / "long.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write(";".join(HEADER) + "\n" + "x" * 10_000_000 + "\n")
    tracemalloc.start()
    try:
        with pytest.raises(reading.ReadError) as caught:
            list(reading.read_rows(path, kind="csv"))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.line == 2
    assert "dépasse" in caught.value.message
    assert peak < 3 * 1024 * 1024, peak


def test_inspection_refuses_binary_utf16_and_xls(tmp_path):
    binary = tmp_path / "b.csv"
    binary.write_bytes(bytes(range(256)) * 10)
    utf16 = tmp_path / "u.csv"
    utf16.write_bytes(";".join(HEADER).encode("utf-16"))
    xls = tmp_path / "old.xlsx"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    for path, fragment in [(binary, "binaires"), (utf16, "UTF-16"), (xls, ".xls")]:
        with pytest.raises(reading.ReadError) as caught:
            reading.inspect_file(path)
        assert fragment in caught.value.message


def test_inspection_fingerprints_and_estimates_lines(tmp_path):
    path = write_csv(tmp_path / "x.csv", [line(), line(lease="B")])
    facts = reading.inspect_file(path)
    assert facts.kind == "csv"
    assert facts.estimated_lines == 3
    assert len(facts.sha256) == 64
    assert facts.size == path.stat().st_size
