"""Every indicator of the catalogue against a plain-Python oracle over the same Parquet rows
(issue 8): the oracle below is written from the catalogue's French definitions, one predicate
per indicator, and aggregates row by row in Python — no SQL, no grouping sets."""

from __future__ import annotations

import datetime as dt
import random
import statistics
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from etage.analytics.catalogue import BY_CODE, CATALOGUE, REVIEW_ON_TIME_DAYS
from etage.analytics.indicators import IndicatorRow, compute_indicators, is_final
from etage.analytics.store import connect
from tests.analytics.logs import BuiltLog, build_log, write_log

Row = dict[str, Any]
Pred = Callable[[Row], bool]
Expr = Callable[[Row], float | None]

EXTRA_PROCEDURES = (
    "protocol_signed",
    "new_lease_signed",
    "amicable_plan_signed",
    "caf_plan",
    "amicable_plan_respected",
    "amicable_plan_broken",
    "rights_opened",
    "care_referral",
    "termination_summons",
)


def enriched_log(directory: Path, *, cases: int = 260, seed: int = 11) -> BuiltLog:
    """The shared random log, plus the facts it lacks for the outcome indicators: protocol,
    new lease, plans, rights, care referrals, +12-month follow-ups, a cancelled meeting,
    unknown housing statuses."""
    log = build_log(directory, cases=cases, seed=seed)
    rng = random.Random(seed)
    events = list(log.events)
    seq = max(e["seq"] for e in events)
    for situation in log.situations:
        for activity in EXTRA_PROCEDURES:
            if rng.random() < 0.25:
                seq += 1
                moment = situation["identified_at"] + dt.timedelta(days=rng.randrange(0, 300))
                events.append(
                    {
                        "case_id": situation["case_id"],
                        "activity": activity,
                        "category": "procedure",
                        "timestamp": moment,
                        "seq": seq,
                        "territory": situation["territory"],
                    }
                )
        if situation["closed_month"] and rng.random() < 0.5:
            situation["follow_up_12_housed"] = rng.random() < 0.8
            situation["follow_up_12_arrears_over_3m"] = rng.random() < 0.2
        if situation["follow_up_6_housed"] is not None and rng.random() < 0.3:
            situation["follow_up_6_arrears_over_3m"] = True
        if situation["closed_month"] and rng.random() < 0.1:
            situation["housing_status"] = "unknown"
        if rng.random() < 0.05:
            situation["contact_outcome"] = ""
    meetings = list(log.meetings)
    if meetings:
        meetings[0] = {**meetings[0], "status": "cancelled"}
    return write_log(directory, log.situations, events, meetings)


# --- The oracle ---------------------------------------------------------------------------


def _flags(log: BuiltLog) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for event in log.events:
        if event["category"] == "procedure":
            found[event["case_id"]].add(event["activity"])
    return found


def _has(row: Row, *activities: str) -> bool:
    return bool(row["_facts"] & set(activities))


HOUSED = {"same_dwelling", "other_social", "private"}
KEPT = {"housed_no_procedure", "housed_after_procedure"}


def _known(value: Any) -> bool:
    return value is not None


