"""What may be uploaded (data-protection.md #20): the name's extension and the real content,
read from the file's first bytes (and, for office files, the inside of the zip), must agree
and be one of the accepted kinds. Pure: works on a binary file object, no ORM, no storage.

Why no library: the maintained one (puremagic 2) needs Python ≥ 3.12; its 1.x line and
``filetype`` (no release since 2022) tell neither a DOCX from an ODT or a bare zip, nor plain
text from binary — the checks that matter here. The formats accepted are few; their
signatures are below, each with its test.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext_lazy as _

HEAD_BYTES = 8192


@dataclass(frozen=True)
class Kind:
    code: str
    label: Any
    extensions: tuple[str, ...]
    content_type: str


PDF = Kind("pdf", "PDF", (".pdf",), "application/pdf")
PNG = Kind("png", "PNG", (".png",), "image/png")
JPEG = Kind("jpeg", "JPEG", (".jpg", ".jpeg"), "image/jpeg")
DOCX = Kind(
    "docx",
    "Word (DOCX)",
    (".docx",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
XLSX = Kind(
    "xlsx",
    "Excel (XLSX)",
    (".xlsx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
ODT = Kind(
    "odt", _("OpenDocument text (ODT)"), (".odt",), "application/vnd.oasis.opendocument.text"
)
TEXT = Kind("txt", _("plain text (TXT)"), (".txt",), "text/plain")

KINDS: tuple[Kind, ...] = (PDF, PNG, JPEG, DOCX, XLSX, ODT, TEXT)
BY_EXTENSION: dict[str, Kind] = {ext: kind for kind in KINDS for ext in kind.extensions}

#: Programs, whatever their name: Windows (MZ), Linux (ELF), macOS (Mach-O, fat binaries),
#: Java classes share the fat-binary magic, and scripts with a shebang.
EXECUTABLE_SIGNATURES: tuple[bytes, ...] = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
)

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def extension_of(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def is_executable(head: bytes) -> bool:
    return head.startswith(EXECUTABLE_SIGNATURES)


def _zip_names(stream: IO[bytes]) -> list[str] | None:
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None


def _is_odt(stream: IO[bytes], head: bytes) -> bool:
    # The OpenDocument rule: the first entry is an uncompressed "mimetype" file holding the
    # media type, so its text sits at a fixed offset (30 + len("mimetype")) of the file.
    if head[30:38] != b"mimetype" or not head[38:].startswith(ODT_MIMETYPE):
        return False
    return _zip_names(stream) is not None


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(head) - 3:
            try:
                text = head.decode("cp1252")
            except UnicodeDecodeError:
                return False
        else:
            text = head[: exc.start].decode("utf-8")
    allowed_controls = {"\t", "\n", "\r", "\f"}
    return not any(ord(c) < 32 and c not in allowed_controls for c in text)


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def _no_control_bytes(stream: IO[bytes]) -> bool:
    """The whole file, not only its head: a text header does not make a binary text."""
    stream.seek(0)
    while chunk := stream.read(1024 * 1024):
        if len(chunk.translate(None, _CONTROL_BYTES)) != len(chunk):
            return False
    return True


def sniff(stream: IO[bytes]) -> Kind | None:
    """The accepted kind the content of ``stream`` really is, or None. Reads from the start;
    leaves the position at the start."""
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    try:
        if not head or is_executable(head):
            return None
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith(b"PK\x03\x04"):
            if _is_odt(stream, head):
                return ODT
            names = _zip_names(stream)
            if names is None or "[Content_Types].xml" not in names:
                return None
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
            return None
        if _is_text(head) and _no_control_bytes(stream):
            return TEXT
        return None
    finally:
        stream.seek(0)


def accepted_labels() -> str:
    return ", ".join(str(k.label) for k in KINDS)
