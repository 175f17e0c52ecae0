"""Transcript upload in two steps: the file is read and pseudonymised, the preview shows the
replacements once, the confirmation stores a text with no original name (the preview carries
the pseudonymised text signed, nothing else). Bad files, tampered or stale previews, missing
consent and coded transcripts are refused in French with nothing stored."""

from __future__ import annotations

import html
import re

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from etage.evaluation.models import Code, Interview, InterviewConsent, Segment, Transcript
from etage.evaluation.transcripts import MAX_TRANSCRIPT_BYTES
from tests.evaluation.interviews_world import (
    ORIGINALS,
    RAW,
    add_interview,
    docx_bytes,
)

pytestmark = pytest.mark.django_db
#: The project with its lead (t1-evaluation) and coder (t2-evaluation).
pytest_plugins = ["tests.evaluation.interviews_fixtures"]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(interview: Interview) -> str:
    return reverse("evaluation:transcript_upload", args=[interview.project_id, interview.pk])


def _upload(client: Client, interview: Interview, name: str, data: bytes, names: str = ""):
    upload = SimpleUploadedFile(name, data)
    return client.post(_url(interview), {"file": upload, "extra_names": names})


def _token(page: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', page)
    assert match, "the preview carries a signed token"
    return html.unescape(match.group(1))


def _preview_then_confirm(client: Client, interview: Interview, name: str, data: bytes, **kw):
    preview = _upload(client, interview, name, data, **kw)
    assert preview.status_code == 200
    page = html.unescape(preview.content.decode())
    confirmed = client.post(_url(interview), {"token": _token(preview.content.decode())})
    return page, confirmed


def _session_text(client: Client) -> str:
    return repr(dict(client.session.items()))


@pytest.mark.parametrize(
    ("name", "data"),
    [("entretien.txt", RAW.encode("utf-8")), ("entretien.docx", docx_bytes(RAW))],
)
def test_an_uploaded_transcript_is_stored_without_any_original(project, coder, name, data):
    interview = add_interview(project, "E01")
    client = _client(coder)

    page, confirmed = _preview_then_confirm(client, interview, name, data, names="Durandal\nNoé")

    # The preview shows each original once, next to its pseudonym…
    for original in ORIGINALS:
        assert original in page
    assert "Personne 1" in page
    assert "[courriel]" in page
    assert "[téléphone]" in page
    # …and the confirmation stores none of them, nor keeps them in the session.
    assert confirmed.status_code == 302
    transcript = Transcript.objects.get(interview=interview)
    for original in ORIGINALS:
        assert original not in transcript.text
        assert original not in _session_text(client)
    assert transcript.text.startswith("Enquêteur·rice : Bonjour")
    assert "Personne 1 : Oui, je suis Personne 1" in transcript.text
    # Each replaced form once: "Aïcha Benali" (speaker), "Aïcha", "Noé", "Durandal", the
    # e-mail address and the phone number.
    assert transcript.replacements == 6
    assert transcript.original_name == name
    assert transcript.uploaded_by == coder


def test_the_preview_token_holds_no_original(project, coder):
    interview = add_interview(project, "E01")
    response = _upload(_client(coder), interview, "e.txt", RAW.encode(), names="Durandal\nNoé")
    payload = signing.loads(
        _token(response.content.decode()), salt="etage.evaluation.transcript-preview"
    )
    for original in ORIGINALS:
        assert original not in repr(payload)
    assert response["Cache-Control"].count("no-store") == 1


def test_a_name_in_the_file_name_is_replaced_too(project, lead):
    interview = add_interview(project, "E01")
    _page, _confirmed = _preview_then_confirm(
        _client(lead), interview, "entretien_Aicha_Benali.txt", RAW.encode()
    )
    stored = Transcript.objects.get().original_name
    assert "Aicha" not in stored
    assert "Benali" not in stored
    assert stored.endswith(".txt")
    assert stored.startswith("entretien")


def test_nothing_is_stored_before_the_confirmation(project, lead):
    interview = add_interview(project, "E01")
    _upload(_client(lead), interview, "e.txt", RAW.encode())
    assert not Transcript.objects.exists()


def test_a_tampered_preview_is_refused_and_stores_nothing(project, lead):
    interview = add_interview(project, "E01")
    client = _client(lead)
    response = _upload(client, interview, "e.txt", RAW.encode())
    token = _token(response.content.decode())
    forged = signing.dumps(
        {
            "interview": interview.pk,
            "user": lead.pk,
            "text": "Aïcha Benali",
            "file": "x.txt",
            "replacements": 0,
        },
        salt="another-salt",
        compress=True,
    )
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged, "", "x:y"):
        refused = client.post(_url(interview), {"token": bad})
        assert refused.status_code == 200
        assert not Transcript.objects.exists()
    assert "Cet aperçu n'a pas pu être vérifié" in html.unescape(refused.content.decode()) or (
        "L'aperçu est manquant" in html.unescape(refused.content.decode())
    )


