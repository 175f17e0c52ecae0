"""Streamed reading of an extract (CSV or XLSX), in bounded memory: rows are yielded one at a
time, a physical line and a cell are capped, and every way a file can be unreadable becomes a
:class:`ReadError` with a translated message — never a traceback. No ORM."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from django.utils.translation import gettext as _

#: Longest physical line of a CSV file (characters). A whole valid line is a few hundred.
MAX_LINE_CHARS = 100_000
#: Most columns a header may have (the format has 11).
MAX_COLUMNS = 100
# The csv module's own cap on one field, set deliberately (its default is 128 KiB): a field
# may not be longer than a line.
csv.field_size_limit(MAX_LINE_CHARS)

Kind = Literal["csv", "xlsx"]
#: (line number as a spreadsheet shows it, the cells of the line)
Row = tuple[int, list[object]]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other Office binaries)
_CHUNK = 1 << 20


class ReadError(Exception):
    """The file cannot be read at all (or past ``line``): the whole file is rejected."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class FileFacts:
    kind: Kind
    size: int
    sha256: str
    #: Physical lines of a CSV file, rows announced by an XLSX sheet: an estimate of the
    #: lines to read, for the progress bar only.
    estimated_lines: int


def inspect_file(path: Path) -> FileFacts:
    """One cheap pass over the raw bytes: size, fingerprint, kind, an estimate of the lines.
    Rejects what is surely not an extract (empty, legacy .xls, UTF-16, binary)."""
    digest = hashlib.sha256()
    size = newlines = 0
    head = b""
    with path.open("rb") as raw:
        while chunk := raw.read(_CHUNK):
            if not head:
                head = chunk[:65536]
            digest.update(chunk)
            size += len(chunk)
            newlines += chunk.count(b"\n")
    if size == 0 or not head.strip():
        raise ReadError(_("The file is empty."))
    if head.startswith(_OLE_MAGIC):
        raise ReadError(
            _(
                "This is an old Excel file (.xls), which ETAGE does not read: save it as .xlsx "
                "or as CSV."
            )
        )
    if head.startswith(_ZIP_MAGIC):
        return FileFacts("xlsx", size, digest.hexdigest(), _xlsx_rows(path))
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ReadError(
            _(
                "The file is encoded in UTF-16, which ETAGE does not read: save it as CSV in "
                "UTF-8 (or Windows-1252)."
            )
        )
    if b"\x00" in head:
        raise ReadError(
            _("This file is not a CSV text file nor an XLSX workbook (it holds binary data).")
        )
    return FileFacts("csv", size, digest.hexdigest(), newlines + (0 if head.endswith(b"\n") else 1))


def _xlsx_rows(path: Path) -> int:
    try:
        import openpyxl

        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
        try:
            return int(getattr(workbook.worksheets[0], "max_row", 0) or 0)
        finally:
            workbook.close()
    except Exception:
        return 0


def read_rows(path: Path, *, kind: Kind, encoding: str = "utf-8-sig") -> Iterator[Row]:
    """The non-empty rows of the file, header first. A CSV file that is not valid in
    ``encoding`` raises :class:`UnicodeDecodeError` (the caller tries the next encoding)."""
    if kind == "xlsx":
        return _xlsx(path)
    return _csv(path, encoding)


def _bounded_lines(text: io.TextIOBase) -> Iterator[str]:
    number = 0
    while True:
        line = text.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_CHARS:
            raise ReadError(
                _("Line %(line)s is longer than %(max)s characters: this is not an extract.")
                % {"line": number, "max": f"{MAX_LINE_CHARS:,}".replace(",", "\u202f")},
                line=number,
            )
        yield line


def _csv(path: Path, encoding: str) -> Iterator[Row]:
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
        lines = _bounded_lines(text)
        first = next(lines, "")
        # The delimiter is whichever of ";" and "," the header uses most (";" on a tie: the
        # French Excel default).
        delimiter = "," if first.count(",") > first.count(";") else ";"
        reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ReadError(
                    _("Line %(line)s cannot be read as CSV (%(reason)s).")
                    % {"line": reader.line_num, "reason": exc},
                    line=reader.line_num,
                ) from None
            if len(cells) > MAX_COLUMNS:
                raise ReadError(
                    _("Line %(line)s has more than %(max)s columns.")
                    % {"line": reader.line_num, "max": MAX_COLUMNS},
                    line=reader.line_num,
                )
            # A blank line is skipped. (The reader makes a new list per line: no copy.)
            if "".join(cells).strip():
                yield reader.line_num, cast(list[object], cells)


def _xlsx(path: Path) -> Iterator[Row]:
    import openpyxl

    unreadable = _("The XLSX workbook cannot be read (truncated or damaged file): export it again.")
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, EOFError):
        raise ReadError(unreadable) from None
    except Exception:
        raise ReadError(unreadable) from None
    number = 0
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = list(values)
            while cells and (cells[-1] is None or cells[-1] == ""):
                cells.pop()
            if len(cells) > MAX_COLUMNS:
                raise ReadError(
                    _("Line %(line)s has more than %(max)s columns.")
                    % {"line": number, "max": MAX_COLUMNS},
                    line=number,
                )
            if any(c is not None and str(c).strip() for c in cells):
                yield number, cells
    except ReadError:
        raise
    except Exception:
        raise ReadError(unreadable, line=number or None) from None
    finally:
        workbook.close()
