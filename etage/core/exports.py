"""Spreadsheet exports (data-protection.md #22): every cell written to a CSV file goes
through :func:`safe_cell`, so that a value typed by someone cannot run as a formula when the
file is opened in a spreadsheet (CSV / formula injection)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

#: What spreadsheets read as the start of a formula (or that can hide one).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: French spreadsheets open UTF-8 files with this mark correctly, and split on ";".
UTF8_BOM = "\ufeff"
DELIMITER = ";"

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: What a spreadsheet cell holds at most (Excel's limit).
MAX_CELL = 32_000
#: Characters XML 1.0 (hence XLSX and DOCX) cannot carry; a text read from a file may hold
#: some (form feeds…). They are dropped from the documents, never from the data.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def safe_cell(value: object) -> str:
    """``value`` as text, with a leading apostrophe when it starts like a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Line:
    """A file-like object that hands back what the csv writer writes."""

    def write(self, text: str) -> str:
        return text


def csv_lines(header: Iterable[object], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The lines of a CSV file for French spreadsheets, one at a time (for a
    ``StreamingHttpResponse``): BOM, ``;``-separated, every cell through :func:`safe_cell`."""
    writer = csv.writer(_Line(), delimiter=DELIMITER)
    yield UTF8_BOM + writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def _xlsx_cell(value: Any) -> Any:
    # Numbers stay numbers (sums work in the spreadsheet); everything else is safe text.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = NOT_XML.sub("", safe_cell(value))
    return text if len(text) <= MAX_CELL else text[:MAX_CELL] + "…"


def xlsx_bytes(sheet: str, header: Iterable[object], rows: Iterable[Iterable[object]]) -> bytes:
    """One-sheet workbook, every text cell through :func:`safe_cell` (write-only, so that a
    large export does not hold every cell object in memory)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])  # Excel's limit on a sheet's name
    worksheet.append([_xlsx_cell(cell) for cell in header])
    for row in rows:
        worksheet.append([_xlsx_cell(cell) for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_response(
    filename: str, header: Iterable[object], rows: Iterable[Iterable[object]]
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def xlsx_response(
    filename: str, sheet: str, header: Iterable[object], rows: Iterable[Iterable[object]]
) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(sheet, header, rows), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
