"""The pure core of retrieval (etage/evaluation/retrieval.py): matrices and co-occurrence
equal a brute force over every cell and every pair, on hand-made and on generated data; the
context around an excerpt."""

from __future__ import annotations

from collections.abc import Hashable, Mapping

from hypothesis import given, settings
from hypothesis import strategies as st

from etage.evaluation.retrieval import (
    Cell,
    Span,
    attribute_counts,
    context_chars,
    context_turns,
    cooccurrence_counts,
    cooccurring,
    overlap,
)
from etage.evaluation.transcripts import parse_turns

# --- Brute force: the definitions, read literally ----------------------------------------


def brute_matrix(
    spans: list[Span], covers: Mapping[int, frozenset[int]], column_of: Mapping[int, Hashable]
) -> dict[tuple[int, Hashable], Cell]:
    cells = {}
    for row, codes in covers.items():
        for column in set(column_of.values()):
            kept = [s for s in spans if s.code in codes and column_of[s.interview] == column]
            if kept:
                cells[(row, column)] = Cell(
                    len({s.id for s in kept}), len({s.interview for s in kept})
                )
    return cells


def brute_cooccurrence(
    spans: list[Span], covers: Mapping[int, frozenset[int]]
) -> dict[tuple[int, int], int]:
    counts = {}
    for a_row, a_codes in covers.items():
        for b_row, b_codes in covers.items():
            if a_row == b_row:
                n = sum(1 for s in spans if s.code in a_codes)
            else:
                n = 0
                for i, x in enumerate(spans):
                    for y in spans[i + 1 :]:
                        same_place = x.transcript == y.transcript and x.layer == y.layer
                        crossing = (x.code in a_codes and y.code in b_codes) or (
                            x.code in b_codes and y.code in a_codes
                        )
                        if same_place and crossing and overlap(x, y):
                            n += 1
            if n:
                counts[(a_row, b_row)] = n
    return counts


# --- Hand-made ------------------------------------------------------------------------------

A, B, C = 1, 2, 3
LEAD, SECOND = 10, 20


def span(i: int, code: int, start: int, end: int, **kw: object) -> Span:
    values: dict[str, object] = {
        "transcript": 100,
        "interview": 1000,
        "coder": LEAD,
        "consensus": False,
    }
    values.update(kw)
    return Span(id=i, code=code, start=start, end=end, **values)  # type: ignore[arg-type]


HAND = [
    span(1, A, 0, 10),
    span(2, B, 5, 15),  # overlaps 1
    span(3, B, 10, 20),  # touches 1: no overlap; overlaps 2
    span(4, C, 0, 30),  # overlaps 1, 2, 3
    span(5, A, 0, 10, coder=SECOND),  # another coder: overlaps nobody of the lead
    span(6, B, 2, 4, coder=SECOND),  # overlaps 5
    span(7, A, 0, 10, transcript=200, interview=2000),  # another transcript
    span(8, B, 0, 10, transcript=200, interview=2000, consensus=True, coder=LEAD),
    span(9, C, 5, 6, transcript=200, interview=2000, consensus=True, coder=SECOND),
]


def test_touching_spans_do_not_overlap_and_crossing_ones_do():
    assert not overlap(span(1, A, 0, 10), span(2, A, 10, 20))
    assert overlap(span(1, A, 0, 10), span(2, A, 9, 20))
    assert overlap(span(1, A, 0, 10), span(2, A, 3, 4))


def test_hand_made_cooccurrence_counts_pairs_in_one_transcript_and_one_layer():
    covers = {code: frozenset({code}) for code in (A, B, C)}
    counts = cooccurrence_counts(HAND, covers)
    # A–B: (1,2) lead, (5,6) second coder; 7–8 differ in layer (coder vs reconciled).
    assert counts[(A, B)] == counts[(B, A)] == 2
    # A–C: (1,4) only. B–C: (2,4), (3,4), and the reconciled pair (8,9) of two writers.
    assert counts[(A, C)] == 1
    assert counts[(B, C)] == 3
    # The diagonal is the number of segments of the code.
    assert (counts[(A, A)], counts[(B, B)], counts[(C, C)]) == (3, 4, 2)
    assert counts == brute_cooccurrence(HAND, covers)


def test_a_parent_row_with_its_descendants_counts_each_pair_once():
    # C is a child of A: the row A covers A and C.
    covers = {A: frozenset({A, C}), B: frozenset({B}), C: frozenset({C})}
    counts = cooccurrence_counts(HAND, covers)
    # A(+C)–B: (1,2), (5,6), (2,4), (3,4), (8,9): five pairs, none counted twice.
    assert counts[(A, B)] == 5
    assert counts[(A, A)] == 5
    assert counts == brute_cooccurrence(HAND, covers)


def test_cooccurring_lists_the_segments_of_one_code_that_overlap_the_other():
    assert cooccurring(HAND, frozenset({A}), frozenset({B})) == {1, 5}
    assert cooccurring(HAND, frozenset({B}), frozenset({A})) == {2, 6}
    assert cooccurring(HAND, frozenset({A}), frozenset({C})) == {1}


