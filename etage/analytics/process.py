"""Process mining over the snapshot: process map (directly-follows graph with frequencies and
durations), variants, and one case's timeline. All in DuckDB SQL: one window pass over the
events (``LEAD`` over ``case_id`` ordered by ``(timestamp, seq)``), so it scales to the
national log.

Definitions match pm4py's, so that the figures can be checked against it:

- a *trace* is a case's events of the filter's categories ordered by ``(timestamp, seq)``;
- the *directly-follows* edge A→B counts each pair of consecutive events of a trace; its
  duration is the time between them; median, P75 and P90 are linear-interpolation quantiles
  (``quantile_cont`` = ``numpy.percentile``'s default = pandas' median);
- a *variant* is the sequence of activities of a trace; its id is :func:`filters.variant_id`;
- the *case duration* is from the first to the last event of the trace.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, replace
from typing import Any

import duckdb

from etage.analytics.filters import VARIANT_ID_SQL, Filters, case_ids_sql, events_sql

SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class ActivityStat:
    activity: str
    count: int  # events
    cases: int  # cases with at least one such event
    starts: int  # traces starting with it
    ends: int  # traces ending with it
    position: float  # mean 0-based rank in the traces (for the layout)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    count: int
    mean_days: float
    median_days: float
    p75_days: float
    p90_days: float


@dataclass(frozen=True)
class ProcessMap:
    cases: int  # cases with a trace (at least one event of the categories)
    events: int
    activities: list[ActivityStat]  # kept by the activity slider, most frequent first
    edges: list[Edge]  # kept by both sliders, most frequent first
    starts: dict[str, int]
    ends: dict[str, int]
    total_activities: int  # before the sliders
    total_edges: int
    activity_share: float
    path_share: float


def _kept(total: int, share: float) -> int:
    """How many of ``total`` ranked items a slider at ``share`` keeps (at least one)."""
    if not 0 < share <= 1:
        raise ValueError("A slider share lies in (0, 1].")
    return min(total, max(1, math.ceil(share * total - 1e-9))) if total else 0


def process_map(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    activity_share: float = 1.0,
    path_share: float = 1.0,
) -> ProcessMap:
    """The directly-follows graph of the filtered cases.

    The activity slider keeps the ``ceil(activity_share × n)`` most frequent activities (by
    events; ties by code) and **re-computes** the graph on the traces reduced to them (as Disco
    does: A→x→B becomes A→B when x is hidden), so the kept figures stay true directly-follows
    figures of the reduced log. The path slider then keeps the ``ceil(path_share × m)`` most
    frequent edges of that graph. Start and end counts are those of the reduced traces.
    """
    _kept(1, activity_share), _kept(1, path_share)  # validate early
    base_sql, base_params = events_sql(filters, "case_id, activity, timestamp, seq")
    counts = con.execute(
        f"SELECT activity, count(*) AS n FROM ({base_sql}) GROUP BY activity "  # noqa: S608
        "ORDER BY n DESC, activity",
        base_params,
    ).fetchall()
    total_activities = len(counts)
    kept_activities = [a for a, _n in counts[: _kept(total_activities, activity_share)]]
    if not kept_activities:
        return ProcessMap(0, 0, [], [], {}, {}, 0, 0, activity_share, path_share)
    reduced = (
        f"SELECT * FROM ({base_sql}) WHERE activity IN "  # noqa: S608
        f"({', '.join('?' for _ in kept_activities)})"
    )
    params = [*base_params, *kept_activities]
    # A temporary table: the window pass runs once for the three aggregates below.
    steps = f"_pm_steps_{uuid.uuid4().hex}"
    con.execute(
        f"CREATE TEMP TABLE {steps} AS "  # noqa: S608
        "SELECT case_id, activity, "
        "row_number() OVER w AS pos, "
        "lead(activity) OVER w AS next_activity, "
        "(epoch_us(lead(timestamp) OVER w) - epoch_us(timestamp)) / 1e6 AS seconds "
        f"FROM ({reduced}) WINDOW w AS (PARTITION BY case_id ORDER BY timestamp, seq)",
        params,
    )
    try:
        activity_rows = con.execute(
            "SELECT activity, count(*), count(DISTINCT case_id), "  # noqa: S608
            "count(*) FILTER (WHERE pos = 1), count(*) FILTER (WHERE next_activity IS NULL), "
            f"avg(pos - 1) FROM {steps} GROUP BY activity ORDER BY count(*) DESC, activity"
        ).fetchall()
        edge_rows = con.execute(
            "SELECT activity, next_activity, count(*) AS n, avg(seconds), "  # noqa: S608
            "quantile_cont(seconds, [0.5, 0.75, 0.9]) "
            f"FROM {steps} WHERE next_activity IS NOT NULL "
            "GROUP BY activity, next_activity ORDER BY n DESC, activity, next_activity"
        ).fetchall()
        cases, events = con.execute(
            f"SELECT count(DISTINCT case_id), count(*) FROM {steps}"  # noqa: S608
        ).fetchone() or (0, 0)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {steps}")
    activities = [
        ActivityStat(a, int(n), int(c), int(s), int(e), float(p))
        for a, n, c, s, e, p in activity_rows
    ]
    edges = [
        Edge(
            source,
            target,
            int(n),
            mean / SECONDS_PER_DAY,
            quantiles[0] / SECONDS_PER_DAY,
            quantiles[1] / SECONDS_PER_DAY,
            quantiles[2] / SECONDS_PER_DAY,
        )
        for source, target, n, mean, quantiles in edge_rows
    ]
    total_edges = len(edges)
    return ProcessMap(
        cases=int(cases),
        events=int(events),
        activities=activities,
        edges=edges[: _kept(total_edges, path_share)],
        starts={a.activity: a.starts for a in activities if a.starts},
        ends={a.activity: a.ends for a in activities if a.ends},
        total_activities=total_activities,
        total_edges=total_edges,
        activity_share=activity_share,
        path_share=path_share,
    )


@dataclass(frozen=True)
class Variant:
    id: str
    activities: tuple[str, ...]
    cases: int
    share: float  # of the cases with a trace
    cumulative_share: float  # of this variant and the more frequent ones
    median_days: float  # median case duration


def _traces_sql(filters: Filters) -> tuple[str, list[Any]]:
    base_sql, params = events_sql(filters, "case_id, activity, timestamp, seq")
    sql = (
        "SELECT case_id, "  # noqa: S608
        f"{VARIANT_ID_SQL} AS variant, "
        "list(activity ORDER BY timestamp, seq) AS activities, "
        "(epoch_us(max(timestamp)) - epoch_us(min(timestamp))) / 1e6 / 86400.0 AS days "
        f"FROM ({base_sql}) GROUP BY case_id"
    )
    return sql, params


def variants(
    con: duckdb.DuckDBPyConnection, filters: Filters, *, limit: int | None = None
) -> list[Variant]:
    """Variants by decreasing number of cases (ties by id, so the order is stable)."""
    traces, params = _traces_sql(filters)
    sql = (
        "WITH t AS (" + traces + "), v AS ("  # noqa: S608
        "SELECT variant, any_value(activities) AS activities, count(*) AS cases, "
        "median(days) AS median_days FROM t GROUP BY variant) "
        "SELECT variant, activities, cases, cases / sum(cases) OVER () AS share, "
        "sum(cases) OVER (ORDER BY cases DESC, variant ROWS UNBOUNDED PRECEDING) "
        "/ sum(cases) OVER () AS cumulative, median_days "
        "FROM v ORDER BY cases DESC, variant"
    )
    if limit is not None:
        sql += " LIMIT ?"
        params = [*params, int(limit)]
    return [
        Variant(vid, tuple(acts), int(n), float(share), float(cum), float(median))
        for vid, acts, n, share, cum, median in con.execute(sql, params).fetchall()
    ]


def variant_cases(
    con: duckdb.DuckDBPyConnection, filters: Filters, variant_id: str, limit: int = 50
) -> list[str]:
    """Case ids (pseudonyms) of one variant under ``filters``, in id order."""
    sql, params = case_ids_sql(replace(filters, variant=variant_id))
    rows = con.execute(
        f"SELECT case_id FROM ({sql}) ORDER BY case_id LIMIT ?",  # noqa: S608
        [*params, int(limit)],
    ).fetchall()
    return [r[0] for r in rows]


#: Situation columns a timeline shows: codes, bands and months only (nothing identifying).
TIMELINE_ATTRIBUTES = (
    "territory",
    "network_profile",
    "landlord",
    "status",
    "source",
    "urgency",
    "entry_stage",
    "entry_debt",
    "contact_outcome",
    "orientation",
    "level",
    "outcome",
    "housing_status",
    "identified_month",
    "closed_month",
    "observed_until_day",
)


@dataclass(frozen=True)
class TimelineEvent:
    activity: str
    category: str
    day: int  # days since identification
    from_status: str
    to_status: str
    level: str
    resource: str
    role: str
    details: dict[str, str]


@dataclass(frozen=True)
class CaseTimeline:
    case_id: str
    attributes: dict[str, Any]
    events: list[TimelineEvent]


def timeline(con: duckdb.DuckDBPyConnection, case_id: str) -> CaseTimeline | None:
    """One pseudonymised case: its attributes and all its events in order, dated in days
    since identification (never a calendar date). None when the case is not in the
    snapshot."""
    row = con.execute(
        f"SELECT {', '.join(TIMELINE_ATTRIBUTES)} FROM situations WHERE case_id = ?",  # noqa: S608
        [case_id],
    ).fetchone()
    if row is None:
        return None
    events = [
        TimelineEvent(
            activity=activity,
            category=category,
            day=int(day),
            from_status=from_status or "",
            to_status=to_status or "",
            level=level or "",
            resource=resource or "",
            role=role or "",
            details=dict(details or {}),
        )
        for activity, category, day, from_status, to_status, level, resource, role, details in (
            con.execute(
                "SELECT activity, category, day, from_status, to_status, level, resource, "
                "role, details FROM events WHERE case_id = ? ORDER BY timestamp, seq",
                [case_id],
            ).fetchall()
        )
    ]
    return CaseTimeline(case_id, dict(zip(TIMELINE_ATTRIBUTES, row, strict=True)), events)
