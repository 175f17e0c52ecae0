"""Reference-pathway rules: hand-made cases for each branch of the definitions, a plain-Python
oracle on generated logs, and the seeded default rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from etage.analytics.compliance import Rule, RuleResult, active_rules, compliance
from etage.analytics.filters import Filters
from etage.analytics.store import connect
from tests.analytics.logs import BuiltLog, build_log, write_log

START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
ORIENTED_30 = Rule("o30", "Orientation en 30 jours", "within", "identify", "orient", 30)
REVIEW_92 = Rule("r92", "Bilan tous les 92 jours", "every", "", "review", 92, status="in_support")


def at(day: float) -> dt.datetime:
    return START + dt.timedelta(days=day)


def situation(case_id: str, *, territory: str = "T1", **fields: Any) -> dict[str, Any]:
    return {"case_id": case_id, "identified_at": START, "territory": territory, **fields}


class Events:
    """Events in recording order: ``seq`` follows the calls."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(
        self, case_id: str, activity: str, day: float, move: tuple[str, str] = ("", ""), **kw: Any
    ) -> None:
        self.rows.append(
            {
                "case_id": case_id,
                "activity": activity,
                "timestamp": at(day),
                "seq": len(self.rows) + 1,
                "from_status": move[0],
                "to_status": move[1],
                **kw,
            }
        )


def result(report_rules: list[RuleResult], code: str) -> RuleResult:
    return next(r for r in report_rules if r.code == code)