def test_a_preview_is_bound_to_its_interview_and_its_user(project, lead, coder):
    first = add_interview(project, "E01")
    second = add_interview(project, "E02")
    token = _token(_upload(_client(lead), first, "e.txt", RAW.encode()).content.decode())
    other_interview = _client(lead).post(_url(second), {"token": token})
    other_user = _client(coder).post(_url(first), {"token": token})
    for response in (other_interview, other_user):
        assert "Cet aperçu n'a pas pu être vérifié" in html.unescape(response.content.decode())
    assert not Transcript.objects.exists()


def test_a_preview_older_than_an_hour_is_refused(project, lead, monkeypatch):
    interview = add_interview(project, "E01")
    client = _client(lead)
    token = _token(_upload(client, interview, "e.txt", RAW.encode()).content.decode())
    real = signing.time.time
    monkeypatch.setattr(signing.time, "time", lambda: real() + 3601)
    response = client.post(_url(interview), {"token": token})
    assert "plus d'une heure" in html.unescape(response.content.decode())
    assert not Transcript.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("e.pdf", b"%PDF-1.4", "Seules les transcriptions .txt et .docx peuvent être lues."),
        ("e.txt", b"", "Le fichier soumis est vide."),
        ("e.txt", b"  \n\n ", "La transcription ne contient aucun texte."),
        ("e.docx", b"not a zip at all", "Ce fichier n’est pas un document DOCX valide."),
        (
            "e.txt",
            b"a" * (MAX_TRANSCRIPT_BYTES + 10),
            "Le fichier est trop volumineux : les transcriptions sont limitées à 5 Mo.",
        ),
    ],
    ids=["wrong-type", "empty", "blank", "broken-docx", "oversized"],
)
def test_bad_files_are_refused_in_french_and_nothing_is_stored(project, lead, name, data, message):
    interview = add_interview(project, "E01")
    response = _upload(_client(lead), interview, name, data)
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert 'name="token"' not in response.content.decode()
    assert not Transcript.objects.exists()


def test_a_social_security_number_in_the_transcript_is_refused(project, lead):
    interview = add_interview(project, "E01")
    response = _upload(_client(lead), interview, "e.txt", b"Personne : 185057800608436")
    assert "numéro de sécurité sociale" in response.content.decode()
    assert 'name="token"' not in response.content.decode()


@pytest.mark.parametrize("consent", ["missing", "withdrawn"])
def test_a_transcript_needs_a_valid_consent_first(project, lead, consent):
    interview = add_interview(project, "E01", consent=consent)
    client = _client(lead)
    page = client.get(_url(interview)).content.decode()
    assert 'data-testid="upload-blocked"' in page
    assert "Enregistrez le consentement" in html.unescape(page)
    response = _upload(client, interview, "e.txt", RAW.encode())
    assert 'name="token"' not in response.content.decode()
    assert not Transcript.objects.exists()


