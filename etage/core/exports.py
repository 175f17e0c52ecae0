"""Spreadsheet exports (data-protection.md #22): every cell written to a CSV file goes
through :func:`safe_cell`, so that a value typed by someone cannot run as a formula when the
file is opened in a spreadsheet (CSV / formula injection)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

#: What spreadsheets read as the start of a formula (or that can hide one).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: French spreadsheets open UTF-8 files with this mark correctly, and split on ";".
UTF8_BOM = "\ufeff"
DELIMITER = ";"


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