#: code → (base, kind, population, numerator or expression)
ORACLE: dict[str, tuple[str, str, Pred, Any]] = {
    "identified": ("identified", "count", lambda r: True, None),
    "identified_by_partners_share": (
        "identified",
        "share",
        lambda r: True,
        lambda r: not r["source_is_landlord"],
    ),
    "days_to_first_contact_median": (
        "identified",
        "median",
        lambda r: r["first_contact_day"] is not None,
        lambda r: r["first_contact_day"],
    ),
    "days_to_orientation_median": (
        "identified",
        "median",
        lambda r: r["oriented_day"] is not None,
        lambda r: r["oriented_day"],
    ),
    "oriented_by_level": ("identified", "count", lambda r: r["level"] != "", None),
    "level_changed_share": (
        "identified",
        "share",
        lambda r: r["level"] != "",
        lambda r: r["level_changes"] > 0,
    ),
    "unreachable_share": (
        "identified",
        "share",
        lambda r: r["contact_outcome"] != "",
        lambda r: r["contact_outcome"] == "unreachable",
    ),
    "refused_share": (
        "identified",
        "share",
        lambda r: r["contact_outcome"] != "",
        lambda r: r["contact_outcome"] == "refused",
    ),
    "partners_mean": ("identified", "mean", lambda r: True, lambda r: r["partners"]),
    "meetings_held": ("meetings", "count", lambda r: True, None),
    "entry_stage_known": (
        "identified",
        "count",
        lambda r: r["entry_stage"] not in ("", "unknown"),
        None,
    ),
    "early_identification_share": (
        "identified",
        "share",
        lambda r: r["entry_stage"] not in ("", "unknown"),
        lambda r: r["entry_stage"] == "none",
    ),
    "entry_debt_median": (
        "identified",
        "median",
        lambda r: r["entry_debt"] is not None,
        lambda r: r["entry_debt"],
    ),
    "entry_debt_months_median": (
        "identified",
        "median",
        lambda r: r["entry_debt_months"] is not None,
        lambda r: r["entry_debt_months"],
    ),
    "closed": ("closed", "count", lambda r: True, None),
    "housed_at_closure_share": (
        "closed",
        "share",
        lambda r: r["housing_status"] not in ("", "unknown"),
        lambda r: r["housing_status"] in HOUSED,
    ),
    "kept_in_dwelling_share": (
        "closed",
        "share",
        lambda r: r["outcome"] != "",
        lambda r: r["outcome"] in KEPT,
    ),
    "evicted_share": (
        "closed",
        "share",
        lambda r: r["outcome"] != "",
        lambda r: r["outcome"] == "evicted",
    ),
    "left_share": (
        "closed",
        "share",
        lambda r: r["outcome"] != "",
        lambda r: r["outcome"] == "left",
    ),
    "rehoused_share": (
        "closed",
        "share",
        lambda r: r["outcome"] != "",
        lambda r: r["outcome"] == "rehoused",
    ),
    "debt_change_median": (
        "closed",
        "median",
        lambda r: r["entry_debt"] is not None and r["exit_debt"] is not None,
        lambda r: r["exit_debt"] - r["entry_debt"],
    ),
    "debt_reduced_share": (
        "closed",
        "share",
        lambda r: (r["entry_debt"] or 0) > 0 and r["exit_debt"] is not None,
        lambda r: r["exit_debt"] < r["entry_debt"],
    ),
    "summons_avoided_share": (
        "closed",
        "share",
        lambda r: r["entry_stage"] in ("none", "commandement"),
        lambda r: not _has(r, "summons", "termination_summons"),
    ),
    "protocols_signed": ("closed", "count", lambda r: _has(r, "protocol_signed"), None),
    "new_lease_after_protocol_share": (
        "closed",
        "share",
        lambda r: _has(r, "protocol_signed"),
        lambda r: _has(r, "new_lease_signed"),
    ),
    "plan_respected_share": (
        "closed",
        "share",
        lambda r: _has(r, "amicable_plan_signed", "caf_plan"),
        lambda r: _has(r, "amicable_plan_respected") and not _has(r, "amicable_plan_broken"),
    ),
    "rights_opened_share": ("closed", "share", lambda r: True, lambda r: _has(r, "rights_opened")),
    "care_referral_share": ("closed", "share", lambda r: True, lambda r: _has(r, "care_referral")),
    "housed_6m_share": (
        "closed",
        "share",
        lambda r: _known(r["follow_up_6_housed"]),
        lambda r: r["follow_up_6_housed"],
    ),
    "arrears_6m_share": (
        "closed",
        "share",
        lambda r: _known(r["follow_up_6_arrears_over_3m"]),
        lambda r: r["follow_up_6_arrears_over_3m"],
    ),
    "housed_12m_share": (
        "closed",
        "share",
        lambda r: _known(r["follow_up_12_housed"]),
        lambda r: r["follow_up_12_housed"],
    ),
    "arrears_12m_share": (
        "closed",
        "share",
        lambda r: _known(r["follow_up_12_arrears_over_3m"]),
        lambda r: r["follow_up_12_arrears_over_3m"],
    ),
    "support_duration_median": (
        "closed",
        "median",
        lambda r: r["support_started_day"] is not None,
        lambda r: r["closed_day"] - r["support_started_day"],
    ),
    "reviews_on_time_share": (
        "reviews",
        "share",
        lambda r: r["_gap"] is not None,
        lambda r: r["_gap"] <= REVIEW_ON_TIME_DAYS,
    ),
    "referent_changed_share": (
        "closed",
        "share",
        lambda r: r["support_started_day"] is not None,
        lambda r: r["referent_changes"] > 0,
    ),
    "in_support": ("active", "count", lambda r: True, None),
    "caseload_per_referent": ("active", "per_referent", lambda r: r["referent"] != "", None),
}

