"""Reading interview transcripts, speaker turns and pseudonymisation (synthetic data)."""

from __future__ import annotations

import io
import unicodedata
import zipfile

import docx
import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from etage.evaluation.transcripts import (
    ADDRESS_PLACEHOLDER,
    EMAIL_PLACEHOLDER,
    INTERVIEWER_LABEL,
    MAX_TRANSCRIPT_BYTES,
    PHONE_PLACEHOLDER,
    PseudonymisedTranscript,
    Transcript,
    TranscriptError,
    parse_turns,
    pseudonymise_transcript,
    read_transcript,
)

INTERVIEW = """Enquêtrice : Bonjour, pouvez-vous vous présenter ?
Aïcha B. : Je m'appelle Aïcha Benali, j'habite au 12 rue des Lilas, 75011 Paris.
Mon courriel c'est aicha.benali@exemple.fr et mon portable le 06 12 34 56 78.

[Jean-Pierre] L'équipe de Martin m'a aidée. AÏCHA a dit que Jean Pierre viendrait.
— MARTIN : je connais bien le dossier d'Aïcha.
"""


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _docx_bytes(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _french_error(name: str, data: bytes) -> str:
    with translation.override("fr"), pytest.raises(TranscriptError) as caught:
        read_transcript(name, data)
    return str(caught.value)


def _assert_turn_offsets(text: str, turns: tuple[object, ...]) -> None:
    for turn in turns:
        assert text[turn.start_offset : turn.end_offset] == turn.text  # type: ignore[attr-defined]


# --- Reading ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Élodie : ça va.\r\nOui.".encode(), "Élodie : ça va.\nOui."),
        (b"\xef\xbb\xbf" + "Élodie : ça va.\rOui.".encode(), "Élodie : ça va.\nOui."),
        ("Élodie : ça va – oui.".encode("cp1252"), "Élodie : ça va – oui."),
        ("Élodie : ça va.\r\nOui.".encode("utf-16"), "Élodie : ça va.\nOui."),
    ],
)
def test_text_encodings_and_newlines(data: bytes, expected: str) -> None:
    transcript = read_transcript("entretien.TXT", data)
    assert transcript.text == expected
    assert transcript.turns[0].speaker == "Élodie"


def test_decomposed_accents_are_composed() -> None:
    data = unicodedata.normalize("NFD", "Hélène : très bien.").encode()
    assert read_transcript("e.txt", data).text == "Hélène : très bien."


def test_docx_paragraphs_in_order() -> None:
    data = _docx_bytes(["Enquêteur : Première question ?", "Noé : Première réponse.", "Suite."])
    transcript = read_transcript("entretien.docx", data)
    assert transcript.text == "Enquêteur : Première question ?\nNoé : Première réponse.\nSuite."
    assert [t.speaker for t in transcript.turns] == ["Enquêteur", "Noé"]
    assert transcript.turns[1].text == "Première réponse.\nSuite."


def test_other_extensions_refused_in_french() -> None:
    message = _french_error("entretien.pdf", b"%PDF-1.7")
    assert message == "Seules les transcriptions .txt et .docx peuvent être lues."
    assert _french_error("sans_extension", b"texte") == message


def test_too_big_refused() -> None:
    message = _french_error("e.txt", b"a" * (MAX_TRANSCRIPT_BYTES + 1))
    assert message == "Le fichier est trop volumineux : les transcriptions sont limitées à 5 Mo."


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04 not really a zip", b"Ceci n'est que du texte.", b""],
)
def test_fake_docx_refused(data: bytes) -> None:
    assert _french_error("faux.docx", data) == "Ce fichier n’est pas un document DOCX valide."


def test_zip_without_word_document_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("bonjour.txt", "salut")
    assert _french_error("x.docx", buffer.getvalue()) == (
        "Ce fichier n’est pas un document DOCX valide."
    )


def test_zip_bomb_refused_before_reading() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\x00" * (60 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < MAX_TRANSCRIPT_BYTES
    message = _french_error("bombe.docx", data)
    assert message == (
        "Ce document DOCX se décompresse en trop de données pour être lu sans risque."
    )


