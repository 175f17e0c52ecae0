"""The filter stack against a plain-Python oracle over the same generated logs."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.http import QueryDict
from django.utils import translation
from django.utils.http import urlencode

from etage.analytics.filters import Filters, case_ids_sql, events_sql, variant_id
from etage.analytics.schema import PROCESS_CATEGORIES
from etage.analytics.store import connect
from tests.analytics.logs import BuiltLog, build_log

SEEDS = (0, 5, 11)


@pytest.fixture(params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def log(request: pytest.FixtureRequest, tmp_path: Path) -> BuiltLog:
    return build_log(tmp_path / "snap", cases=150, seed=request.param)


@pytest.fixture
def con(log: BuiltLog) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(log.directory)
    yield connection
    connection.close()


def kept(con: duckdb.DuckDBPyConnection, filters: Filters) -> set[str]:
    sql, params = case_ids_sql(filters)
    rows = con.execute(sql, params).fetchall()
    assert len(rows) == len({r[0] for r in rows}), "one row per case"
    return {r[0] for r in rows}


def eventually_follows(trace: list[str], a: str, b: str) -> bool:
    return any(x == a and y == b for x, y in itertools.combinations(trace, 2))


def duration_days(log: BuiltLog) -> dict[str, float]:
    out: dict[str, float] = {}
    rows = log.ordered_events(PROCESS_CATEGORIES)
    for case_id, group in itertools.groupby(rows, key=lambda r: r["case_id"]):
        events = list(group)
        seconds = (events[-1]["timestamp"] - events[0]["timestamp"]).total_seconds()
        out[case_id] = seconds / 86400
    return out


def frequent_activities(log: BuiltLog, n: int = 7) -> list[str]:
    counts: dict[str, int] = {}
    for trace in log.traces(PROCESS_CATEGORIES).values():
        for activity in set(trace):
            counts[activity] = counts.get(activity, 0) + 1
    return sorted(counts, key=lambda a: (-counts[a], a))[:n]


def test_eventually_followed_by_matches_the_oracle(
    log: BuiltLog, con: duckdb.DuckDBPyConnection
) -> None:
    traces = log.traces(PROCESS_CATEGORIES)
    nonempty = 0
    for a, b in itertools.product(frequent_activities(log), repeat=2):
        expected = {c for c, t in traces.items() if eventually_follows(t, a, b)}
        assert kept(con, Filters(followed_by=(a, b))) == expected, (a, b)
        nonempty += bool(expected)
    assert nonempty > 10  # the oracle is not vacuous


def test_never_followed_by_matches_the_oracle(
    log: BuiltLog, con: duckdb.DuckDBPyConnection
) -> None:
    traces = log.traces(PROCESS_CATEGORIES)
    strict_subsets = 0
    for a, b in itertools.product(frequent_activities(log), repeat=2):
        with_a = {c for c, t in traces.items() if a in t}
        expected = {c for c in with_a if not eventually_follows(traces[c], a, b)}
        found = kept(con, Filters(never_followed_by=(a, b)))
        assert found == expected, (a, b)
        # The complement, within the cases having A, of "eventually followed by".
        assert found == with_a - kept(con, Filters(followed_by=(a, b)))
        strict_subsets += bool(expected) and expected != with_a
    assert strict_subsets > 3


def test_duration_thresholds_match_the_oracle(
    log: BuiltLog, con: duckdb.DuckDBPyConnection
) -> None:
    durations = duration_days(log)
    for low, high in ((None, 0.0), (0.0, 30.0), (30.0, None), (12.5, 400.0), (None, None)):
        filters = Filters(min_days=low, max_days=high)
        expected = {
            c
            for c, d in durations.items()
            if (low is None or d >= low) and (high is None or d <= high)
        }
        if low is None and high is None:
            expected = {s["case_id"] for s in log.situations}  # no trace filter: every case
        assert kept(con, filters) == expected, (low, high)


def test_variant_filter_keeps_exactly_that_trace(
    log: BuiltLog, con: duckdb.DuckDBPyConnection
) -> None:
    traces = log.traces(PROCESS_CATEGORIES)
    for trace in list({tuple(t) for t in traces.values()})[:15]:
        expected = {c for c, t in traces.items() if tuple(t) == trace}
        assert kept(con, Filters(variant=variant_id(trace))) == expected


def matches(s: dict[str, Any], f: Filters) -> bool:
    """The situation filters, by hand."""
    attrs = dict(f.attributes)
    return (
        (not f.territories or s["territory"] in f.territories)
        and (not f.landlords or s["landlord"] in f.landlords)
        and (not f.levels or s["level"] in f.levels)
        and (f.period_from is None or s["identified_month"] >= f.period_from)
        and (f.period_to is None or s["identified_month"] <= f.period_to)
        and ("difficulty" not in attrs or attrs["difficulty"] in s["difficulties"])
        and all(s[k] == v for k, v in attrs.items() if k != "difficulty")
    )


def test_situation_filters_match_the_oracle(log: BuiltLog, con: duckdb.DuckDBPyConnection) -> None:
    rng = random.Random(7)
    situations = log.situations
    for _ in range(25):
        territories = tuple(rng.sample(("T1", "T2", "T3"), rng.randrange(0, 3)))
        landlords = tuple(rng.sample(("OPH-A", "OPH-B", "OPH-C"), rng.randrange(0, 3)))
        levels = tuple(rng.sample(("advice", "coordination", "agr"), rng.randrange(0, 3)))
        period_from = rng.choice((None, "2022-06", "2023-01"))
        period_to = rng.choice((None, "2023-06", "2024-03"))
        attributes: tuple[tuple[str, str], ...] = rng.choice(
            ((), (("difficulty", "isolation"),), (("urgency", "normal"), ("source", "ccas")))
        )
        filters = Filters(
            period_from=period_from,
            period_to=period_to,
            territories=territories,
            landlords=landlords,
            levels=levels,
            attributes=attributes,
        )

        assert kept(con, filters) == {s["case_id"] for s in situations if matches(s, filters)}


def test_filters_combine_and_restrict_to_the_scope(
    log: BuiltLog, con: duckdb.DuckDBPyConnection
) -> None:
    traces = log.traces(PROCESS_CATEGORIES)
    scope = frozenset(sorted(s["case_id"] for s in log.situations)[::3])
    t1 = {s["case_id"] for s in log.situations if s["territory"] == "T1"}
    filters = Filters(territories=("T1",), followed_by=("identify", "close"), cases=scope)
    expected = {c for c in scope & t1 if eventually_follows(traces.get(c, []), "identify", "close")}
    assert kept(con, filters) == expected
    assert kept(con, Filters(cases=frozenset())) == set()


def test_events_sql_returns_the_kept_cases_events_of_the_categories(
    log: BuiltLog, con: duckdb.DuckDBPyConnection
) -> None:
    filters = Filters(territories=("T2",), never_followed_by=("assess", "start_support"))
    cases = kept(con, filters)
    sql, params = events_sql(filters, "event_id, category")
    found = con.execute(sql, params).fetchall()
    expected = {
        e["event_id"]
        for e in log.events
        if e["case_id"] in cases and e["category"] in PROCESS_CATEGORIES
    }
    assert {r[0] for r in found} == expected
    everything = replace(filters, categories=("consent", "sharing"))
    sql, params = events_sql(everything, "category")
    assert {r[0] for r in con.execute(sql, params).fetchall()} <= {"consent", "sharing"}


def test_values_are_parameters_and_columns_a_whitelist(con: duckdb.DuckDBPyConnection) -> None:
    assert kept(con, Filters(territories=("T1' OR '1'='1",))) == set()
    with pytest.raises(ValueError):
        case_ids_sql(Filters(attributes=(("case_id) OR (1=1", "x"),)))
    with pytest.raises(ValueError):
        events_sql(Filters(), "case_id; DROP VIEW events")


def test_query_round_trip() -> None:
    filters = Filters(
        period_from="2022-03",
        period_to="2024-01",
        territories=("T1", "T3"),
        landlords=("OPH-B",),
        levels=("agr",),
        variant="0123456789",
        attributes=(("outcome", "evicted"), ("difficulty", "squalor")),
        followed_by=("assess", "orient"),
        never_followed_by=("orient", "start_support"),
        min_days=2.5,
        max_days=90,
        categories=("pathway", "review"),
    )
    query = QueryDict(urlencode(filters.to_query(), doseq=True))
    again = Filters.from_query(query)
    assert again == filters
    assert again.messages == ()
    assert Filters.from_query(QueryDict("")) == Filters()
    assert Filters().is_empty
    assert not filters.is_empty
    assert "cases" not in Filters(cases=frozenset({"X"})).to_query()


def test_invalid_query_values_are_ignored_with_french_messages() -> None:
    query = QueryDict(
        "period_from=2023-13&territory=T1&territory=%3Cscript%3E&level=gold&level=agr"
        "&attr=name:Dupont&attr=outcome:evicted&followed_by_a=assess&min_days=-4"
        "&max_days=abc&variant=zz&category=secret"
    )
    with translation.override("fr"):
        filters = Filters.from_query(query)
    assert filters == Filters(
        territories=("T1",), levels=("agr",), attributes=(("outcome", "evicted"),)
    )
    assert len(filters.messages) == 9
    text = " ".join(filters.messages)
    assert "Ignored" not in text
    assert "ignoré" in text.lower()
    swapped = Filters.from_query(QueryDict("min_days=10&max_days=2"))
    assert swapped.min_days is None
    assert swapped.max_days is None
    assert len(swapped.messages) == 1
