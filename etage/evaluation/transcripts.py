"""Interview transcripts: reading uploads, speaker turns and pseudonymisation.

Pure functions (no models, no views) so that the upload view, the demo data and
the report share one reading of a transcript.

Offsets. ``Turn.start_offset``/``end_offset`` index the transcript text, and
``text[start_offset:end_offset] == turn.text``: coded segments are stored as
offsets, so they must point into exactly the text that coders see.

Pseudonymisation runs before anyone codes. Names are matched on a folded copy
of the text (accents removed, case folded) whose characters map back to the
original, so "AÏCHA", "Aicha" and "d'Aïcha" are all found while "Marc" inside
"marché" is not. A hyphen counts as part of a word: "Marie" is not replaced
inside "Jean-Marie", who is someone else. The replacement map returned next to
the text is personal data; callers store it apart from the transcript.
"""

from __future__ import annotations

import bisect
import functools
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_TRANSCRIPT_BYTES = 5 * 1024 * 1024
# A DOCX is a zip: a few kilobytes can inflate to gigabytes. A transcript's XML
# is a handful of times its compressed size; these bounds leave ample room.
MAX_DOCX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_DOCX_MEMBERS = 1000

# Pseudonyms are transcript content (what coders read and what the report
# quotes), not interface text, so they are French data like the codebook
# headings of refiqda.py.
DEFAULT_SPEAKERS_LABEL = "Personne {number}"
INTERVIEWER_LABEL = "Enquêteur·rice"
EMAIL_PLACEHOLDER = "[courriel]"
PHONE_PLACEHOLDER = "[téléphone]"
ADDRESS_PLACEHOLDER = "[adresse]"

_INTERVIEWER_NAMES = frozenset(
    {
        "enqueteur",
        "enqueteuse",
        "enquetrice",
        "enqueteur·rice",
        "enqueteur·ice",
        "enqueteur.rice",
        "enqueteur-rice",
        "enqueteur(rice)",
        "interviewer",
        "intervieweur",
        "intervieweuse",
    }
)
# Parts of a full name that, alone, are not names: replacing every "de" or
# "Madame" would shred the text without protecting anyone.
_NOT_A_NAME = frozenset(
    {
        "de",
        "du",
        "des",
        "la",
        "le",
        "les",
        "d'",
        "l'",
        "van",
        "von",
        "der",
        "den",
        "di",
        "da",
        "dos",
        "el",
        "al",
        "ben",
        "m",
        "m.",
        "mme",
        "mlle",
        "mr",
        "dr",
        "madame",
        "monsieur",
        "mademoiselle",
    }
)

# Words of a speaker name start with a capital, except particles: "Il m'a
# dit : viens" is a sentence, "Marie de la Tour : oui" is a turn.
_NAME_WORD = r"(?:[^\W\d_a-zß-ÿ][\w·'’.\-]*|\d+|de|du|des|la|le|van|von|d['’][\w·'’.\-]+)"
_SPEAKER_NAME = rf"[^\W\d_a-zß-ÿ][\w·'’.\-]*(?:[ \t]+{_NAME_WORD}){{0,4}}"
_DASH = r"(?:[—–-][ \t]*)?"
_BRACKET_RE = re.compile(rf"^[ \t]*{_DASH}\[[ \t]*(?P<name>[^\]\n]{{1,60}}?)[ \t]*\][ \t]*")
_COLON_RE = re.compile(rf"^[ \t]*{_DASH}(?P<name>{_SPEAKER_NAME})[ \t]*:[ \t]*")

_EMAIL_RE = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_PHONE_RE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)33[ \t.\-]?(?:\(0\)[ \t.\-]?)?[1-9]|0[1-9])"
    r"(?:[ \t.\-]?\d{2}){4}(?!\d)"
)
_STREET_TYPES = (
    "rue|avenue|av\\.|boulevard|bd|place|all[ée]e|impasse|chemin|route|quai|cours|square"
    "|passage|r[ée]sidence|cit[ée]|voie|sentier|rond-point|esplanade|faubourg|villa"
    "|hameau|lotissement|promenade|parvis|mail|sq\\."
)
_CAPITALISED = r"[A-ZÀ-ÖØ-Þ0-9][\w'’\-]*"
_ADDRESS_RE = re.compile(
    rf"(?<![\w])\d{{1,4}}(?:[ \t]?(?i:bis|ter|quater|[a-d]))?,?[ \t]+(?i:{_STREET_TYPES})"
    rf"(?:[ \t]+(?:(?:(?i:de|du|des|la|le|les|aux|au|à))[ \t]+|[ldLD]['’])*{_CAPITALISED})+"
    rf"(?:,?[ \t]+\d{{5}}(?:[ \t]+{_CAPITALISED})+)?"
)