def test_binary_and_empty_text_refused() -> None:
    assert _french_error("e.txt", b"\x81\x8d\x8f\x90\x9d") == (
        "Ce fichier n’est pas du texte lisible : enregistrez la transcription "
        "en texte UTF-8 ou en DOCX."
    )
    assert _french_error("e.txt", b"  \r\n ") == "La transcription ne contient aucun texte."


# --- Speaker turns -----------------------------------------------------------


def test_speaker_marker_styles() -> None:
    text = (
        "Préambule sans locuteur.\n"
        "Lucie : un\n"
        "MAMADOU: deux\n"
        "[Enquêteur·rice] trois\n"
        "— Anne-Sophie Ravel : quatre\n"
        "– Léon : cinq\n"
        "Marie d'Aubigné de la Tour : six\n"
        "Il m'a dit : viens demain.\n"
        "10:30 on s'est vus."
    )
    turns = parse_turns(text)
    assert [(t.speaker, t.text.split("\n")[0]) for t in turns] == [
        ("", "Préambule sans locuteur."),
        ("Lucie", "un"),
        ("MAMADOU", "deux"),
        ("Enquêteur·rice", "trois"),
        ("Anne-Sophie Ravel", "quatre"),
        ("Léon", "cinq"),
        ("Marie d'Aubigné de la Tour", "six"),
    ]
    # Lines that only look like markers continue the previous turn.
    assert turns[-1].text == "six\nIl m'a dit : viens demain.\n10:30 on s'est vus."
    _assert_turn_offsets(text, tuple(turns))


def test_blank_lines_do_not_stretch_a_turn() -> None:
    turns = parse_turns("Lucie : un\n\n\nPaul : deux\n\n")
    assert [t.text for t in turns] == ["un", "deux"]


# --- Pseudonymisation ------------------------------------------------------


def _pseudonymise(text: str, names: list[str]) -> PseudonymisedTranscript:
    transcript = Transcript("e.txt", text, tuple(parse_turns(text)))
    return pseudonymise_transcript(transcript, names)


def test_interview_is_pseudonymised() -> None:
    result = _pseudonymise(INTERVIEW, ["Aïcha Benali", "Martin"])
    assert [t.speaker for t in result.turns] == [
        INTERVIEWER_LABEL,
        "Personne 1",
        "Personne 2",
        "Personne 3",
    ]
    assert result.turns[1].text.startswith("Je m'appelle Personne 1, j'habite au [adresse].")
    assert f"courriel c'est {EMAIL_PLACEHOLDER} et mon portable le {PHONE_PLACEHOLDER}." in (
        result.text
    )
    assert "L'équipe de Personne 3 m'a aidée. Personne 1 a dit que Personne 2 viendrait." in (
        result.text
    )
    assert result.text.rstrip().endswith("le dossier de Personne 1.")
    assert result.replacements["aicha.benali@exemple.fr"] == EMAIL_PLACEHOLDER
    assert result.replacements["12 rue des Lilas, 75011 Paris"] == ADDRESS_PLACEHOLDER
    assert result.replacements["AÏCHA"] == result.replacements["Aïcha Benali"] == "Personne 1"
    _assert_turn_offsets(result.text, result.turns)
    folded = _fold(result.text)
    for original in result.replacements:
        assert _fold(original) not in folded
    for leaked in ("aicha", "benali", "martin", "lilas", "06 12", "jean"):
        assert leaked not in folded


def test_names_inside_other_words_are_kept() -> None:
    text = "Marc : Au marché, Marcel et Jean-Marie ont vu Marc et Martine.\n"
    result = _pseudonymise(text, ["Marc", "Marie", "Martin"])
    assert result.text == (
        "Personne 1 : Au marché, Marcel et Jean-Marie ont vu Personne 1 et Martine.\n"
    )


def test_elisions_accents_case_and_hyphens() -> None:
    text = (
        "Élise : L’avis d'Aïcha et l'équipe de Jean-Pierre, "
        "celle de JEAN PIERRE aussi, et AICHA-t-elle ? Non, aïcha. D’Aïcha, dit-on, "
        "plus qu'Aïcha ; mais Djaïcha reste.\n"
    )
    result = _pseudonymise(text, ["Aïcha Ndiaye", "Jean-Pierre Morel"])
    assert result.text == (
        "Personne 1 : L’avis de Personne 2 et l'équipe de Personne 3, "
        "celle de Personne 3 aussi, et AICHA-t-elle ? Non, Personne 2. De Personne 2, dit-on, "
        "plus que Personne 2 ; mais Djaïcha reste.\n"
    )
    assert result.replacements["Aïcha"] == "Personne 2"


