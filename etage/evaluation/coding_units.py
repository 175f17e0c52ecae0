"""Pure core of the coding pages (evaluation.md part C): the units a transcript is coded and
compared in, the pieces its text is drawn in, agreement between two coders and the
disagreements to reconcile. No ORM here: records in, records out, so that the rules are
tested without a database and read in one place.

The unit of agreement is the **speaker turn** (the same unit as the report's method chapter,
``etage.evaluation.report.method``): for every turn and every code, a coder *applied* the code
when at least one of their segments with that code shares a character with the turn, and *did
not apply* it otherwise. Two coders agree on a (turn, code) decision when both applied it or
both did not. Exact segment boundaries do not count: coders rarely select the same words, and
a turn is what an evaluator reads as one statement. Turns with no text are not units.

Offsets are Python ``str`` indices (code points) into the stored, pseudonymised text, end
excluded, exactly as :mod:`etage.evaluation.transcripts` gives the turns.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from etage.evaluation.agreement import CodedUnit, SegmentAgreement, segment_agreement
from etage.evaluation.transcripts import parse_turns

# --- Units ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TurnUnit:
    """One speaker turn with text: ``text[start:end]`` is what the speaker said."""

    index: int
    speaker: str
    start: int
    end: int


def turn_units(text: str) -> list[TurnUnit]:
    """The speaker turns of ``text`` that hold text, numbered from 1 in reading order."""
    turns = [t for t in parse_turns(text) if t.end_offset > t.start_offset]
    return [
        TurnUnit(index, t.speaker, t.start_offset, t.end_offset)
        for index, t in enumerate(turns, start=1)
    ]


# A sentence ends with its punctuation (and any closing quote or bracket, after a space in
# French typography: « C'est fini ? »), before a space; a line break ends one too (a
# continuation line of a turn is often a new statement).
_SENTENCE_END = re.compile(r"[.!?…]+(?:[ \u00a0\u202f]?[»\"”’)\]])*(?=\s|$)|\n")


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentences of ``text[start:end]`` as (start, end) offsets into ``text``, without the
    spaces around them. Always at least one span when the range holds any non-space text."""
    spans: list[tuple[int, int]] = []
    position = start
    for match in _SENTENCE_END.finditer(text, start, end):
        stop = match.end() if match.group() != "\n" else match.start()
        spans.append((position, stop))
        position = match.end()
    spans.append((position, end))
    trimmed = (trim_span(text, s, e) for s, e in spans)
    return [(s, e) for s, e in trimmed if e > s]


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` without the whitespace at either end (a mouse selection often takes
    the space after a word); ``start == end`` when only whitespace was selected."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def overlaps(start: int, end: int, other_start: int, other_end: int) -> bool:
    """Whether two spans share at least one character (touching spans do not)."""
    return start < other_end and other_start < end


# --- Pieces of text to draw ----------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A run of a turn's text covered by the same visible segments (``marks``: their keys)."""

    start: int
    end: int
    text: str
    marks: tuple[Hashable, ...]


def pieces(
    text: str, start: int, end: int, marks: Iterable[tuple[int, int, Hashable]]
) -> list[Piece]:
    """Cut ``text[start:end]`` at every boundary of the ``marks`` (start, end, key) inside it,
    so that the page can highlight coded words and the browser can map a selection back to
    offsets (each piece carries its own start)."""
    inside = [
        (max(s, start), min(e, end), key) for s, e, key in marks if overlaps(s, e, start, end)
    ]
    cuts = sorted({start, end, *(s for s, _e, _k in inside), *(e for _s, e, _k in inside)})
    result = []
    for left, right in itertools.pairwise(cuts):
        keys = tuple(key for s, e, key in inside if s <= left and right <= e)
        result.append(Piece(left, right, text[left:right], keys))
    return result


# --- Agreement between two coders ----------------------------------------------------------


@dataclass(frozen=True)
class CodedSpan:
    """One coder's segment, reduced to what agreement and reconciliation need."""

    id: int
    transcript: int
    coder: int
    code: int
    start: int
    end: int


def applied_codes(turn: TurnUnit, spans: Iterable[CodedSpan]) -> frozenset[int]:
    """The codes of ``spans`` applied to ``turn`` (a segment touching it by one character
    counts)."""
    return frozenset(s.code for s in spans if overlaps(s.start, s.end, turn.start, turn.end))


def coders_agreement(
    turns: Mapping[int, Sequence[TurnUnit]],
    spans: Iterable[CodedSpan],
    coders: Sequence[int],
    *,
    codes: Sequence[int] | None = None,
) -> SegmentAgreement | None:
    """Agreement of ``coders`` (two or more, distinct) over the turns of the transcripts
    **all** of them coded (a transcript one of them did not code says nothing about their
    agreement). Kappa is computed for exactly two coders, alpha for any number.

    ``turns`` maps each transcript to its turns; ``spans`` are the coders' own segments
    (never the reconciled coding). ``codes`` fixes the codes scored and their order (default:
    every code one of them applied in those transcripts). ``None`` when no transcript was
    coded by all of them, or when the shared transcripts hold no turn.
    """
    by_transcript: dict[int, dict[int, list[CodedSpan]]] = defaultdict(lambda: defaultdict(list))
    wanted = set(coders)
    for span in spans:
        if span.coder in wanted:
            by_transcript[span.transcript][span.coder].append(span)
    shared = [
        key
        for key, by_coder in by_transcript.items()
        if all(coder in by_coder for coder in coders) and turns.get(key)
    ]
    if len(wanted) < 2 or len(wanted) != len(coders) or not shared:
        return None
    units: list[Hashable] = []
    coded: list[CodedUnit] = []
    used: set[int] = set()
    for key in sorted(shared):
        for turn in turns[key]:
            unit = (key, turn.index)
            units.append(unit)
            for coder in coders:
                coded.append(CodedUnit(coder, unit, applied_codes(turn, by_transcript[key][coder])))
        for coder in coders:
            used.update(s.code for s in by_transcript[key][coder])
    code_list: list[Hashable] = list(codes if codes is not None else sorted(used))
    return segment_agreement(coded, coders=tuple(coders), codes=code_list, units=units)


def is_undefined(value: float | None) -> bool:
    return value is None or math.isnan(value)


#: Landis and Koch (1977): the strength of agreement a kappa stands for, by its lower bound.
#: Keys of the labels the page translates.
LANDIS_KOCH: tuple[tuple[float, str], ...] = (
    (0.81, "almost_perfect"),
    (0.61, "substantial"),
    (0.41, "moderate"),
    (0.21, "fair"),
    (0.0, "slight"),
)


def landis_koch(value: float | None) -> str:
    """``"poor"`` below 0, ``"undefined"`` for ``None``/NaN, else the band of ``value``
    (rounded to two decimals first, as it is shown)."""
    if is_undefined(value):
        return "undefined"
    assert value is not None
    shown = round(value, 2)
    for bound, key in LANDIS_KOCH:
        if shown >= bound:
            return key
    return "poor"


# --- Disagreements to reconcile ------------------------------------------------------------


@dataclass(frozen=True)
class TurnComparison:
    """What two coders applied to one turn, and their segments in it."""

    turn: TurnUnit
    codes_a: frozenset[int]
    codes_b: frozenset[int]
    spans_a: tuple[CodedSpan, ...]
    spans_b: tuple[CodedSpan, ...]

    @property
    def agrees(self) -> bool:
        return self.codes_a == self.codes_b

    @property
    def state(self) -> str:
        """A fingerprint of both codings of the turn: a decision taken on a page that showed
        another state is refused (someone changed a segment in the meantime)."""
        return ".".join(str(s.id) for s in sorted((*self.spans_a, *self.spans_b), key=_by_id))


def _by_id(span: CodedSpan) -> int:
    return span.id


def compare_turns(
    turns: Sequence[TurnUnit], spans_a: Sequence[CodedSpan], spans_b: Sequence[CodedSpan]
) -> list[TurnComparison]:
    """Each turn where at least one of the two coders applied a code, in reading order. A
    turn *disagrees* when the two sets of codes differ (the unit of agreement: see the
    module docstring)."""
    result = []
    for turn in turns:
        in_a = tuple(s for s in spans_a if overlaps(s.start, s.end, turn.start, turn.end))
        in_b = tuple(s for s in spans_b if overlaps(s.start, s.end, turn.start, turn.end))
        if in_a or in_b:
            result.append(
                TurnComparison(
                    turn=turn,
                    codes_a=frozenset(s.code for s in in_a),
                    codes_b=frozenset(s.code for s in in_b),
                    spans_a=in_a,
                    spans_b=in_b,
                )
            )
    return result


def clip(span: CodedSpan, turn: TurnUnit) -> tuple[int, int]:
    """The part of ``span`` inside ``turn``: a reconciled segment is decided turn by turn, so
    it never reaches into a turn the reconciler has not looked at."""
    return max(span.start, turn.start), min(span.end, turn.end)
