"""Agreement scores equal the reference implementations (scikit-learn, ``krippendorff``)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from etage.evaluation.agreement import (
    CodedUnit,
    Level,
    Weights,
    cohen_kappa,
    krippendorff_alpha,
    segment_agreement,
)

LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")


def sk_kappa(
    a: Sequence[Any],
    b: Sequence[Any],
    labels: Sequence[Any] | None = None,
    weights: Weights | None = None,
) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(cohen_kappa_score(a, b, labels=labels, weights=weights))


def ref_alpha(data: Sequence[Sequence[Any]], level: Level, domain: Any = None) -> float:
    """The package's alpha, with ``nan`` where it raises for undefined data (our convention)."""
    if domain is None:
        matrix = np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
    else:
        # The package reads string data with "nan" as the missing marker.
        matrix = np.array([["nan" if v is None else v for v in row] for row in data])
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(
                krippendorff.alpha(matrix, level_of_measurement=level, value_domain=domain)
            )
    except ValueError as error:
        if "more than one value" in str(error) or "at least two coders" in str(error):
            return math.nan
        raise


def same(ours: float | None, reference: float) -> bool:
    assert ours is not None
    if math.isnan(reference):
        return math.isnan(ours)
    return abs(ours - reference) <= 1e-9


# --- Cohen's kappa -------------------------------------------------------------------------

KAPPA_CASES: list[tuple[str, list[Any], list[Any], list[Any] | None]] = [
    ("full agreement", [1, 2, 3, 1, 2], [1, 2, 3, 1, 2], None),
    ("no agreement", [1, 2, 1, 2], [2, 1, 2, 1], None),
    ("no agreement, three codes", ["a", "b", "c"], ["b", "c", "a"], None),
    ("code used by one coder only", ["a", "a", "b", "a"], ["a", "c", "b", "a"], None),
    ("unused code in the codebook", [1, 2, 2, 1], [1, 2, 1, 1], [1, 2, 3]),
    ("label order changes weights", [1, 2, 3, 3], [1, 3, 2, 3], [3, 1, 2]),
    ("units outside the labels dropped", [1, 2, 3, 1], [1, 2, 1, 3], [1, 2]),
    ("typical", [0, 1, 1, 0, 1, 0, 1, 1], [0, 1, 0, 0, 1, 1, 1, 1], None),
]


@pytest.mark.parametrize(
    ("a", "b", "labels"), [c[1:] for c in KAPPA_CASES], ids=[c[0] for c in KAPPA_CASES]
)
@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_kappa_equals_scikit_learn_on_edge_cases(
    a: list[Any], b: list[Any], labels: list[Any] | None, weights: Weights | None
) -> None:
    ours = cohen_kappa(a, b, labels=labels, weights=weights)
    assert same(ours, sk_kappa(a, b, labels, weights))


def test_kappa_full_and_no_agreement_values() -> None:
    assert cohen_kappa([1, 2, 3], [1, 2, 3]) == pytest.approx(1.0)
    assert cohen_kappa([1, 2, 1, 2], [2, 1, 2, 1]) == pytest.approx(-1.0)


@pytest.mark.parametrize(
    ("a", "b"),
    [([1, 1, 1], [1, 1, 1]), ([1], [1]), (["x"], ["y"]), ([1, 1], [2, 2])],
    ids=["both constant and equal", "one unit agreeing", "one unit differing", "constant, unequal"],
)
def test_kappa_degenerate_cases_follow_scikit_learn(a: list[Any], b: list[Any]) -> None:
    reference = sk_kappa(a, b)
    ours = cohen_kappa(a, b)
    assert same(ours, reference)


def test_kappa_is_nan_not_one_when_both_coders_are_constant_and_equal() -> None:
    # The documented decision: undefined, never a perfect score.
    assert math.isnan(cohen_kappa(["x"] * 4, ["x"] * 4))


def test_kappa_refuses_missing_codes_and_unequal_lengths() -> None:
    with pytest.raises(ValueError, match="complete pairs"):
        cohen_kappa([1, None, 2], [1, 2, 2])
    with pytest.raises(ValueError, match="complete pairs"):
        cohen_kappa([1.0, math.nan], [1.0, 2.0])
    with pytest.raises(ValueError, match="equal length"):
        cohen_kappa([1, 2], [1])
    with pytest.raises(ValueError, match="at least one unit"):
        cohen_kappa([], [])


