"""Compliance with the reference pathway (evaluation.md part A): for each rule, the share of
the filtered cases that followed it, overall and per territory, and the deviations per case.

Two kinds of rules (:class:`etage.analytics.models.ReferenceRule`):

**within** — "after A, one of B within N days". The delay starts at the case's first A
(order ``(timestamp, seq)``) and ends at the first B after it. Cases without A are not
measured. For a case with A:

- B reached within N days (fractional days, bound included) → compliant; later → deviation,
  ``days_late`` = delay − N;
- B never reached: if the case is still observed past the deadline (open at the snapshot, or
  closed after the deadline) → deviation, ``days_late`` = time observed since A (until the
  closure or the snapshot, in whole days) − N; if it closed before the deadline (the
  household refused, was handed to mainstream services…) or is open and not yet due → not
  measured (counted as *not due*);
- ``only_reached``: only cases that reached a B are measured (the delay among those who
  got there).

**every** — "while in status S, activity R at least every N days" (the review rule). Each
stretch in S runs from the event that enters S to the event that leaves it (or to the
snapshot when the case is still in S). Within a stretch, every interval between the entry,
the R events and the end must be at most N days. Cases never in S are not measured; a
deviating case's ``days_late`` is its longest interval − N.

Everything is computed in DuckDB over the snapshot views, restricted to the filter's cases;
status moves are read from the pathway events' ``to_status``, whatever the filter's
categories.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import duckdb

from etage.analytics.filters import Filters, case_ids_sql

if TYPE_CHECKING:
    from etage.analytics.models import ReferenceRule

_SECONDS_PER_DAY = 86_400.0


class RuleLike(Protocol):
    """What a rule needs to be measured: a :class:`ReferenceRule` row or a :class:`Rule`."""

    @property
    def code(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def source_activity(self) -> str: ...
    @property
    def days(self) -> int: ...
    @property
    def only_reached(self) -> bool: ...
    @property
    def status(self) -> str: ...
    @property
    def targets(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    kind: str  # "within" | "every"
    source_activity: str
    target_activities: str  # comma-separated
    days: int
    only_reached: bool = False
    status: str = ""

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(t.strip() for t in self.target_activities.split(",") if t.strip())


@dataclass(frozen=True)
class TerritoryRate:
    territory: str
    measured: int
    compliant: int

    @property
    def rate(self) -> float | None:
        return self.compliant / self.measured if self.measured else None


@dataclass(frozen=True)
class Deviation:
    case_id: str
    territory: str
    days_late: float
    reached: bool  # "within": whether B happened at all; "every": always True


@dataclass(frozen=True)
class RuleResult:
    code: str
    label: str
    kind: str
    days: int
    measured: int
    compliant: int
    not_due: int  # "within": cases with A not measurable yet or exited before the deadline
    territories: list[TerritoryRate]
    deviations: list[Deviation]  # most late first, at most ``deviation_limit``
    deviations_total: int

    @property
    def rate(self) -> float | None:
        return self.compliant / self.measured if self.measured else None


@dataclass(frozen=True)
class ComplianceReport:
    rules: list[RuleResult]


def active_rules() -> list[ReferenceRule]:
    """The active rules stored in the database, in code order."""
    from etage.analytics.models import ReferenceRule

    return list(ReferenceRule.objects.filter(active=True).order_by("code"))


def compliance(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    rules: Iterable[RuleLike],
    *,
    deviation_limit: int = 200,
) -> ComplianceReport:
    results = []
    for rule in rules:
        if rule.kind == "within":
            rows, not_due = _within(con, filters, rule)
        elif rule.kind == "every":
            rows, not_due = _every(con, filters, rule), 0
        else:
            raise ValueError(f"Unknown rule kind: {rule.kind!r}")
        results.append(_result(rule, rows, not_due, deviation_limit))
    return ComplianceReport(results)


def _result(
    rule: RuleLike,
    rows: Sequence[tuple[str, str, float | None, bool]],
    not_due: int,
    limit: int,
) -> RuleResult:
    """``rows``: (case_id, territory, days_late or None when compliant, reached)."""
    per_territory: dict[str, list[int]] = {}
    deviations: list[Deviation] = []
    for case_id, territory, late, reached in rows:
        counts = per_territory.setdefault(territory, [0, 0])
        counts[0] += 1
        if late is None:
            counts[1] += 1
        else:
            deviations.append(Deviation(case_id, territory, late, reached))
    deviations.sort(key=lambda d: (-d.days_late, d.case_id))
    return RuleResult(
        code=rule.code,
        label=rule.label,
        kind=rule.kind,
        days=rule.days,
        measured=len(rows),
        compliant=len(rows) - len(deviations),
        not_due=not_due,
        territories=[TerritoryRate(t, m, c) for t, (m, c) in sorted(per_territory.items())],
        deviations=deviations[:limit],
        deviations_total=len(deviations),
    )


def _in_list(values: Sequence[str], params: list[Any]) -> str:
    params.extend(values)
    return "(" + ", ".join("?" for _ in values) + ")"


def _within(
    con: duckdb.DuckDBPyConnection, filters: Filters, rule: RuleLike
) -> tuple[list[tuple[str, str, float | None, bool]], int]:
    targets = rule.targets
    if not rule.source_activity or not targets:
        raise ValueError(f"Rule {rule.code}: a “within” rule needs A and B.")
    cases, case_params = case_ids_sql(filters)
    # Only A and B events matter: reading them alone spares most of the log.
    params: list[Any] = []
    relevant_sql = _in_list((rule.source_activity, *targets), params)
    params.extend([*case_params, rule.source_activity])
    targets_sql = _in_list(targets, params)
    sql = (
        "WITH ev AS (SELECT case_id, activity, timestamp, seq, day FROM events "  # noqa: S608
        f"WHERE activity IN {relevant_sql} AND case_id IN ({cases})), "
        "a AS (SELECT case_id, timestamp AS a_ts, seq AS a_seq, day AS a_day FROM ("
        "SELECT *, row_number() OVER (PARTITION BY case_id ORDER BY timestamp, seq) AS rn "
        "FROM ev WHERE activity = ?) WHERE rn = 1), "
        "b AS (SELECT a.case_id, min(e.timestamp) AS b_ts FROM a JOIN ev e "
        f"ON e.case_id = a.case_id AND e.activity IN {targets_sql} "
        "AND (e.timestamp > a.a_ts OR (e.timestamp = a.a_ts AND e.seq > a.a_seq)) "
        "GROUP BY a.case_id) "
        "SELECT a.case_id, s.territory, "
        "(epoch_us(b.b_ts) - epoch_us(a.a_ts)) / 1e6 / 86400.0 AS delay, "
        "coalesce(s.closed_day, s.observed_until_day) - a.a_day AS observed "
        "FROM a JOIN situations s USING (case_id) LEFT JOIN b USING (case_id) "
        "ORDER BY a.case_id"
    )
    rows: list[tuple[str, str, float | None, bool]] = []
    not_due = 0
    limit = float(rule.days)
    for case_id, territory, delay, observed in con.execute(sql, params).fetchall():
        if delay is not None:
            late = delay - limit
            rows.append((case_id, territory, late if late > 0 else None, True))
        elif rule.only_reached:
            continue
        elif observed is not None and observed > limit:
            # Closed after the deadline without B, or open and overdue.
            rows.append((case_id, territory, float(observed - limit), False))
        else:
            not_due += 1  # open and not yet due, or exited before the deadline
    return rows, not_due


def _every(
    con: duckdb.DuckDBPyConnection, filters: Filters, rule: RuleLike
) -> list[tuple[str, str, float | None, bool]]:
    targets = rule.targets
    status = rule.status or "in_support"
    if not targets:
        raise ValueError(f"Rule {rule.code}: an “every” rule needs the recurring activity.")
    cases, case_params = case_ids_sql(filters)
    # Only status moves and the recurring activity matter.
    params: list[Any] = []
    relevant_sql = _in_list(targets, params)
    params.extend([*case_params, status, status, status, status, status])
    targets_sql = _in_list(targets, params)
    params.extend([status, status])
    sql = (
        "WITH ev AS (SELECT case_id, activity, timestamp, seq, "  # noqa: S608
        "nullif(to_status, '') AS to_s FROM events "
        f"WHERE (to_status <> '' OR activity IN {relevant_sql}) AND case_id IN ({cases})), "
        # The status after each event, carried forward over events that move nothing.
        # Two frames over one ordering: one sort serves both.
        "st AS (SELECT *, last_value(to_s IGNORE NULLS) OVER ("
        "PARTITION BY case_id ORDER BY timestamp, seq "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS after, "
        "last_value(to_s IGNORE NULLS) OVER ("
        "PARTITION BY case_id ORDER BY timestamp, seq "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before FROM ev), "
        # Marks: entering the status, the recurring activity while in it, leaving it.
        "marks AS ("
        "SELECT case_id, timestamp, seq, "
        "NOT (before = ? AND coalesce(after, '') <> ?) AS opens FROM st WHERE "
        "(after = ? AND coalesce(before, '') <> ?) "
        f"OR (before = ? AND activity IN {targets_sql}) "
        "OR (before = ? AND coalesce(after, '') <> ?) "
        # Still in the status at the snapshot: the stretch ends at the observation horizon.
        "UNION ALL SELECT s.case_id, s.identified_at + to_days(s.observed_until_day), "
        "9223372036854775807, false FROM situations s JOIN ("
        "SELECT case_id, arg_max(after, (timestamp, seq)) AS last_status FROM st "
        "GROUP BY case_id) l USING (case_id) WHERE l.last_status = ?), "
        # Intervals start at an entry or a recurrence, never at a departure (the time out
        # of the status does not count).
        "gaps AS (SELECT case_id, opens, "
        "(epoch_us(lead(timestamp) OVER (PARTITION BY case_id ORDER BY timestamp, seq)) "
        "- epoch_us(timestamp)) / 1e6 / 86400.0 AS gap FROM marks) "
        "SELECT g.case_id, s.territory, max(g.gap) FILTER (WHERE g.opens) AS longest "
        "FROM gaps g "
        "JOIN situations s USING (case_id) GROUP BY g.case_id, s.territory ORDER BY g.case_id"
    )
    params.append(status)
    limit = float(rule.days)
    out: list[tuple[str, str, float | None, bool]] = []
    for case_id, territory, longest in con.execute(sql, params).fetchall():
        gap = float(longest or 0.0)
        out.append((case_id, territory, gap - limit if gap > limit else None, True))
    return out


def days_late_display(value: float) -> int:
    """Days late as shown: whole days, rounded up (a few hours late is one day late)."""
    return math.ceil(value - 1e-9)
