"""The pure core of the coding pages: turns and sentences as units, the pieces the text is
drawn in (their offsets map a browser selection back to the stored text), the Landis and
Koch bands, and the comparison of two codings turn by turn. No database."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etage.evaluation.coding_units import (
    CodedSpan,
    TurnUnit,
    clip,
    coders_agreement,
    compare_turns,
    landis_koch,
    pieces,
    sentence_spans,
    trim_span,
    turn_units,
)

TEXT = (
    "[Enquêteur·rice] Et ensuite ?\n"
    "[Personne 1] On a reçu un courrier. Puis un appel !\n"
    "Je n’y croyais plus… Vraiment.\n"
    "[Personne 2]\n"
    "[Personne 1] « C’est fini ? » Oui."
)


def test_turns_with_text_are_numbered_in_reading_order():
    turns = turn_units(TEXT)
    assert [(t.index, t.speaker) for t in turns] == [
        (1, "Enquêteur·rice"),
        (2, "Personne 1"),
        (3, "Personne 1"),  # "Personne 2" said nothing: not a unit
    ]
    assert TEXT[turns[1].start : turns[1].end].endswith("Vraiment.")


def test_sentences_split_on_punctuation_and_line_breaks_without_spaces():
    turn = turn_units(TEXT)[1]
    found = [TEXT[s:e] for s, e in sentence_spans(TEXT, turn.start, turn.end)]
    assert found == [
        "On a reçu un courrier.",
        "Puis un appel !",
        "Je n’y croyais plus…",
        "Vraiment.",
    ]
    last = turn_units(TEXT)[2]
    assert [TEXT[s:e] for s, e in sentence_spans(TEXT, last.start, last.end)] == [
        "« C’est fini ? »",
        "Oui.",
    ]


@given(st.text(alphabet="ab .!?\n", max_size=60))
def test_sentences_cover_every_word_of_the_range_once(text):
    spans = sentence_spans(text, 0, len(text))
    assert all(e > s for s, e in spans)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    covered = "".join(text[s:e] for s, e in spans)
    assert covered.replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


def test_trimming_leaves_out_the_spaces_of_a_selection():
    assert trim_span("  ab c \n", 0, 8) == (2, 6)
    assert trim_span("   ", 0, 3) == (3, 3)


@given(
    st.text(min_size=1, max_size=40),
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=5),
)
def test_pieces_rebuild_the_text_and_carry_their_offsets(text, raw):
    marks = [(min(a, b), max(a, b), i) for i, (a, b) in enumerate(raw) if a != b]
    found = pieces(text, 0, len(text), marks)
    assert "".join(p.text for p in found) == text
    for piece in found:
        assert text[piece.start : piece.end] == piece.text
        for start, end, key in marks:
            inside = start <= piece.start and piece.end <= end
            assert (key in piece.marks) == inside


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (-0.3, "poor"),
        (0.0, "slight"),
        (0.2, "slight"),
        (0.204, "slight"),  # shown as 0,20
        (0.206, "fair"),  # shown as 0,21: the band follows what is shown
        (0.4, "fair"),
        (0.41, "moderate"),
        (0.6, "moderate"),
        (0.61, "substantial"),
        (0.8, "substantial"),
        (0.81, "almost_perfect"),
        (1.0, "almost_perfect"),
        (math.nan, "undefined"),
        (None, "undefined"),
    ],
)
def test_landis_and_koch_bands(value, band):
    assert landis_koch(value) == band


def _span(id_: int, coder: int, code: int, start: int, end: int) -> CodedSpan:
    return CodedSpan(id_, 1, coder, code, start, end)


TURNS = [TurnUnit(1, "A", 0, 10), TurnUnit(2, "B", 12, 20), TurnUnit(3, "A", 22, 30)]


def test_turns_are_compared_on_the_codes_applied_not_the_exact_words():
    a = [_span(1, 1, 7, 0, 4), _span(2, 1, 8, 13, 15)]
    b = [_span(3, 2, 7, 5, 10), _span(4, 2, 9, 12, 20)]
    found = compare_turns(TURNS, a, b)
    assert [(c.turn.index, c.agrees) for c in found] == [(1, True), (2, False)]
    assert found[1].codes_a == {8}
    assert found[1].codes_b == {9}
    assert found[1].state == "2.4"


def test_a_segment_over_two_turns_counts_in_both_and_is_clipped_to_each():
    wide = _span(1, 1, 7, 5, 25)
    found = compare_turns(TURNS, [wide], [])
    assert [c.turn.index for c in found] == [1, 2, 3]
    assert clip(wide, TURNS[1]) == (12, 20)
    assert clip(wide, TURNS[0]) == (5, 10)


def test_agreement_needs_a_transcript_coded_by_every_coder():
    only_a = [_span(1, 1, 7, 0, 4)]
    assert coders_agreement({1: TURNS}, only_a, [1, 2]) is None
    assert coders_agreement({1: TURNS}, [*only_a, _span(2, 2, 7, 0, 4)], [1, 1]) is None
    result = coders_agreement({1: TURNS}, [*only_a, _span(2, 2, 7, 0, 4)], [1, 2])
    assert result is not None
    assert result.units == ((1, 1), (1, 2), (1, 3))
    assert result.percent_agreement == 1.0