@settings(max_examples=150, deadline=None)
@given(
    pairs=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=40),
    weights=st.sampled_from([None, "linear", "quadratic"]),
    extra_label=st.booleans(),
)
def test_kappa_equals_scikit_learn_on_random_data(
    pairs: list[tuple[int, int]], weights: Weights | None, extra_label: bool
) -> None:
    a = [x for x, _ in pairs]
    b = [y for _, y in pairs]
    labels = sorted({*a, *b, 7}) if extra_label else None
    assert same(cohen_kappa(a, b, labels=labels, weights=weights), sk_kappa(a, b, labels, weights))


# --- Krippendorff's alpha ------------------------------------------------------------------

ALPHA_CASES: list[tuple[str, list[list[Any]]]] = [
    ("full agreement", [[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]]),
    ("no agreement", [[1, 2, 1, 2], [2, 1, 2, 1]]),
    ("missing codes", [[1, None, 2, 3, None], [1, 2, None, 3, 4], [None, 2, 2, 1, 4]]),
    ("code used by one coder only", [[1, 1, 2, 1], [1, 3, 2, 1]]),
    ("one unit, two values", [[1], [2]]),
    (
        "Krippendorff's textbook example",
        [
            [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
            [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
        ],
    ),
    ("zeros for the ratio metric", [[0, 1, 0, 2], [0, 1, 1, 2]]),
]


@pytest.mark.parametrize("data", [c[1] for c in ALPHA_CASES], ids=[c[0] for c in ALPHA_CASES])
@pytest.mark.parametrize("level", LEVELS)
def test_alpha_equals_krippendorff_package_on_edge_cases(
    data: list[list[Any]], level: Level
) -> None:
    assert same(krippendorff_alpha(data, level=level), ref_alpha(data, level))


def test_alpha_full_and_no_agreement_values() -> None:
    assert krippendorff_alpha([[1, 2, 3], [1, 2, 3]]) == pytest.approx(1.0)
    # Two coders always disagreeing on two values: below chance.
    assert krippendorff_alpha([[1, 2, 1, 2], [2, 1, 2, 1]]) < 0


@pytest.mark.parametrize(
    "data",
    [[[1, 1, 1], [1, 1, 1]], [[1, None], [None, 2]], [[None, None], [None, None]], [[3], [3]]],
    ids=["one value only", "no unit coded twice", "nothing coded", "one unit agreeing"],
)
def test_alpha_is_nan_where_the_package_refuses(data: list[list[Any]]) -> None:
    array = np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
    with pytest.raises(ValueError), np.errstate(divide="ignore", invalid="ignore"):
        krippendorff.alpha(array, level_of_measurement="nominal")
    assert math.isnan(krippendorff_alpha(data))


def test_alpha_accepts_nan_as_missing_and_nominal_strings() -> None:
    with_nan: list[list[Any]] = [[1.0, math.nan, 2.0, 2.0], [1.0, 2.0, math.nan, 1.0]]
    with_none: list[list[Any]] = [[1, None, 2, 2], [1, 2, None, 1]]
    assert krippendorff_alpha(with_nan) == krippendorff_alpha(with_none)
    strings: list[list[Any]] = [["a", "b", None, "a"], ["a", "c", "b", "a"]]
    numbers: list[list[Any]] = [[1, 2, None, 1], [1, 3, 2, 1]]
    assert same(krippendorff_alpha(strings), ref_alpha(numbers, "nominal"))


def test_alpha_ordinal_strings_need_and_follow_a_value_domain() -> None:
    order = ["très faible", "faible", "moyen", "fort"]
    data: list[list[Any]] = [
        ["faible", "moyen", "fort", None, "très faible"],
        ["faible", "fort", "fort", "moyen", "faible"],
        ["très faible", "moyen", None, "moyen", "très faible"],
    ]
    with pytest.raises(ValueError, match="value_domain"):
        krippendorff_alpha(data, level="ordinal")
    assert same(
        krippendorff_alpha(data, level="ordinal", value_domain=order),
        ref_alpha(data, "ordinal", domain=order),
    )
    with pytest.raises(ValueError, match="outside value_domain"):
        krippendorff_alpha(data, level="ordinal", value_domain=order[:3])
    with pytest.raises(ValueError, match="numeric"):
        krippendorff_alpha(data, level="interval", value_domain=order)


reliability = st.integers(2, 4).flatmap(
    lambda coders: st.integers(1, 15).flatmap(
        lambda units: st.lists(
            st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=units, max_size=units),
            min_size=coders,
            max_size=coders,
        )
    )
)


@settings(max_examples=200, deadline=None)
@given(data=reliability, level=st.sampled_from(LEVELS))
def test_alpha_equals_krippendorff_package_on_random_data(
    data: list[list[int | None]], level: Level
) -> None:
    assert same(krippendorff_alpha(data, level=level), ref_alpha(data, level))


# --- Segment agreement ---------------------------------------------------------------------


def presence(
    coded: dict[str, dict[int, set[str]]], coders: list[str], units: list[int], code: str
) -> list[list[int]]:
    return [[int(code in coded[c].get(u, set())) for u in units] for c in coders]


def as_units(coded: dict[str, dict[int, set[str]]]) -> list[CodedUnit]:
    return [
        CodedUnit(coder=c, unit=u, codes=frozenset(codes))
        for c, by_unit in coded.items()
        for u, codes in by_unit.items()
    ]


TWO_CODERS: dict[str, dict[int, set[str]]] = {
    "codeur-1": {1: {"logement"}, 2: {"logement", "emploi"}, 3: set(), 4: {"santé"}, 5: {"emploi"}},
    "codeur-2": {1: {"logement"}, 2: {"emploi"}, 3: {"emploi"}, 4: set(), 5: {"emploi"}},
}


def test_segment_agreement_per_code_scores_equal_the_references() -> None:
    result = segment_agreement(as_units(TWO_CODERS))
    coders, units = ["codeur-1", "codeur-2"], [1, 2, 3, 4, 5]
    assert result.coders == tuple(coders)
    assert result.units == tuple(units)
    assert [c.code for c in result.per_code] == ["emploi", "logement", "santé"]
    for score in result.per_code:
        matrix = presence(TWO_CODERS, coders, units, str(score.code))
        assert same(score.kappa, sk_kappa(matrix[0], matrix[1], labels=[0, 1]))
        assert same(score.alpha, ref_alpha(matrix, "nominal"))
        agreeing = sum(x == y for x, y in zip(matrix[0], matrix[1], strict=True))
        assert score.percent_agreement == pytest.approx(agreeing / len(units))
        assert score.units == len(units)
    # "santé" was applied by one coder only: no agreement beyond chance, and it is listed.
    sante = result.per_code[2]
    assert [(d.unit, d.applied_by, d.not_applied_by) for d in sante.disagreements] == [
        (4, ("codeur-1",), ("codeur-2",))
    ]


def test_segment_agreement_overall_pools_every_unit_and_code() -> None:
    result = segment_agreement(as_units(TWO_CODERS))
    coders, units = ["codeur-1", "codeur-2"], [1, 2, 3, 4, 5]
    pooled = [
        [
            decision
            for code in ("emploi", "logement", "santé")
            for decision in presence(TWO_CODERS, coders, units, code)[i]
        ]
        for i in range(2)
    ]
    assert same(result.kappa, sk_kappa(pooled[0], pooled[1], labels=[0, 1]))
    assert same(result.alpha, ref_alpha(pooled, "nominal"))
    assert {(d.unit, d.code) for d in result.disagreements} == {
        (2, "logement"),
        (3, "emploi"),
        (4, "santé"),
    }
    assert result.percent_agreement == pytest.approx(12 / 15)


def test_segment_agreement_full_agreement_and_unused_codebook_code() -> None:
    same_coding = {c: {1: {"a"}, 2: set(), 3: {"a", "b"}} for c in ("x", "y")}
    result = segment_agreement(as_units(same_coding), codes=["a", "b", "jamais"])
    a, b, never = result.per_code
    assert (a.kappa, a.alpha, a.percent_agreement) == (1.0, 1.0, 1.0)
    assert b.kappa == pytest.approx(1.0)
    # Nobody used "jamais": the coders agree (100 %) but chance-corrected scores are undefined.
    assert never.percent_agreement == 1.0
    assert never.kappa is not None
    assert math.isnan(never.kappa)
    assert math.isnan(never.alpha)
    assert result.disagreements == ()


def test_segment_agreement_one_unit() -> None:
    result = segment_agreement(
        [CodedUnit("x", "§1", frozenset({"a"})), CodedUnit("y", "§1", frozenset({"a", "b"}))]
    )
    a, b = result.per_code
    assert a.percent_agreement == 1.0
    assert math.isnan(a.alpha)
    assert b.percent_agreement == 0.0
    assert same(b.kappa, sk_kappa([0], [1], labels=[0, 1]))
    assert same(b.alpha, ref_alpha([[0], [1]], "nominal"))


def test_segment_agreement_coverage_makes_decisions_missing() -> None:
    coded = as_units(
        {"x": {1: {"a"}, 2: set(), 3: {"a"}}, "y": {1: {"a"}, 2: {"a"}, 3: set(), 4: {"a"}}}
    )
    result = segment_agreement(coded, units=[1, 2, 3, 4], coverage={"x": [1, 2, 3], "y": [1, 2, 4]})
    (a,) = result.per_code
    # Only units 1 and 2 were read by both coders; unit 3 and 4 are single-coder decisions.
    assert a.units == 2
    assert a.percent_agreement == pytest.approx(0.5)
    assert same(a.kappa, sk_kappa([1, 0], [1, 1], labels=[0, 1]))
    assert same(a.alpha, ref_alpha([[1, 0, 1, None], [1, 1, None, 1]], "nominal"))
    assert [d.unit for d in a.disagreements] == [2]


def test_segment_agreement_three_coders_has_alpha_but_no_kappa() -> None:
    coded = {
        "x": {1: {"a"}, 2: set(), 3: {"a"}},
        "y": {1: {"a"}, 2: {"a"}, 3: {"a"}},
        "z": {1: set(), 2: set(), 3: {"a"}},
    }
    result = segment_agreement(as_units(coded))
    assert result.kappa is None
    (a,) = result.per_code
    assert a.kappa is None
    assert same(a.alpha, ref_alpha(presence(coded, ["x", "y", "z"], [1, 2, 3], "a"), "nominal"))
    assert a.percent_agreement == pytest.approx(1 / 3)
    assert {(d.unit, d.applied_by, d.not_applied_by) for d in a.disagreements} == {
        (1, ("x", "y"), ("z",)),
        (2, ("y",), ("x", "z")),
    }


def test_segment_agreement_merges_repeated_entries_and_needs_two_coders() -> None:
    merged = segment_agreement(
        [
            CodedUnit("x", 1, frozenset({"a"})),
            CodedUnit("x", 1, frozenset({"b"})),
            CodedUnit("y", 1, frozenset({"a", "b"})),
        ]
    )
    assert all(c.percent_agreement == 1.0 for c in merged.per_code)
    with pytest.raises(ValueError, match="two coders"):
        segment_agreement([CodedUnit("x", 1, frozenset({"a"}))])


def test_segment_agreement_counts_a_listed_coder_who_applied_nothing() -> None:
    coded = [CodedUnit("x", 1, frozenset({"a"})), CodedUnit("x", 2)]
    result = segment_agreement(coded, coders=["x", "y"])
    (a,) = result.per_code
    assert a.percent_agreement == pytest.approx(0.5)
    assert same(a.kappa, sk_kappa([1, 0], [0, 0], labels=[0, 1]))
    assert [(d.unit, d.applied_by, d.not_applied_by) for d in a.disagreements] == [
        (1, ("x",), ("y",))
    ]


coding = st.dictionaries(
    st.sampled_from(["x", "y", "z"]),
    st.dictionaries(
        st.integers(0, 8), st.sets(st.sampled_from(["a", "b", "c"]), max_size=3), min_size=1
    ),
    min_size=2,
    max_size=3,
)


@settings(max_examples=100, deadline=None)
@given(coded=coding)
def test_segment_agreement_equals_references_on_random_coding(
    coded: dict[str, dict[int, set[str]]],
) -> None:
    result = segment_agreement(as_units(coded), codes=["a", "b", "c"])
    coders = sorted(coded)
    units = sorted({u for by_unit in coded.values() for u in by_unit})
    assert list(result.coders) == coders
    for score in result.per_code:
        matrix = presence(coded, coders, units, str(score.code))
        assert same(score.alpha, ref_alpha(matrix, "nominal"))
        if len(coders) == 2:
            reference = sk_kappa(matrix[0], matrix[1], labels=[0, 1]) if units else math.nan
            assert same(score.kappa, reference)
        disagreeing = {
            u
            for u, column in zip(units, zip(*matrix, strict=True), strict=True)
            if len(set(column)) > 1
        }
        assert {d.unit for d in score.disagreements} == disagreeing