COLUMNS = {
    "landlord": "landlord",
    "level": "level",
    "network_profile": "network_profile",
    "source": "source",
    "outcome": "outcome",
    "entry_stage": "entry_stage",
}


def _keys(row: Row, dimension: str) -> list[str]:
    if dimension == "all":
        return ["all"]
    if dimension == "difficulty":
        return list(row["difficulties"] or [])
    return [row[COLUMNS[dimension]] or ""]


def _month_start(month: str) -> dt.datetime:
    return dt.datetime(int(month[:4]), int(month[5:7]), 1, tzinfo=dt.UTC)


def _next_month(moment: dt.datetime) -> dt.datetime:
    return moment.replace(year=moment.year + moment.month // 12, month=moment.month % 12 + 1)


def _bases(log: BuiltLog) -> dict[str, list[tuple[Row, str]]]:
    """Base → (row, period) for every period the row counts in (month and year)."""
    facts = _flags(log)
    cases = [{**s, "_facts": facts.get(s["case_id"], set())} for s in log.situations]
    by_case = {c["case_id"]: c for c in cases}

    def both(row: Row, month: str) -> list[tuple[Row, str]]:
        return [(row, month), (row, month[:4])]

    bases: dict[str, list[tuple[Row, str]]] = defaultdict(list)
    for case in cases:
        bases["identified"] += both(case, case["identified_month"])
        if case["closed_month"]:
            bases["closed"] += both(case, case["closed_month"])
    previous: dict[str, int | None] = {}
    for event in log.ordered_events(["review"]):
        case = by_case[event["case_id"]]
        before = previous.get(event["case_id"], case["support_started_day"])
        gap = None if before is None else event["day"] - before
        previous[event["case_id"]] = event["day"]
        bases["reviews"] += both({**case, "_gap": gap}, event["month"])
    for meeting in log.meetings:
        if meeting["status"] == "held":
            bases["meetings"] += both(meeting, meeting["held_month"])
    # The calendar: from the first identification month to the month of the last
    # observation; a case is in support in a period it overlaps.
    first = min(_month_start(c["identified_month"]) for c in cases)
    last = max(c["identified_at"] + dt.timedelta(days=c["observed_until_day"] or 0) for c in cases)
    periods: list[tuple[str, dt.datetime, dt.datetime]] = []
    moment = first
    while moment <= last:
        periods.append((f"{moment:%Y-%m}", moment, _next_month(moment)))
        moment = _next_month(moment)
    for year in sorted({p[:4] for p, _s, _e in periods}):
        start = dt.datetime(int(year), 1, 1, tzinfo=dt.UTC)
        periods.append((year, start, start.replace(year=start.year + 1)))
    for case in cases:
        if case["support_started_day"] is None:
            continue
        began = case["identified_at"] + dt.timedelta(days=case["support_started_day"])
        ended = (
            None
            if case["closed_day"] is None
            else case["identified_at"] + dt.timedelta(days=case["closed_day"])
        )
        for period, start, end in periods:
            if began < end and (ended is None or ended >= start):
                bases["active"].append((case, period))
    return bases


def oracle(log: BuiltLog, code: str) -> dict[tuple[str, str, str, str], tuple[float, int]]:
    """(period, territory, dimension, key) → (value, cases) of one indicator."""
    indicator = BY_CODE[code]
    base, kind, population, extra = ORACLE[code]
    groups: dict[tuple[str, str, str, str], list[Row]] = defaultdict(list)
    for row, period in _bases(log)[base]:
        if not population(row):
            continue
        for territory in ("", row["territory"]):
            for dimension in indicator.breakdowns:
                for key in _keys(row, dimension):
                    groups[(period, territory, dimension, key)].append(row)
    out: dict[tuple[str, str, str, str], tuple[float, int]] = {}
    for group, rows in groups.items():
        if kind == "count":
            out[group] = (float(len(rows)), len(rows))
        elif kind == "share":
            out[group] = (100.0 * sum(1 for r in rows if extra(r)) / len(rows), len(rows))
        elif kind == "median":
            out[group] = (float(statistics.median(extra(r) for r in rows)), len(rows))
        elif kind == "mean":
            out[group] = (float(statistics.fmean(extra(r) for r in rows)), len(rows))
        elif kind == "per_referent":
            out[group] = (len(rows) / len({r["referent"] for r in rows}), len(rows))
    return out


def computed(
    rows: list[IndicatorRow], code: str
) -> dict[tuple[str, str, str, str], tuple[float, int]]:
    found: dict[tuple[str, str, str, str], tuple[float, int]] = {}
    for row in rows:
        if row.code == code:
            key = (row.period, row.territory, row.dimension, row.key)
            assert key not in found, key
            assert row.value is not None, key
            found[key] = (row.value, row.cases)
    return found


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuiltLog, list[IndicatorRow]]:
    log = enriched_log(tmp_path_factory.mktemp("snapshot"))
    con = connect(log.directory)
    try:
        rows = compute_indicators(con, costs=[])
    finally:
        con.close()
    return log, rows


