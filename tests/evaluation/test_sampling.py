"""Stratified selection of case studies: strata counts, allocation against a plain-Python
oracle, reproducible draws, and verification after the snapshot changes."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from etage.analytics.filters import Filters
from etage.analytics.store import connect
from etage.evaluation import sampling
from etage.evaluation.sampling import Draw, allocate, draw_cases, strata, verify_draw
from tests.analytics.logs import BuiltLog, build_log, write_log

#: Closure outcome → family, written out again here rather than read from the code.
FAMILY = {
    "housed_no_procedure": "kept_housed",
    "housed_after_procedure": "kept_housed",
    "rehoused": "rehoused",
    "mainstream": "mainstream",
    "left": "left",
    "evicted": "evicted",
    "refused": "refused",
}


def expected_key(row: dict[str, Any]) -> tuple[str, str, str]:
    family = "open" if row["closed_day"] is None else FAMILY.get(row["outcome"] or "", "other")
    return (row["territory"], row["level"] or "", family)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltLog:
    return build_log(tmp_path_factory.mktemp("sampling"), cases=300, seed=7)


@pytest.fixture
def con(built: BuiltLog) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(built.directory)
    yield connection
    connection.close()


# -- strata ----------------------------------------------------------------------------------


def test_strata_count_every_situation_once(built: BuiltLog, con: duckdb.DuckDBPyConnection) -> None:
    expected = Counter(expected_key(row) for row in built.situations)
    found = {s.key: s.size for s in strata(con)}
    assert found == dict(expected)
    assert sum(found.values()) == len(built.situations)
    # The generated log has open cases and several closure families: the test means something.
    assert {k[2] for k in found} >= {"open", "kept_housed", "evicted", "mainstream"}


def test_strata_by_other_columns_and_unknown_columns_refused(
    built: BuiltLog, con: duckdb.DuckDBPyConnection
) -> None:
    found = {s.key: s.size for s in strata(con, by=("landlord",))}
    assert found == {(k,): n for k, n in Counter(r["landlord"] for r in built.situations).items()}
    with pytest.raises(ValueError, match="stratify"):
        strata(con, by=("household",))
    with pytest.raises(ValueError, match="stratify"):
        strata(con, by=("territory; DROP TABLE situations",))


def test_filters_restrict_the_population(built: BuiltLog, con: duckdb.DuckDBPyConnection) -> None:
    filters = Filters(territories=("T2",), levels=("agr", "advice"))
    kept = [
        r for r in built.situations if r["territory"] == "T2" and r["level"] in ("agr", "advice")
    ]
    assert {s.key: s.size for s in strata(con, filters)} == dict(
        Counter(expected_key(r) for r in kept)
    )
    draw = draw_cases(con, filters, total=len(kept) + 50, seed=1)
    # A total above the population takes all of it, and nothing outside it.
    assert set(draw.case_ids) == {r["case_id"] for r in kept}
    assert draw.population_size == len(kept)


# -- allocation ------------------------------------------------------------------------------


def oracle_proportional(sizes: Sequence[int], total: int) -> list[int]:
    """Largest remainder, done with fractions: one each when the total allows, the rest in
    proportion to size - 1; otherwise in proportion to size. Ties: larger stratum, then the
    earlier one."""
    present = [i for i, n in enumerate(sizes) if n > 0]
    total = min(total, sum(sizes))
    out = [0] * len(sizes)
    if not present:
        return out
    if total >= len(present):
        base = 1
        weights = {i: sizes[i] - 1 for i in present}
        amount = total - len(present)
    else:
        base = 0
        weights = {i: sizes[i] for i in present}
        amount = total
    weight_sum = sum(weights.values())
    quotas = {
        i: Fraction(amount * w, weight_sum) if weight_sum else Fraction(0)
        for i, w in weights.items()
    }
    for i in present:
        out[i] = base + int(quotas[i])  # floor: quotas are non-negative
    left = total - sum(out)
    ranked = sorted(present, key=lambda i: (-(quotas[i] - int(quotas[i])), -sizes[i], i))
    for i in ranked[:left]:
        out[i] += 1
    return out


def oracle_equal(sizes: Sequence[int], total: int) -> list[int]:
    """One case at a time to the stratum with the fewest so far that is not full (ties:
    larger stratum, then the earlier one)."""
    out = [0] * len(sizes)
    for _unit in range(min(total, sum(sizes))):
        open_ = [i for i, n in enumerate(sizes) if out[i] < n]
        i = min(open_, key=lambda i: (out[i], -sizes[i], i))
        out[i] += 1
    return out


def keyed(sizes: Sequence[int]) -> dict[tuple[str, ...], int]:
    # Zero-padded so that key order is index order, as in the oracles' tie-break.
    return {(f"S{i:03d}",): n for i, n in enumerate(sizes)}


@settings(max_examples=300, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=12),
    total=st.integers(min_value=0, max_value=300),
)
def test_proportional_allocation_matches_the_oracle(sizes: list[int], total: int) -> None:
    got = list(allocate(keyed(sizes), total, "proportional").values())
    assert got == oracle_proportional(sizes, total)
    assert sum(got) == min(total, sum(sizes))
    assert all(0 <= g <= n for g, n in zip(got, sizes, strict=True))
    non_empty = [g for g, n in zip(got, sizes, strict=True) if n > 0]
    if total >= len(non_empty):
        assert all(g >= 1 for g in non_empty)


@settings(max_examples=300, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=12),
    total=st.integers(min_value=0, max_value=300),
)
def test_equal_allocation_matches_the_oracle(sizes: list[int], total: int) -> None:
    got = list(allocate(keyed(sizes), total, "equal").values())
    assert got == oracle_equal(sizes, total)
    assert sum(got) == min(total, sum(sizes))
    assert all(0 <= g <= n for g, n in zip(got, sizes, strict=True))
    not_full = [g for g, n in zip(got, sizes, strict=True) if g < n]
    if not_full:
        assert max(not_full) - min(not_full) <= 1


def test_proportional_allocation_follows_sizes() -> None:
    # 1 each, then 36 shared in proportion to 89, 9 and 0: 32.69 → 33, 3.31 → 3, 0.
    assert list(allocate(keyed([90, 10, 1]), 39).values()) == [34, 4, 1]


# -- draws -----------------------------------------------------------------------------------


def test_same_seed_gives_the_same_draw_on_a_fresh_connection(built: BuiltLog) -> None:
    first = connect(built.directory)
    second = connect(built.directory)
    try:
        a = draw_cases(first, total=40, seed=2026)
        b = draw_cases(second, total=40, seed=2026)
    finally:
        first.close()
        second.close()
    assert a == b
    assert a.sample_size == 40
    assert Draw.from_json(a.to_json()) == a


def test_another_seed_gives_another_draw(con: duckdb.DuckDBPyConnection) -> None:
    a = draw_cases(con, total=40, seed=1)
    b = draw_cases(con, total=40, seed=2)
    # Same allocation (it does not depend on the seed), other cases.
    assert [len(s.case_ids) for s in a.strata] == [len(s.case_ids) for s in b.strata]
    assert a.case_ids != b.case_ids
    assert a.population_fingerprint == b.population_fingerprint


def test_seeds_reach_every_case_of_a_stratum(con: duckdb.DuckDBPyConnection) -> None:
    # Not always the first cases in id order: over seeds, every case of a stratum comes up.
    largest = max(strata(con), key=lambda s: s.size)
    seen: set[str] = set()
    for seed in range(60):
        draw = draw_cases(con, per_stratum=1, seed=seed)
        seen.update(next(s.case_ids for s in draw.strata if s.key == largest.key))
    assert len(seen) == largest.size


def test_every_stratum_is_represented_when_the_total_allows(
    built: BuiltLog, con: duckdb.DuckDBPyConnection
) -> None:
    found = strata(con)
    draw = draw_cases(con, total=len(found), seed=5)
    assert all(len(s.case_ids) == 1 for s in draw.strata)
    by_case = {r["case_id"]: expected_key(r) for r in built.situations}
    assert {by_case[c] for c in draw.case_ids} == set(by_case.values())


def test_drawn_cases_belong_to_their_stratum_within_bounds(
    built: BuiltLog, con: duckdb.DuckDBPyConnection
) -> None:
    by_case = {r["case_id"]: expected_key(r) for r in built.situations}
    for draw in (
        draw_cases(con, total=120, seed=3),
        draw_cases(con, total=120, allocation="equal", seed=3),
        draw_cases(con, per_stratum=4, seed=3),
    ):
        sizes = allocate({s.key: s.population for s in draw.strata}, 120, draw.allocation)
        for drawn in draw.strata:
            assert len(set(drawn.case_ids)) == len(drawn.case_ids) <= drawn.population
            assert all(by_case[c] == drawn.key for c in drawn.case_ids)
            if draw.per_stratum is None:
                assert len(drawn.case_ids) == sizes[drawn.key]
            else:
                assert len(drawn.case_ids) == min(4, drawn.population)


def test_parameters_are_checked(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        draw_cases(con, seed=1)
    with pytest.raises(ValueError, match="exactly one"):
        draw_cases(con, total=3, per_stratum=1, seed=1)
    with pytest.raises(ValueError, match="non-negative"):
        draw_cases(con, total=-1, seed=1)


def test_json_round_trip_keeps_filters_and_rejects_garbage(
    con: duckdb.DuckDBPyConnection,
) -> None:
    filters = Filters(territories=("T1",), cases=frozenset({"X", "Y"}))
    draw = draw_cases(con, filters, total=5, seed=9)
    again = Draw.from_json(draw.to_json())
    assert again == draw
    assert again.get_filters() == filters
    with pytest.raises(ValueError):
        Draw.from_json("{}")
    with pytest.raises(ValueError):
        Draw.from_json(draw.to_json().replace('"seed": 9', '"seed": "9"'))


# -- verification ----------------------------------------------------------------------------


def test_verify_draw_true_then_false_when_the_population_changes(
    built: BuiltLog, tmp_path: Path
) -> None:
    filters = Filters(territories=("T1", "T3"))
    con = connect(built.directory)
    try:
        draw = Draw.from_json(draw_cases(con, filters, total=25, seed=11).to_json())
        assert verify_draw(con, draw)
    finally:
        con.close()
    # A later snapshot: one situation of the filtered population has been purged.
    gone = next(r for r in built.situations if r["territory"] == "T3")
    rows = [r for r in built.situations if r is not gone]
    events = [e for e in built.events if e["case_id"] != gone["case_id"]]
    write_log(tmp_path, rows, events, built.meetings)
    changed = connect(tmp_path)
    try:
        result = verify_draw(changed, draw)
        assert not result
        with translation.override("fr"):
            result = verify_draw(changed, draw)
        assert "population" in result.reason
        assert "a changé" in result.reason
        size = sum(1 for r in built.situations if expected_key(r) == expected_key(gone))
        assert f"{size} situations" in result.reason
        assert f"{size - 1} maintenant" in result.reason
        # A change outside the filtered population does not invalidate the draw.
        other = next(r for r in built.situations if r["territory"] == "T2")
        write_log(tmp_path / "t2", [r for r in built.situations if r is not other], [])
        outside = connect(tmp_path / "t2")
        assert verify_draw(outside, draw)
        outside.close()
    finally:
        changed.close()


def test_verify_draw_rejects_a_tampered_draw(con: duckdb.DuckDBPyConnection) -> None:
    draw = draw_cases(con, total=30, seed=4)
    swapped = next(s for s in draw.strata if 0 < len(s.case_ids) < s.population)
    pool = sampling.population(con, by=draw.by)[swapped.key]
    outsider = next(c for c in pool if c not in swapped.case_ids)
    tampered = dataclasses.replace(
        draw,
        strata=tuple(
            dataclasses.replace(s, case_ids=tuple(sorted((outsider, *s.case_ids[1:]))))
            if s is swapped
            else s
            for s in draw.strata
        ),
    )
    assert verify_draw(con, draw)
    assert not verify_draw(con, tampered)
    data = json.loads(draw.to_json())
    data["seed"] = 5
    assert not verify_draw(con, Draw.from_json(json.dumps(data)))