def test_hand_made_attribute_matrix_counts_segments_and_interviews():
    spans = [
        span(1, A, 0, 5, interview=1),
        span(2, A, 6, 9, interview=1),
        span(3, A, 0, 5, interview=2, transcript=2),
        span(4, B, 0, 5, interview=3, transcript=3),
    ]
    column_of = {1: "household", 2: "household", 3: "referent"}
    counts = attribute_counts(spans, {A: frozenset({A}), B: frozenset({B})}, column_of)
    assert counts.cells[(A, "household")] == Cell(segments=3, interviews=2)
    assert (A, "referent") not in counts.cells
    assert counts.cells[(B, "referent")] == Cell(1, 1)
    assert counts.rows[A] == Cell(3, 2)
    assert counts.columns["household"] == Cell(3, 2)
    assert counts.total == Cell(4, 3)
    with_children = attribute_counts(spans, {A: frozenset({A, B})}, column_of)
    assert with_children.cells[(A, "referent")] == Cell(1, 1)


# --- Generated ------------------------------------------------------------------------------

spans_strategy = st.lists(
    st.tuples(
        st.integers(0, 2),  # transcript (= interview)
        st.integers(1, 4),  # code
        st.integers(0, 2),  # coder
        st.booleans(),  # consensus
        st.integers(0, 30),  # start
        st.integers(1, 10),  # length
    ),
    max_size=25,
).map(
    lambda rows: [
        Span(i, t, t, code, coder, cons, start, start + length)
        for i, (t, code, coder, cons, start, length) in enumerate(rows)
    ]
)
# Code 2 is a child of code 1, code 4 of code 3.
TREE = {1: frozenset({1, 2}), 2: frozenset({2}), 3: frozenset({3, 4}), 4: frozenset({4})}


@settings(max_examples=200, deadline=None)
@given(spans=spans_strategy, descendants=st.booleans())
def test_cooccurrence_equals_brute_force(spans, descendants):
    covers = TREE if descendants else {code: frozenset({code}) for code in TREE}
    assert cooccurrence_counts(spans, covers) == brute_cooccurrence(spans, covers)


@settings(max_examples=200, deadline=None)
@given(spans=spans_strategy, descendants=st.booleans())
def test_attribute_matrix_equals_brute_force(spans, descendants):
    covers = TREE if descendants else {code: frozenset({code}) for code in TREE}
    column_of = {0: "a", 1: "b", 2: "a"}
    counts = attribute_counts(spans, covers, column_of)
    assert counts.cells == brute_matrix(spans, covers, column_of)
    for row, codes in covers.items():
        kept = [s for s in spans if s.code in codes]
        expected = Cell(len(kept), len({s.interview for s in kept})) if kept else None
        assert counts.rows.get(row) == expected


@settings(max_examples=200, deadline=None)
@given(spans=spans_strategy)
def test_cooccurring_equals_brute_force(spans):
    codes, others = frozenset({1}), frozenset({2, 3})
    expected = {
        x.id
        for x in spans
        if x.code in codes
        and any(
            y.id != x.id
            and y.code in others
            and x.transcript == y.transcript
            and x.layer == y.layer
            and overlap(x, y)
            for y in spans
        )
    }
    assert cooccurring(spans, codes, others) == expected


# --- Context --------------------------------------------------------------------------------

TEXT = (
    "[Enquêtrice] Comment s'est passé le premier contact ?\n"
    "[Ménage] On nous a appelés très vite après le premier impayé.\n"
    "[Enquêtrice] Et ensuite ?\n"
    "[Ménage] Le référent est venu à la maison."
)


def test_context_in_characters_is_clipped_at_both_ends():
    start = TEXT.index("appelés")
    end = start + len("appelés")
    context = context_chars(TEXT, start, end, 10)
    assert context.excerpt == "appelés"
    assert context.before == TEXT[start - 10 : start]
    assert context.after == TEXT[end : end + 10]
    assert context.clipped_before
    assert context.clipped_after
    whole = context_chars(TEXT, start, end, 10_000)
    assert whole.before + whole.excerpt + whole.after == TEXT
    assert not whole.clipped_before
    assert not whole.clipped_after


def test_context_of_the_speaker_turn_starts_at_the_speakers_name():
    start = TEXT.index("très vite")
    end = start + len("très vite")
    context = context_turns(TEXT, start, end, parse_turns(TEXT))
    assert context.before == "[Ménage] On nous a appelés "
    assert context.after == " après le premier impayé."
    assert context.clipped_before
    assert context.clipped_after


def test_context_of_the_turns_around_adds_the_one_before_and_the_one_after():
    start = TEXT.index("très vite")
    end = start + len("très vite")
    context = context_turns(TEXT, start, end, parse_turns(TEXT), around=1)
    assert context.before.startswith("[Enquêtrice] Comment")
    assert context.after.endswith("[Enquêtrice] Et ensuite ?")
    assert not context.clipped_before
    assert context.clipped_after


def test_an_excerpt_across_two_turns_shows_both_whole():
    start = TEXT.index("impayé")
    end = TEXT.index("Et ensuite") + 2
    context = context_turns(TEXT, start, end, parse_turns(TEXT))
    assert context.before.startswith("[Ménage] On nous")
    assert context.after == " ensuite ?"


def test_a_transcript_without_speakers_is_capped():
    text = "mot " * 2000
    context = context_turns(text, 4000, 4003, parse_turns(text), cap=50)
    assert len(context.before) == len(context.after) == 50
