"""Pathway typology: the optimal-matching distance against a plain recursive oracle, the
silhouette against a by-hand computation, and the types found on planted and generated logs."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import KaplanMeierFitter

from etage.analytics import typology
from etage.analytics.filters import Filters
from etage.analytics.store import connect
from tests.analytics.logs import BuiltLog, build_log, write_log

UTC = dt.UTC


def _oracle(a: tuple[int, ...], b: tuple[int, ...], indel: float, substitution: float) -> float:
    """Optimal matching by its definition: the cheapest of deleting, inserting or
    (mis)matching the last symbols, recursively."""

    @functools.cache
    def d(i: int, j: int) -> float:
        if i == 0:
            return j * indel
        if j == 0:
            return i * indel
        same = a[i - 1] == b[j - 1]
        return min(
            d(i - 1, j) + indel,
            d(i, j - 1) + indel,
            d(i - 1, j - 1) + (0.0 if same else substitution),
        )

    return d(len(a), len(b))


sequences = st.lists(st.integers(0, 4), max_size=12)


@settings(max_examples=300, deadline=None)
@given(
    sequences,
    sequences,
    st.sampled_from([1.0, 0.5, 2.0]),
    st.sampled_from([2.0, 1.0, 0.0, 3.0, 0.75]),
)
def test_om_distance_equals_the_recursive_oracle(
    a: list[int], b: list[int], indel: float, substitution: float
) -> None:
    got = typology.om_distance(a, b, indel=indel, substitution=substitution)
    assert got == pytest.approx(_oracle(tuple(a), tuple(b), indel, substitution), abs=1e-9)


def test_om_distance_known_values() -> None:
    assert typology.om_distance([], []) == 0
    assert typology.om_distance([1, 2, 3], []) == 3
    assert typology.om_distance([1, 2, 3], [1, 2, 3]) == 0
    # One substitution costs 2 = one deletion + one insertion.
    assert typology.om_distance([1, 2, 3], [1, 4, 3]) == 2
    # A cheap substitution is preferred over indels.
    assert typology.om_distance([1, 2, 3], [1, 4, 3], substitution=1) == 1
    assert typology.om_distance([1, 2], [2, 1]) == 2


@settings(max_examples=40, deadline=None)
@given(st.lists(sequences, min_size=1, max_size=15))
def test_distance_matrix_equals_pairwise_distances(seqs: list[list[int]]) -> None:
    matrix = typology.distance_matrix(seqs)
    assert matrix.shape == (len(seqs), len(seqs))
    for i, a in enumerate(seqs):
        for j, b in enumerate(seqs):
            assert matrix[i, j] == pytest.approx(_oracle(tuple(a), tuple(b), 1.0, 2.0))


def test_distance_matrix_with_other_costs() -> None:
    seqs = [[0, 1, 2], [0, 2], [2, 2, 2, 1], [], [0, 1, 2]]
    matrix = typology.distance_matrix(seqs, indel=1.5, substitution=0.5)
    for i, a in enumerate(seqs):
        for j, b in enumerate(seqs):
            assert matrix[i, j] == pytest.approx(_oracle(tuple(a), tuple(b), 1.5, 0.5))
    with pytest.raises(ValueError):
        typology.distance_matrix(seqs, indel=0)


def _silhouette_by_hand(distances: np.ndarray[Any, Any], labels: list[int]) -> float:
    scores = []
    for i, own in enumerate(labels):
        mates = [j for j, lab in enumerate(labels) if lab == own and j != i]
        if not mates:
            scores.append(0.0)
            continue
        a = sum(distances[i, j] for j in mates) / len(mates)
        b = min(
            sum(distances[i, j] for j, lab in enumerate(labels) if lab == other)
            / labels.count(other)
            for other in set(labels) - {own}
        )
        scores.append(0.0 if max(a, b) == 0 else (b - a) / max(a, b))
    return sum(scores) / len(scores)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(sequences, st.integers(0, 3)), min_size=3, max_size=14).filter(
        lambda rows: 1 < len({r[1] for r in rows}) < len(rows)
    )
)
def test_silhouette_equals_the_by_hand_computation(rows: list[tuple[list[int], int]]) -> None:
    matrix = typology.distance_matrix([r[0] for r in rows])
    labels = [r[1] for r in rows]
    got = typology.silhouette(matrix, np.array(labels))
    assert got == pytest.approx(_silhouette_by_hand(matrix, labels), abs=1e-12)


# -- Planted types ------------------------------------------------------------------------

START = dt.datetime(2023, 3, 1, tzinfo=UTC)
REFUSAL = (
    "identify",
    "contact_unreachable",
    "contact_unreachable",
    "contact_unreachable",
    "contact_refused",
)
MAINSTREAM = ("identify", "inform", "contact_reached", "assess", "orient", "close")
SUPPORT = (
    "identify",
    "contact_reached",
    "assess",
    "orient",
    "start_support",
    "change_level",
    "suspend",
    "resume",
    "change_level",
    "change_level",
    "close",
    "follow_up_6",
)
#: One procedure fact appended to every case but the first of its kind: members differ from
#: each other by one step (distance 1 or 2) and kinds by 8 or more.
EXTRAS = (
    "reminder",
    "caf_reported",
    "fsl_application",
    "ccapex_referral",
    "dsf_requested",
    "summons",
    "hearing",
    "mediation",
    "complaint",
    "home_visit",
    "formal_notice",
)


def _planted() -> list[tuple[str, tuple[str, ...], str, int, str]]:
    """(case_id, activities, outcome, closed_day, territory) of three kinds of pathway."""
    cases: list[tuple[str, tuple[str, ...], str, int, str]] = []
    kinds = (
        ("R", REFUSAL, 12, lambda i: "refused", lambda i: 5 + i, lambda i: "T1"),
        ("M", MAINSTREAM, 8, lambda i: "mainstream", lambda i: 40 + i, lambda i: "T2"),
        (
            "S",
            SUPPORT,
            6,
            lambda i: "evicted" if i < 2 else "housed_after_procedure",
            lambda i: 300 + 10 * i,
            lambda i: "T1" if i < 3 else "T3",
        ),
    )
    for prefix, core, size, outcome, closed, territory in kinds:
        for i in range(size):
            acts = core if i == 0 else (*core, EXTRAS[i - 1])
            cases.append((f"{prefix}{i:03d}", acts, outcome(i), closed(i), territory(i)))
    return cases


@pytest.fixture
def planted(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    situations, events = [], []
    for case_id, acts, outcome, closed_day, territory in _planted():
        situations.append(
            {
                "case_id": case_id,
                "identified_at": START,
                "territory": territory,
                "outcome": outcome,
                "closed_day": closed_day,
                "observed_until_day": 600,
            }
        )
        for step, activity in enumerate(acts):
            events.append(
                {
                    "case_id": case_id,
                    "activity": activity,
                    "category": "procedure" if activity in EXTRAS else "pathway",
                    "timestamp": START + dt.timedelta(days=step),
                }
            )
        # Outside the sequence categories: must not change anything.
        events.append(
            {
                "case_id": case_id,
                "activity": "consent_recorded",
                "category": "consent",
                "timestamp": START + dt.timedelta(days=1),
            }
        )
    write_log(tmp_path, situations, events)
    connection = connect(tmp_path)
    yield connection
    connection.close()


def test_planted_types_are_found_with_their_medoid_and_outcomes(
    planted: duckdb.DuckDBPyConnection,
) -> None:
    result = typology.typology(planted)
    assert result.cases == result.sampled == 26
    assert result.silhouette is not None
    assert result.silhouette > 0.5
    types = result.types
    assert [t.size for t in types] == [12, 8, 6]
    assert [t.number for t in types] == [1, 2, 3]
    assert types[0].medoid == REFUSAL
    assert types[1].medoid == MAINSTREAM
    assert types[2].medoid == SUPPORT
    assert {c[0] for c in types[0].case_ids} == {"R"}
    assert {c[0] for c in types[2].case_ids} == {"S"}
    assert sum(t.share for t in types) == pytest.approx(1.0)
    # Outcomes by family code: evicted = 5, kept housed = 1.
    assert types[2].outcomes == ((1, "Maintien dans le logement", 4), (5, "Expulsion", 2))
    assert types[0].outcomes == ((6, "Refus / abandon", 12),)
    # Every case closed: the median time to closure is lifelines' median of the closure days.
    closed = np.arange(40.0, 48.0)
    assert types[1].median_duration == KaplanMeierFitter().fit(closed).median_survival_time_
    unreachable = typology.activity_label("contact_unreachable")
    assert types[0].label == (
        f"Type 1 : Situation repérée → {unreachable} → Refus de l'accompagnement par le ménage"
    )
    assert types[2].label.startswith("Type 3 : Situation repérée → Ménage joint → Évaluée")
    assert types[2].label.endswith("→ …")  # only the first five steps are named
    assert "Situation clôturée" not in types[2].label
    assert types[2].medoid_labels[0] == "Situation repérée"


def test_a_given_number_of_types_and_the_average_linkage(
    planted: duckdb.DuckDBPyConnection,
) -> None:
    two = typology.pathway_types(planted, k=2)
    assert len(two) == 2
    assert sum(t.size for t in two) == 26
    for kind in "RMS":  # two kinds merged, none split
        assert sum(1 for t in two if any(c.startswith(kind) for c in t.case_ids)) == 1
    average = typology.pathway_types(planted, method="average")
    assert [t.size for t in average] == [12, 8, 6]
    one = typology.pathway_types(planted, k=1)
    assert len(one) == 1
    assert one[0].size == 26


def test_the_filters_restrict_the_cases(planted: duckdb.DuckDBPyConnection) -> None:
    types = typology.pathway_types(planted, Filters(territories=("T2", "T3")))
    ids = {c for t in types for c in t.case_ids}
    assert ids == {f"M{i:03d}" for i in range(8)} | {f"S{i:03d}" for i in range(3, 6)}


def test_an_empty_scope_gives_no_type(planted: duckdb.DuckDBPyConnection) -> None:
    assert typology.pathway_types(planted, Filters(territories=("T9",))) == []


# -- Generated logs -------------------------------------------------------------------------


@pytest.fixture
def log(tmp_path: Path) -> BuiltLog:
    return build_log(tmp_path, cases=220, seed=5)


@pytest.fixture
def generated(log: BuiltLog) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(log.directory)
    yield connection
    connection.close()


def test_sample_is_seeded_and_capped(log: BuiltLog, generated: duckdb.DuckDBPyConnection) -> None:
    first = typology.typology(generated, sample=80, seed=1, max_length=12)
    again = typology.typology(generated, sample=80, seed=1, max_length=12)
    other = typology.typology(generated, sample=80, seed=2, max_length=12)
    assert first.sampled == 80
    assert first.cases == len(log.traces(typology.SEQUENCE_CATEGORIES))
    assert sum(t.size for t in first.types) == 80
    assert first == again
    assert {c for t in first.types for c in t.case_ids} != {
        c for t in other.types for c in t.case_ids
    }
    assert 2 <= len(first.types) <= 8


def test_the_number_of_types_maximises_the_silhouette() -> None:
    rng = np.random.default_rng(4)
    seqs = [list(rng.integers(0, 4, rng.integers(1, 9))) for _ in range(70)]
    matrix = typology.distance_matrix(seqs)
    for method in typology.METHODS:
        labels, best = typology.cluster(matrix, method=method)
        scores = {k: typology.cluster(matrix, k=k, method=method)[1] for k in typology.K_RANGE}
        assert best == max(s for s in scores.values() if s is not None)
        assert typology.silhouette(matrix, labels) == best
        sizes = np.bincount(labels)
        assert list(sizes) == sorted(sizes, reverse=True)  # type 1 is the largest


def test_generated_types_describe_their_members(
    log: BuiltLog, generated: duckdb.DuckDBPyConnection
) -> None:
    traces = log.traces(typology.SEQUENCE_CATEGORIES)
    situations = {row["case_id"]: row for row in log.situations}
    result = typology.typology(generated, sample=150, seed=0, max_length=15)
    for kind in result.types:
        # The medoid is a real (capped) trace of one of its members, ordered by (time, seq).
        assert any(tuple(traces[c][:15]) == kind.medoid for c in kind.case_ids)
        open_cases = sum(1 for c in kind.case_ids if situations[c]["closed_day"] is None)
        counted = {code: n for code, _label, n in kind.outcomes}
        assert counted.get(0, 0) == open_cases
        assert sum(counted.values()) == kind.size
        evicted = sum(1 for c in kind.case_ids if situations[c]["outcome"] == "evicted")
        assert counted.get(5, 0) == evicted