def test_a_consent_withdrawn_during_the_preview_stops_the_confirmation(project, lead):
    interview = add_interview(project, "E01")
    client = _client(lead)
    token = _token(_upload(client, interview, "e.txt", RAW.encode()).content.decode())
    InterviewConsent.objects.filter(interview=interview).update(withdrawn_on="2025-04-01")
    client.post(_url(interview), {"token": token})
    assert not Transcript.objects.exists()


def test_a_transcript_without_segments_can_be_replaced(project, lead):
    interview = add_interview(project, "E01", transcript="ancien texte")
    _page, confirmed = _preview_then_confirm(_client(lead), interview, "e.txt", RAW.encode())
    assert confirmed.status_code == 302
    transcript = Transcript.objects.get()
    assert "ancien texte" not in transcript.text
    assert "Personne 1" in transcript.text


def test_a_coded_transcript_cannot_be_replaced(project, lead):
    interview = add_interview(project, "E01", transcript="ancien texte codé")
    code = Code.objects.create(project=project, name="Contact")
    Segment.objects.create(
        transcript=interview.transcript, code=code, coder=lead, start=0, end=6, text="ancien"
    )
    client = _client(lead)
    page = html.unescape(client.get(_url(interview)).content.decode())
    assert "est déjà codée : elle ne peut pas être remplacée" in page
    _upload(client, interview, "e.txt", RAW.encode())
    assert Transcript.objects.get().text == "ancien texte codé"


def test_coding_that_starts_during_the_preview_stops_the_replacement(project, lead):
    interview = add_interview(project, "E01", transcript="ancien texte codé")
    client = _client(lead)
    token = _token(_upload(client, interview, "e.txt", RAW.encode()).content.decode())
    code = Code.objects.create(project=project, name="Contact")
    Segment.objects.create(
        transcript=interview.transcript, code=code, coder=lead, start=0, end=6, text="ancien"
    )
    client.post(_url(interview), {"token": token})
    assert Transcript.objects.get().text == "ancien texte codé"


def test_the_stored_transcript_is_shown_with_its_speaker_turns(project, lead):
    interview = add_interview(project, "E01")
    client = _client(lead)
    _preview_then_confirm(client, interview, "e.txt", RAW.encode())
    page = client.get(reverse("evaluation:interview", args=[project.pk, interview.pk]))
    text = page.content.decode()
    assert '<strong class="transcript__speaker">Personne 1 :</strong>' in text
    assert "Aïcha" not in text


def test_the_uploaded_original_never_touches_the_disk(project, lead, monkeypatch):
    # Above Django's in-memory threshold (2.5 MB), uploads normally go to a temporary file.
    from django.core.files import uploadedfile

    def no_disk(*args, **kwargs):
        raise AssertionError("the transcript was written to a temporary file")

    monkeypatch.setattr(uploadedfile.tempfile, "NamedTemporaryFile", no_disk)
    interview = add_interview(project, "E01")
    big = (RAW * (3 * 1024 * 1024 // len(RAW.encode()) + 1)).encode()
    response = _upload(_client(lead), interview, "e.txt", big)
    assert response.status_code == 200
    assert 'name="token"' in response.content.decode()


def test_the_upload_is_protected_against_cross_site_requests(project, lead):
    interview = add_interview(project, "E01")
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)
    upload = SimpleUploadedFile("e.txt", RAW.encode())
    response = client.post(_url(interview), {"file": upload})
    assert response.status_code == 403


def test_only_the_first_file_of_the_file_field_is_read(project, lead):
    interview = add_interview(project, "E01")
    first = SimpleUploadedFile("a.txt", b"Personne : premier fichier")
    second = SimpleUploadedFile("b.txt", b"Personne : second fichier")
    stray = SimpleUploadedFile("c.txt", b"Personne : champ inconnu")
    response = _client(lead).post(_url(interview), {"file": [first, second], "autre": stray})
    page = response.content.decode()
    assert "premier fichier" in page
    assert "second fichier" not in page
