"""What an upload really is, read from its bytes (data-protection.md #20). Pure tests."""

from __future__ import annotations

import io
import zipfile

import pytest

from etage.support import uploads

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def zipped(files: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(
                stored_first, files.pop(stored_first), compress_type=zipfile.ZIP_STORED
            )
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = zipped(
    {"mimetype": uploads.ODT_MIMETYPE, "content.xml": b"<office:document-content/>"},
    stored_first="mimetype",
)


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PDF, uploads.PDF),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, uploads.PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", uploads.JPEG),
        (DOCX, uploads.DOCX),
        (XLSX, uploads.XLSX),
        (ODT, uploads.ODT),
        ("Compte rendu de visite, café, façade.\r\n".encode(), uploads.TEXT),
        ("Compte rendu en Windows-1252 : café.".encode("cp1252"), uploads.TEXT),
    ],
)
def test_accepted_kinds_are_recognised_by_their_content(content, kind):
    assert uploads.sniff(io.BytesIO(content)) is kind


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64,  # Windows program
        b"\x7fELF\x02\x01\x01" + b"\x00" * 64,  # Linux program
        b"\xcf\xfa\xed\xfe" + b"\x00" * 64,  # macOS program
        b"#!/bin/sh\nrm -rf /\n",  # script
        zipped({"a.txt": b"hello"}),  # a bare zip
        zipped({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"}),
        b"GIF89a\x01\x00",  # not an accepted image
        b"texte\x00binaire",  # NUL byte
        b"A" * 9000 + b"\x00\x01\x02",  # binary after a text header
        b"",
    ],
)
def test_programs_archives_and_binaries_are_not_documents(content):
    assert uploads.sniff(io.BytesIO(content)) is None


def test_an_executable_is_recognised_whatever_its_name():
    assert uploads.is_executable(b"MZ\x90\x00")
    assert uploads.is_executable(b"\x7fELF")
    assert not uploads.is_executable(PDF)


@pytest.mark.parametrize(
    ("name", "extension"),
    [("Avis.PDF", ".pdf"), ("scan.final.jpeg", ".jpeg"), ("sans-extension", ""), (".pdf", "")],
)
def test_the_extension_is_read_from_the_end_of_the_name(name, extension):
    assert uploads.extension_of(name) == extension


def test_sniffing_leaves_the_file_at_its_start():
    stream = io.BytesIO(DOCX)
    uploads.sniff(stream)
    assert stream.tell() == 0
