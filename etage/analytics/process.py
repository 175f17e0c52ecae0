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
from dataclasses import dataclass, replace
from typing import Any

import duckdb

from etage.analytics.filters import TRACE_SEPARATOR, Filters, case_ids_sql, events_sql

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
    # Events and cases per activity: the same in the log reduced by the activity slider.
    counts = con.execute(
        f"SELECT activity, count(*) AS n, count(DISTINCT case_id) "  # noqa: S608
        f"FROM ({base_sql}) GROUP BY activity ORDER BY n DESC, activity",
        base_params,
    ).fetchall()
    total_activities = len(counts)
    kept_counts = counts[: _kept(total_activities, activity_share)]
    if not kept_counts:
        return ProcessMap(0, 0, [], [], {}, {}, 0, 0, activity_share, path_share)
    reduced, params = base_sql, list(base_params)
    if len(kept_counts) < total_activities:
        reduced = (
            f"SELECT * FROM ({base_sql}) WHERE activity IN "  # noqa: S608
            f"({', '.join('?' for _ in kept_counts)})"
        )
        params.extend(a for a, _n, _c in kept_counts)
    # One window pass, one aggregate by (activity, next activity): the rows whose next
    # activity is NULL are the ends of the traces; activity figures are sums over its rows.
    rows = con.execute(
        "SELECT activity, next_activity, count(*) AS n, "  # noqa: S608
        "count(*) FILTER (WHERE pos = 1), sum(pos - 1), avg(seconds), "
        "quantile_cont(seconds, [0.5, 0.75, 0.9]) FROM ("
        "SELECT activity, row_number() OVER w AS pos, lead(activity) OVER w AS next_activity, "
        "(epoch_us(lead(timestamp) OVER w) - epoch_us(timestamp)) / 1e6 AS seconds "
        f"FROM ({reduced}) WINDOW w AS (PARTITION BY case_id ORDER BY timestamp, seq)) "
        "GROUP BY activity, next_activity ORDER BY n DESC, activity, next_activity",
        params,
    ).fetchall()
    starts: dict[str, int] = {}
    ends: dict[str, int] = {}
    rank_sum: dict[str, int] = {}
    edges = []
    for source, target, n, first, ranks, mean, quantiles in rows:
        starts[source] = starts.get(source, 0) + int(first)
        rank_sum[source] = rank_sum.get(source, 0) + int(ranks)
        if target is None:
            ends[source] = int(n)
            continue
        edges.append(
            Edge(
                source,
                target,
                int(n),
                mean / SECONDS_PER_DAY,
                quantiles[0] / SECONDS_PER_DAY,
                quantiles[1] / SECONDS_PER_DAY,
                quantiles[2] / SECONDS_PER_DAY,
            )
        )
    activities = [
        ActivityStat(a, int(n), int(c), starts[a], ends.get(a, 0), rank_sum[a] / n)
        for a, n, c in kept_counts
    ]
    cases = sum(starts.values())  # a trace has one start
    events = sum(a.count for a in activities)
    total_edges = len(edges)
    return ProcessMap(
        cases=int(cases),
        events=int(events),
        activities=activities,
        edges=edges[: _kept(total_edges, path_share)],
        starts={a: n for a, n in starts.items() if n},
        ends=ends,
        total_activities=total_activities,
        total_edges=total_edges,
        activity_share=activity_share,
        path_share=path_share,
    )


@dataclass(frozen=True, slots=True)
class Variant:
    id: str
    #: The activities joined by :data:`~.filters.TRACE_SEPARATOR`: split only for the
    #: variants read (a national log has 250,000 variants, millions of activities).
    trace: str
    cases: int
    share: float  # of the cases with a trace
    cumulative_share: float  # of this variant and the more frequent ones
    median_days: float  # median case duration

    @property
    def activities(self) -> tuple[str, ...]:
        return tuple(self.trace.split(TRACE_SEPARATOR))


def variants(
    con: duckdb.DuckDBPyConnection, filters: Filters, *, limit: int | None = None
) -> list[Variant]:
    """Variants by decreasing number of cases (ties by id, so the order is stable)."""
    if filters.is_empty:
        # No filter: group the whole log by case first, then keep the snapshot's cases (the
        # same traces as restricting the events first, without a semi-join over every event).
        base_sql, params = events_sql(
            replace(filters, cases=None), "case_id, activity, timestamp, seq", restrict=False
        )
        cases_sql, case_params = case_ids_sql(filters)
        kept = f"WHERE case_id IN ({cases_sql})"
        params = [*params, *case_params]
    else:
        base_sql, params = events_sql(filters, "case_id, activity, timestamp, seq")
        kept = ""
    # Grouping by the trace as one string, and hashing and splitting once per variant rather
    # than once per case, is what keeps this near the raw query at national scale.
    sql = (
        "WITH t AS (SELECT * FROM (SELECT case_id, "  # noqa: S608
        "string_agg(activity, chr(31) ORDER BY timestamp, seq) AS trace, "
        "(epoch_us(max(timestamp)) - epoch_us(min(timestamp))) / 1e6 / 86400.0 AS days "
        f"FROM ({base_sql}) GROUP BY case_id) {kept}), "
        "v AS (SELECT substr(md5(trace), 1, 10) AS variant, trace, count(*) AS cases, "
        "median(days) AS median_days FROM t GROUP BY trace) "
        "SELECT variant, trace, cases, cases / sum(cases) OVER (), "
        "sum(cases) OVER (ORDER BY cases DESC, variant ROWS UNBOUNDED PRECEDING) "
        "/ sum(cases) OVER (), median_days "
        "FROM v ORDER BY cases DESC, variant"
    )
    if limit is not None:
        sql += " LIMIT ?"
        params = [*params, int(limit)]
    return [
        # The trace as one string: it crosses from DuckDB far faster than a list.
        Variant(vid, trace, n, share, cum, median)
        for vid, trace, n, share, cum, median in con.execute(sql, params).fetchall()
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