def test_the_oracle_covers_the_whole_catalogue() -> None:
    assert set(ORACLE) == {i.code for i in CATALOGUE if i.kind != "cost"}


@pytest.mark.parametrize("code", sorted(ORACLE))
def test_indicator_equals_the_oracle(
    snapshot: tuple[BuiltLog, list[IndicatorRow]], code: str
) -> None:
    log, rows = snapshot
    expected = oracle(log, code)
    found = computed(rows, code)
    assert expected, f"the log exercises {code}"
    assert set(found) == set(expected), (
        sorted(set(found) - set(expected))[:5],
        sorted(set(expected) - set(found))[:5],
    )
    for key, (value, cases) in expected.items():
        assert found[key][1] == cases, key
        assert found[key][0] == pytest.approx(value, rel=1e-9, abs=1e-9), key


def test_every_territory_and_breakdown_is_present(
    snapshot: tuple[BuiltLog, list[IndicatorRow]],
) -> None:
    _log, rows = snapshot
    seen = {(r.territory, r.dimension) for r in rows if r.code == "identified"}
    for territory in ("", "T1", "T2", "T3"):
        for dimension in BY_CODE["identified"].breakdowns:
            assert (territory, dimension) in seen


def test_cost_per_household_divides_the_sourced_cost_by_the_households_supported(
    snapshot: tuple[BuiltLog, list[IndicatorRow]],
) -> None:
    log, _rows = snapshot
    active = oracle(log, "in_support")
    year = "2023"
    costs = [
        (year, "agr", "", 90_000.0),
        (year, "advice", "", 30_000.0),
        (year, "agr", "T2", 40_000.0),
    ]
    con = connect(log.directory)
    try:
        priced = computed(compute_indicators(con, costs=costs), "cost_per_household")
    finally:
        con.close()
    agr = active[(year, "", "level", "agr")][1]
    advice = active[(year, "", "level", "advice")][1]
    t2_agr = active[(year, "T2", "level", "agr")][1]
    assert priced[(year, "", "level", "agr")] == (pytest.approx(90_000 / agr), agr)
    assert priced[(year, "", "level", "advice")] == (pytest.approx(30_000 / advice), advice)
    assert priced[(year, "", "all", "all")] == (
        pytest.approx(120_000 / (agr + advice)),
        agr + advice,
    )
    assert priced[(year, "T2", "level", "agr")] == (pytest.approx(40_000 / t2_agr), t2_agr)
    # No parameter, no figure: neither other years nor months.
    assert {key[0] for key in priced} == {year}
    assert ("2023", "T1", "level", "agr") not in priced


def test_periods_restrict_the_output(snapshot: tuple[BuiltLog, list[IndicatorRow]]) -> None:
    log, rows = snapshot
    con = connect(log.directory)
    try:
        some = compute_indicators(con, periods={"2023", "2023-05"}, costs=[])
    finally:
        con.close()
    assert {r.period for r in some} == {"2023", "2023-05"}
    assert set(some) == {r for r in rows if r.period in {"2023", "2023-05"}}


@pytest.mark.parametrize(
    ("period", "lag", "today", "final"),
    [
        ("2024-01", 0, dt.date(2024, 1, 31), False),
        ("2024-01", 0, dt.date(2024, 2, 1), True),
        ("2024-01", 2, dt.date(2024, 3, 31), False),
        ("2024-01", 2, dt.date(2024, 4, 1), True),
        ("2024-11", 2, dt.date(2025, 1, 15), False),
        ("2024-11", 2, dt.date(2025, 2, 1), True),
        ("2024", 1, dt.date(2025, 1, 31), False),
        ("2024", 1, dt.date(2025, 2, 1), True),
    ],
)
def test_finality(period: str, lag: int, today: dt.date, final: bool) -> None:
    assert is_final(period, lag, today) is final