@pytest.fixture
def within_log(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    e = Events()
    situations = [
        situation("C1", closed_day=None, observed_until_day=300),
        situation("C2", observed_until_day=300),
        situation("C3", closed_day=10, observed_until_day=300),
        situation("C4", observed_until_day=20),
        situation("C5", observed_until_day=100),
        situation("C6", observed_until_day=300),
        situation("C7", observed_until_day=200),
        situation("C8", observed_until_day=200),
        situation("C9", territory="T2", observed_until_day=300),
        situation("C10", closed_day=50, observed_until_day=300),
    ]
    for case in ("C1", "C2", "C3", "C4", "C5", "C9", "C10"):
        e.add(case, "identify", 0)
    e.add("C1", "orient", 30)  # exactly on the bound: on time
    e.add("C2", "orient", 45)  # 15 days late
    e.add("C3", "contact_refused", 10)  # closed before the deadline: not due
    e.add("C6", "orient", 5)  # no identification: not measured
    e.add("C7", "orient", 0)  # same instant, recorded before identify: not after A
    e.add("C7", "identify", 0)
    e.add("C8", "identify", 0)  # same instant, recorded after identify: delay 0
    e.add("C8", "orient", 0)
    e.add("C9", "orient", 10)
    e.add("C10", "close", 50)  # closed after the deadline without orientation
    e.add("C2", "orient", 70)  # only the first B after A counts
    write_log(tmp_path, situations, e.rows)
    con = connect(tmp_path)
    yield con
    con.close()


def test_within_rule_branches(within_log: duckdb.DuckDBPyConnection) -> None:
    (rule,) = compliance(within_log, Filters(), [ORIENTED_30]).rules
    # Measured: C1, C2, C5, C7, C8, C9, C10; not due: C3 (exited), C4 (pending).
    assert rule.measured == 7
    assert rule.compliant == 3  # C1, C8, C9
    assert rule.not_due == 2
    assert rule.rate == pytest.approx(3 / 7)
    late = {d.case_id: (d.days_late, d.reached) for d in rule.deviations}
    assert late == {
        "C2": (pytest.approx(15.0), True),
        "C5": (70.0, False),  # open, observed 100 days
        "C7": (170.0, False),  # open, observed 200 days, its orientation came first
        "C10": (20.0, False),  # closed on day 50
    }
    assert [d.case_id for d in rule.deviations] == ["C7", "C5", "C10", "C2"]  # most late first
    assert {(t.territory, t.measured, t.compliant) for t in rule.territories} == {
        ("T1", 6, 2),
        ("T2", 1, 1),
    }


def test_within_rule_only_for_cases_that_reached_the_target(
    within_log: duckdb.DuckDBPyConnection,
) -> None:
    only = Rule("o30r", "x", "within", "identify", "orient", 30, only_reached=True)
    (rule,) = compliance(within_log, Filters(), [only]).rules
    assert rule.measured == 4  # C1, C2, C8, C9
    assert rule.compliant == 3
    assert [d.case_id for d in rule.deviations] == ["C2"]


def test_within_rule_follows_the_filters(within_log: duckdb.DuckDBPyConnection) -> None:
    (rule,) = compliance(within_log, Filters(territories=("T2",)), [ORIENTED_30]).rules
    assert (rule.measured, rule.compliant, rule.deviations) == (1, 1, [])
    several = Rule("c", "x", "within", "identify", "close,contact_refused", 15)
    (rule,) = compliance(within_log, Filters(), [several]).rules
    assert {d.case_id for d in rule.deviations if d.reached} == {"C10"}  # any of the targets
    assert "C3" not in {d.case_id for d in rule.deviations}


def test_every_rule_counts_only_the_time_in_status(tmp_path: Path) -> None:
    e = Events()
    start, leave = ("oriented", "in_support"), ("in_support", "closed")
    e.add("R1", "start_support", 0, start)
    e.add("R1", "review", 90)
    e.add("R1", "review", 180)
    e.add("R1", "close", 270, leave)  # three intervals of 90 days
    e.add("R2", "start_support", 0, start)
    e.add("R2", "review", 100)  # 8 days late
    e.add("R2", "close", 150, leave)
    e.add("R3", "start_support", 0, start)
    e.add("R3", "suspend", 80, ("in_support", "suspended"))
    e.add("R3", "review", 150)  # while suspended: neither a review in support nor a gap
    e.add("R3", "resume", 200, ("suspended", "in_support"))
    e.add("R3", "review", 260)
    e.add("R3", "close", 300, leave)
    e.add("R4", "start_support", 0, start)
    e.add("R4", "review", 50)  # still in support at the snapshot, 150 days later
    e.add("R5", "identify", 0, ("", "identified"))  # never in support
    e.add("R6", "start_support", 0, start)
    e.add("R6", "change_level", 60, ("in_support", "in_support"))  # not a departure
    e.add("R6", "close", 120, leave)
    situations = [situation(c, observed_until_day=200) for c in ("R1", "R2", "R3", "R4", "R5")]
    situations.append(situation("R6", territory="T3", observed_until_day=200))
    write_log(tmp_path, situations, e.rows)
    con = connect(tmp_path)
    (rule,) = compliance(con, Filters(), [REVIEW_92]).rules
    con.close()
    assert rule.measured == 5
    assert rule.compliant == 2  # R1, R3
    late = {d.case_id: d.days_late for d in rule.deviations}
    assert late == {"R2": pytest.approx(8.0), "R4": pytest.approx(58.0), "R6": pytest.approx(28.0)}


# -- the same rules by hand on generated logs -------------------------------------------------


def oracle_within(log: BuiltLog, rule: Rule) -> tuple[dict[str, float | None], int]:
    situations = {s["case_id"]: s for s in log.situations}
    by_case: dict[str, list[dict[str, Any]]] = {}
    for event in log.ordered_events():
        by_case.setdefault(event["case_id"], []).append(event)
    measured: dict[str, float | None] = {}
    not_due = 0
    for case_id, events in by_case.items():
        firsts = [i for i, ev in enumerate(events) if ev["activity"] == rule.source_activity]
        if not firsts:
            continue
        a = events[firsts[0]]
        b = next((ev for ev in events[firsts[0] + 1 :] if ev["activity"] in rule.targets), None)
        s = situations[case_id]
        if b is not None:
            delay = (b["timestamp"] - a["timestamp"]).total_seconds() / 86400
            measured[case_id] = delay - rule.days if delay > rule.days else None
            continue
        observed = (
            s["closed_day"] if s["closed_day"] is not None else s["observed_until_day"]
        ) - a["day"]
        if observed > rule.days:
            measured[case_id] = float(observed - rule.days)
        else:
            not_due += 1
    return measured, not_due


def oracle_every(log: BuiltLog, rule: Rule) -> dict[str, float | None]:
    situations = {s["case_id"]: s for s in log.situations}
    by_case: dict[str, list[dict[str, Any]]] = {}
    for event in log.ordered_events():
        by_case.setdefault(event["case_id"], []).append(event)
    out: dict[str, float | None] = {}
    for case_id, events in by_case.items():
        status, since, longest, seen = "", None, 0.0, False
        for ev in events:
            before = status
            status = ev["to_status"] or status
            if before != rule.status and status == rule.status:
                since, seen = ev["timestamp"], True
            elif before == rule.status and (ev["activity"] in rule.targets or status != before):
                assert since is not None
                longest = max(longest, (ev["timestamp"] - since).total_seconds() / 86400)
                since = ev["timestamp"] if status == rule.status else None
        if since is not None:
            s = situations[case_id]
            end = s["identified_at"] + dt.timedelta(days=s["observed_until_day"])
            longest = max(longest, (end - since).total_seconds() / 86400)
        if seen:
            out[case_id] = longest - rule.days if longest > rule.days else None
    return out


@pytest.mark.parametrize("seed", [0, 3, 9])
def test_rules_match_the_oracle_on_generated_logs(tmp_path: Path, seed: int) -> None:
    log = build_log(tmp_path, cases=180, seed=seed)
    contact = Rule("c15", "x", "within", "identify", "contact_reached,contact_refused", 15)
    con = connect(tmp_path)
    report = compliance(con, Filters(), [ORIENTED_30, contact, REVIEW_92], deviation_limit=10**6)
    con.close()
    for rule in (ORIENTED_30, contact):
        expected, not_due = oracle_within(log, rule)
        found = result(report.rules, rule.code)
        assert found.measured == len(expected)
        assert found.not_due == not_due
        assert {d.case_id: d.days_late for d in found.deviations} == pytest.approx(
            {c: v for c, v in expected.items() if v is not None}, rel=1e-9
        )
    expected_every = oracle_every(log, REVIEW_92)
    found = result(report.rules, "r92")
    assert found.measured == len(expected_every)
    assert {d.case_id: d.days_late for d in found.deviations} == pytest.approx(
        {c: v for c, v in expected_every.items() if v is not None}, rel=1e-9
    )
    assert 0 < found.compliant < found.measured


@pytest.mark.django_db
def test_seeded_rules_run_on_a_snapshot(tmp_path: Path) -> None:
    build_log(tmp_path, cases=60, seed=4)
    rules = active_rules()
    assert {(r.kind, r.days) for r in rules} == {("within", 30), ("within", 15), ("every", 92)}
    assert all(r.label for r in rules)
    con = connect(tmp_path)
    report = compliance(con, Filters(), rules)
    con.close()
    assert [r.code for r in report.rules] == [r.code for r in rules]
    for found in report.rules:
        assert found.measured > 0
        assert sum(t.measured for t in found.territories) == found.measured
        assert sum(t.compliant for t in found.territories) == found.compliant
