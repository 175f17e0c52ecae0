"""Documents (data-protection.md #20): type and size checked before anything is stored, kept
outside the web root under random names, and downloaded only through the permission check,
with an access-log entry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from etage.core.models import AccessLogEntry
from etage.support.models import Document
from etage.support.services import SupportRefused, document_add, journal_entry_add

from .conftest import files_under

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def post(client, situation, name, content, **extra):
    return client.post(
        reverse("support:documents", args=[situation.pk]),
        {"file": upload(name, content), "kind_label": "", **extra},
    )


REFUSED = [
    ("vide.pdf", b"", "est vide (0 octet)"),
    ("facture.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "est un programme"),
    ("releve.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "est un programme"),
    ("trop-gros.pdf", PDF + b"0" * 2048, "plus que les 1 Kio autorisés"),
    ("image.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "n'est pas un fichier PDF"),
    ("outil.exe", b"MZ\x90\x00", "ne sont pas acceptés"),
]


@pytest.mark.parametrize(("name", "content", "message"), REFUSED)
def test_a_refused_upload_gets_a_clear_french_message_and_stores_nothing(
    supported, client_as, media_root, settings, name, content, message
):
    settings.ETAGE_MAX_UPLOAD_BYTES = 1024
    response = post(client_as("t1-association"), supported, name, content)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page.replace("&#x27;", "'").replace("&rsquo;", "’")
    assert "rien n'a été enregistré" in page.replace("&#x27;", "'")
    assert not Document.objects.exists()
    assert files_under(media_root) == []


def test_the_service_refuses_in_the_same_way(supported, cast, media_root, settings):
    settings.ETAGE_MAX_UPLOAD_BYTES = 1024
    for name, content, message in REFUSED:
        with pytest.raises(SupportRefused, match=message.split(" (")[0]):
            document_add(
                user=cast["t1-association"], situation_id=supported.pk, upload=upload(name, content)
            )
    assert not Document.objects.exists()
    assert files_under(media_root) == []


def test_a_valid_pdf_is_stored_outside_the_web_root_under_a_random_name(
    supported, cast, media_root
):
    document = document_add(
        user=cast["t1-association"],
        situation_id=supported.pk,
        upload=upload("Avis d'échéance.pdf", PDF),
        kind_label="Avis d'échéance",
    )
    stored = files_under(media_root)
    assert len(stored) == 1
    path = stored[0]
    assert path.parent == media_root / "documents"
    assert "Avis" not in path.name
    assert len(path.name) == 32
    assert path.read_bytes() == PDF
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert (document.size, document.content_type) == (len(PDF), "application/pdf")
    assert len(document.sha256) == 64
    static_roots = [settings.STATIC_ROOT, *settings.STATICFILES_DIRS]
    assert not any(str(path).startswith(str(root)) for root in static_roots)
    with pytest.raises(ValueError, match="no URL"):
        document.file.url  # noqa: B018
    event = supported.events.get(action="document_added")
    assert event.payload == {
        "document": document.pk,
        "type": "pdf",
        "size": len(PDF),
        "entry": None,
    }


def test_a_download_goes_through_the_permission_check_and_the_access_log(
    supported, cast, client_as, media_root
):
    document = document_add(
        user=cast["t1-association"], situation_id=supported.pk, upload=upload("plan.pdf", PDF)
    )
    url = reverse("support:document_download", args=[supported.pk, document.pk])
    response = client_as("t1-ccas").get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    entry = AccessLogEntry.objects.get(action="download")
    assert (entry.username, entry.object_type, entry.object_id, entry.situation_id) == (
        "t1-ccas",
        "support.document",
        str(document.pk),
        supported.pk,
    )
    for username in ("t1-recouvrement", "t1-signalement", "t2-coordination"):
        assert client_as(username).get(url).status_code == 404
    assert AccessLogEntry.objects.filter(action="download").count() == 1


def test_a_document_of_a_private_entry_is_downloaded_only_by_its_organisation(
    supported, cast, client_as, media_root
):
    entry = journal_entry_add(
        user=cast["t1-association"],
        situation_id=supported.pk,
        kind="home_visit",
        occurred_on=dt.date(2026, 4, 2),
        visibility="organisation",
        text="Visite : échéancier remis.",
    )
    document = document_add(
        user=cast["t1-association"],
        situation_id=supported.pk,
        upload=upload("echeancier.pdf", PDF),
        journal_entry_id=entry.pk,
    )
    url = reverse("support:document_download", args=[supported.pk, document.pk])
    assert client_as("t1-association").get(url).status_code == 200
    assert client_as("t1-professionnel").get(url).status_code == 404  # the landlord (EMH)
    assert client_as("t1-ccas").get(url).status_code == 404
    listing = client_as("t1-professionnel").get(reverse("support:documents", args=[supported.pk]))
    assert "echeancier.pdf" not in listing.content.decode()
    # Nobody attaches a document to an entry they cannot read.
    with pytest.raises(SupportRefused):
        document_add(
            user=cast["t1-ccas"],
            situation_id=supported.pk,
            upload=upload("autre.pdf", PDF),
            journal_entry_id=entry.pk,
        )


def test_office_and_text_files_are_accepted(supported, cast, media_root):
    from .test_uploads import DOCX, ODT, XLSX

    for name, content in [
        ("courrier.docx", DOCX),
        ("budget.xlsx", XLSX),
        ("note.odt", ODT),
        ("note.txt", b"Compte rendu."),
    ]:
        document_add(
            user=cast["t1-association"], situation_id=supported.pk, upload=upload(name, content)
        )
    assert sorted(Document.objects.values_list("content_type", flat=True)) == [
        "application/vnd.oasis.opendocument.text",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "text/plain",
    ]
    assert len(files_under(media_root)) == 4


def test_a_docx_that_is_really_an_odt_is_refused(supported, cast, media_root):
    from .test_uploads import ODT

    with pytest.raises(SupportRefused, match="Word"):
        document_add(
            user=cast["t1-association"], situation_id=supported.pk, upload=upload("x.docx", ODT)
        )
    assert files_under(media_root) == []