def test_last_names_and_full_names_share_a_pseudonym() -> None:
    text = "Paul : Mme Ndiaye est venue. Fatou Ndiaye et Fatou aussi, Jean-Pierre non.\n"
    result = _pseudonymise(text, ["Fatou Ndiaye", "Jean-Pierre Morel"])
    assert result.text == (
        "Personne 1 : Mme Personne 2 est venue. Personne 2 et Personne 2 aussi, Personne 3 non.\n"
    )


def test_phone_formats() -> None:
    text = (
        "Lina : 01 23 45 67 89, 01.23.45.67.89, 0123456789, +33 6 12 34 56 78, "
        "+33 (0)6 12 34 56 78, 0033612345678, mais pas 2024 ni 123 456.\n"
    )
    result = _pseudonymise(text, [])
    assert result.text.count(PHONE_PLACEHOLDER) == 6
    assert "mais pas 2024 ni 123 456." in result.text


def test_address_stops_at_ordinary_words() -> None:
    text = "Lina : On vivait 3 bis avenue Jean Jaurès puis au 8, allée des Tilleuls et ensuite.\n"
    result = _pseudonymise(text, [])
    assert result.text == (
        f"Personne 1 : On vivait {ADDRESS_PLACEHOLDER} puis au {ADDRESS_PLACEHOLDER} et ensuite.\n"
    )


def test_pseudonyms_follow_first_appearance_and_are_deterministic() -> None:
    text = "Zoé : Yves puis Xavier.\nXavier : oui.\n"
    names = ["Xavier", "Yves"]
    first = _pseudonymise(text, names)
    assert first == _pseudonymise(text, list(reversed(names)))
    assert first.replacements == {"Zoé": "Personne 1", "Yves": "Personne 2", "Xavier": "Personne 3"}


def test_custom_label_keeps_elision_before_a_vowel() -> None:
    text = "Zoé : bonjour d'Yves.\n"
    transcript = Transcript("e.txt", text, tuple(parse_turns(text)))
    result = pseudonymise_transcript(transcript, ["Yves"], speakers_label="Enquêté {number}")
    assert result.text == "Enquêté 1 : bonjour d'Enquêté 2.\n"


def test_particles_and_initials_alone_are_not_names() -> None:
    text = "Zoé : le fils de Tour, de la Tour, avec B. et la voisine.\n"
    result = _pseudonymise(text, ["de", "Marie de la Tour", "B."])
    assert (
        result.text
        == "Personne 1 : le fils de Personne 2, de la Personne 2, avec B. et la voisine.\n"
    )


FIRST_NAMES = ["Aïcha", "Élodie", "Noé", "Jean-Pierre", "Zoé", "Björn", "Hélène", "Loïc"]
FILLER = st.sampled_from(
    ["bonjour", "le marché", "l'équipe", "d'accord", "on verra", "très bien", "avec", ","]
)


@settings(max_examples=60, deadline=None)
@given(
    speaker=st.sampled_from(FIRST_NAMES),
    mentioned=st.lists(st.sampled_from(FIRST_NAMES), min_size=1, max_size=4),
    filler=st.lists(FILLER, min_size=1, max_size=6),
    style=st.sampled_from(["{}", "{}", "d'{}", "l’ami de {}"]),
    upper=st.booleans(),
)
def test_no_given_name_survives(
    speaker: str, mentioned: list[str], filler: list[str], style: str, upper: bool
) -> None:
    words = [style.format(n.upper() if upper else n) for n in mentioned]
    used = (filler * 4)[: len(words)]
    body = " ".join(w for pair in zip(used, words, strict=True) for w in pair)
    text = f"{speaker} : {body}\nEnquêteur : merci {mentioned[0]}.\n"
    result = _pseudonymise(text, FIRST_NAMES)
    folded = _fold(result.text)
    for name in FIRST_NAMES:
        assert _fold(name) not in folded
    for original in result.replacements:
        assert _fold(original) not in folded
    _assert_turn_offsets(result.text, result.turns)
    # The words around the names are untouched.
    for word in used:
        assert word in result.text