class TranscriptError(ValueError):
    """A transcript that cannot be read; the message is for users."""


@dataclass(frozen=True)
class Turn:
    speaker: str
    text: str
    start_offset: int
    end_offset: int


@dataclass(frozen=True)
class Transcript:
    name: str
    text: str
    turns: tuple[Turn, ...]


@dataclass(frozen=True)
class PseudonymisedTranscript:
    text: str
    turns: tuple[Turn, ...]
    replacements: dict[str, str] = field(default_factory=dict)


# --- Reading ---------------------------------------------------------------


def _too_big() -> TranscriptError:
    return TranscriptError(
        _("The file is too large: transcripts are limited to %(size)d MB.")
        % {"size": MAX_TRANSCRIPT_BYTES // (1024 * 1024)}
    )


def _decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        encodings: tuple[str, ...] = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise TranscriptError(
        _("This file is not readable text: save the transcript as UTF-8 text or DOCX.")
    )


def _read_docx(data: bytes) -> str:
    # Imported here: python-docx is only needed when a DOCX arrives.
    import docx

    invalid = TranscriptError(_("This file is not a valid DOCX document."))
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise invalid
    try:
        with zipfile.ZipFile(buffer) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise invalid from error
    if "word/document.xml" not in names:
        raise invalid
    # The declared sizes are what the reader will inflate; checking them before
    # python-docx opens the archive is what stops a zip bomb.
    if (
        len(members) > MAX_DOCX_MEMBERS
        or sum(member.file_size for member in members) > MAX_DOCX_UNCOMPRESSED_BYTES
    ):
        raise TranscriptError(_("This DOCX document expands to too much data to be read safely."))
    try:
        document = docx.Document(io.BytesIO(data))
        return "\n".join(paragraph.text for paragraph in document.paragraphs)
    except Exception as error:  # python-docx raises many kinds on broken files.
        raise invalid from error


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n").replace("\x0b", "\n")
    return unicodedata.normalize("NFC", text)


def read_transcript(name: str, data: bytes) -> Transcript:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ("txt", "docx"):
        raise TranscriptError(_("Only .txt and .docx transcripts can be read."))
    if len(data) > MAX_TRANSCRIPT_BYTES:
        raise _too_big()
    raw = _decode_text(data) if extension == "txt" else _read_docx(data)
    text = _normalise(raw)
    if not text.strip():
        raise TranscriptError(_("The transcript contains no text."))
    return Transcript(name=name, text=text, turns=tuple(parse_turns(text)))


# --- Speaker turns -----------------------------------------------------------


@dataclass
class _RawTurn:
    speaker: str
    speaker_start: int
    speaker_end: int
    start: int
    end: int


def _raw_turns(text: str) -> list[_RawTurn]:
    turns: list[_RawTurn] = []
    position = 0
    for line in text.split("\n"):
        line_end = position + len(line)
        match = _BRACKET_RE.match(line) or _COLON_RE.match(line)
        if match:
            turns.append(
                _RawTurn(
                    speaker=match.group("name").strip(),
                    speaker_start=position + match.start("name"),
                    speaker_end=position + match.end("name"),
                    start=position + match.end(),
                    end=line_end,
                )
            )
        elif turns:
            # A line without a marker continues the previous turn; blank lines
            # do not stretch it, so the turn text ends with its last words.
            if line.strip():
                turns[-1].end = line_end
        elif line.strip():
            turns.append(_RawTurn("", position, position, position, line_end))
        position = line_end + 1
    return turns


def parse_turns(text: str) -> list[Turn]:
    """Speaker turns; text before the first marker is a turn with no speaker."""
    return [
        Turn(raw.speaker, text[raw.start : raw.end], raw.start, raw.end) for raw in _raw_turns(text)
    ]


# --- Pseudonymisation ------------------------------------------------------


# Bounded, and keyed by single characters only: names must not outlive the call.
@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char == "’":
        return "'"
    decomposed = unicodedata.normalize("NFD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _fold(text: str) -> tuple[str, list[int]]:
    """Folded text, and for each folded character the index of its original."""
    parts: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        parts.append(folded)
        origins.extend([index] * len(folded))
    return "".join(parts), origins


def _fold_name(name: str) -> str:
    return " ".join(_fold(name)[0].split())


def _is_interviewer(speaker: str) -> bool:
    return _fold_name(speaker).replace(" ", "") in _INTERVIEWER_NAMES


def _variants(name: str) -> tuple[str, ...]:
    """The full name and each of its parts that is a name on its own."""
    full = _fold_name(name).strip(" .,;:")
    if len(full) < 2 or full in _NOT_A_NAME:
        return ()
    variants = [full]
    for part in full.split(" "):
        part = part.strip(".,;:")
        if len(part.rstrip(".")) >= 2 and part not in _NOT_A_NAME and part not in variants:
            variants.append(part)
    return tuple(variants)


def _name_pattern(variant: str) -> str:
    pieces = []
    for char in variant:
        if char == " ":
            pieces.append(r"[ \t\u00a0]+")
        elif char in "-‐‑":
            pieces.append(r"[\-‐‑ \t\u00a0]")
        elif char == "'":
            pieces.append("'")
        else:
            pieces.append(re.escape(char))
    return "".join(pieces)


@dataclass
class _Person:
    variants: list[str]
    first_seen: int = -1


def _people(names: Iterable[str], speakers: Iterable[str]) -> list[_Person]:
    people: list[_Person] = []
    for name in [*names, *speakers]:
        variants = _variants(name)
        if not variants:
            continue
        # "Aïcha" speaking in a transcript about "Aïcha Benali" is one person.
        parts = variants[1:]
        same = next(
            (
                p
                for p in people
                if variants[0] in p.variants
                or p.variants[0] in variants
                or (parts and all(part in p.variants for part in parts))
            ),
            None,
        )
        if same is None:
            people.append(_Person(list(variants)))
        else:
            same.variants.extend(v for v in variants if v not in same.variants)
    return people


Span = tuple[int, int, str]


class _Taken:
    """Non-overlapping spans, searched by bisection: transcripts run to megabytes."""

    def __init__(self, spans: Iterable[Span] = ()) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.extend(spans)

    def extend(self, spans: Iterable[Span]) -> None:
        pairs = sorted([*zip(self.starts, self.ends, strict=True), *((s, e) for s, e, _r in spans)])
        self.starts = [start for start, _end in pairs]
        self.ends = [end for _start, end in pairs]

    def overlaps(self, start: int, end: int) -> bool:
        # Spans are disjoint, so the last one starting before ``end`` also
        # ends last among them.
        index = bisect.bisect_left(self.starts, end)
        return index > 0 and self.ends[index - 1] > start


def _pattern_spans(text: str, taken: _Taken) -> list[Span]:
    spans: list[Span] = []
    for regex, placeholder in (
        (_EMAIL_RE, EMAIL_PLACEHOLDER),
        (_PHONE_RE, PHONE_PLACEHOLDER),
        (_ADDRESS_RE, ADDRESS_PLACEHOLDER),
    ):
        # Matches of one pattern never overlap each other, only earlier ones.
        batch = [
            (match.start(), match.end(), placeholder)
            for match in regex.finditer(text)
            if not taken.overlaps(match.start(), match.end())
        ]
        taken.extend(batch)
        spans.extend(batch)
    return spans


def _name_spans(
    text: str,
    people: list[_Person],
    taken: _Taken,
    speaker_marks: list[tuple[int, int, str]],
    label: str,
) -> tuple[list[Span], list[tuple[int, str, str]]]:
    folded, origins = _fold(text)
    owner: dict[str, int] = {}
    for index, person in enumerate(people):
        for variant in person.variants:
            owner.setdefault(variant, index)
    if not owner:
        return [], []
    # The whole marker is replaced, so "Aïcha B." does not leave its initial.
    # (start, end, person, start in the folded text or -1 for a speaker marker)
    found: list[tuple[int, int, int, int]] = []
    person_of: dict[str, int] = {}
    for start, end, speaker in speaker_marks:
        if speaker not in person_of:
            full = _variants(speaker)[0]
            person_of[speaker] = next(i for i, p in enumerate(people) if full in p.variants)
        found.append((start, end, person_of[speaker], -1))
    taken.extend((start, end, "") for start, end, _i, _f in found)
    # Longest first so that "Jean-Pierre Morel" wins over "Jean-Pierre".
    alternation = "|".join(_name_pattern(v) for v in sorted(owner, key=lambda v: (-len(v), v)))
    regex = re.compile(rf"(?<!\w)(?<!\w[\-‐‑])(?:{alternation})(?!\w)(?![\-‐‑]\w)")
    for match in regex.finditer(folded):
        start = origins[match.start()]
        end = origins[match.end() - 1] + 1
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1
        if taken.overlaps(start, end):
            continue
        variant = " ".join(match.group().replace("\u00a0", " ").split())
        matched = owner.get(variant)
        if matched is None:
            # Matched through a hyphen written as a space or vice versa.
            matched = next(i for v, i in owner.items() if re.fullmatch(_name_pattern(v), variant))
        found.append((start, end, matched, match.start()))
    for start, _end, index, _f in found:
        if people[index].first_seen < 0 or start < people[index].first_seen:
            people[index].first_seen = start
    seen = sorted((p.first_seen, i) for i, p in enumerate(people) if p.first_seen >= 0)
    pseudonyms = {i: label.format(number=n) for n, (_s, i) in enumerate(seen, start=1)}
    spans: list[Span] = []
    originals: list[tuple[int, str, str]] = []
    for start, end, index, folded_start in found:
        pseudonym = pseudonyms[index]
        originals.append((start, text[start:end], pseudonym))
        before = folded[max(0, folded_start - 4) : folded_start] if folded_start > 0 else ""
        spans.append(_unelide(text, before, start, end, pseudonym))
    return spans, originals


_ELISION_RE = re.compile(r"(?<!\w)(d|qu)'$")


def _unelide(text: str, before: str, start: int, end: int, pseudonym: str) -> Span:
    """Turn "d'Aïcha" into "de Personne 1", not "d'Personne 1".

    The elided article was shaped by the name's first sound; the pseudonym
    starts with another one.
    """
    if not pseudonym[:1].isalpha() or _fold_char(pseudonym[0]) in "aeiouyh":
        return (start, end, pseudonym)
    match = _ELISION_RE.search(before)
    if match is None:
        return (start, end, pseudonym)
    article_start = start - len(match.group())
    article = text[article_start : start - 1]
    return (article_start, end, f"{article}e {pseudonym}")


class _Shifter:
    """Maps offsets of the original text to the pseudonymised one."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans = spans
        self.ends = [end for _start, end, _r in spans]
        self.deltas = [0]
        for start, end, replacement in spans:
            self.deltas.append(self.deltas[-1] + len(replacement) - (end - start))

    def __call__(self, offset: int) -> int:
        index = bisect.bisect_right(self.ends, offset)
        delta = self.deltas[index]
        if index < len(self.spans) and self.spans[index][0] < offset:
            start, _end, replacement = self.spans[index]
            return start + delta + len(replacement)
        return offset + delta


def pseudonymise_transcript(
    transcript: Transcript,
    names: Iterable[str] = (),
    *,
    speakers_label: str = DEFAULT_SPEAKERS_LABEL,
) -> PseudonymisedTranscript:
    """Replace names, e-mail addresses, phone numbers and street addresses.

    ``speakers_label`` is a ``str.format`` template with a ``{number}`` field;
    people are numbered in order of first appearance in the text.
    """
    text = transcript.text
    raw_turns = _raw_turns(text)
    interviewer_spans: list[Span] = [
        (raw.speaker_start, raw.speaker_end, INTERVIEWER_LABEL)
        for raw in raw_turns
        if raw.speaker and _is_interviewer(raw.speaker)
    ]
    # Every turn repeats its speaker; judge each distinct label once.
    speakers = [
        speaker
        for speaker in dict.fromkeys(raw.speaker for raw in raw_turns if raw.speaker)
        if not _is_interviewer(speaker) and _variants(speaker)
    ]
    named = set(speakers)
    speaker_marks = [
        (raw.speaker_start, raw.speaker_end, raw.speaker)
        for raw in raw_turns
        if raw.speaker in named
    ]
    people = _people(names, speakers)
    taken = _Taken(interviewer_spans)
    pattern_spans = _pattern_spans(text, taken)
    name_spans, name_originals = _name_spans(text, people, taken, speaker_marks, speakers_label)
    spans = sorted(interviewer_spans + pattern_spans + name_spans)

    pieces: list[str] = []
    position = 0
    for start, end, replacement in spans:
        pieces.append(text[position:start])
        pieces.append(replacement)
        position = end
    pieces.append(text[position:])
    new_text = "".join(pieces)
    replacements: dict[str, str] = {}
    for _start, original, pseudonym in sorted(
        [(start, text[start:end], placeholder) for start, end, placeholder in pattern_spans]
        + name_originals
    ):
        replacements.setdefault(original, pseudonym)

    shift = _Shifter(spans)
    turns = []
    for raw in raw_turns:
        speaker_start, speaker_end = shift(raw.speaker_start), shift(raw.speaker_end)
        start, end = shift(raw.start), shift(raw.end)
        speaker = new_text[speaker_start:speaker_end] if raw.speaker else ""
        turns.append(Turn(speaker, new_text[start:end], start, end))
    return PseudonymisedTranscript(text=new_text, turns=tuple(turns), replacements=replacements)
