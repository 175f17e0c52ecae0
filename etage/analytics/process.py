"""Process mining over the snapshot: process map (directly-follows graph with frequencies and
durations), variants, and one case's timeline. All in DuckDB SQL, one grouping of the events
by case: each event packed into one sortable integer carrying its activity's code, sorted
per case (:func:`_traces_sql`), so that it scales to the national log.

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


def _activities(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[str]:
    """The activities of the filter's categories in the whole log, sorted: their index is
    the code :func:`_traces_sql` packs into each event's key (one cheap column scan)."""
    sql, params = events_sql(filters, "activity", restrict=False)
    return [
        a
        for (a,) in con.execute(
            f"SELECT DISTINCT activity FROM ({sql}) WHERE activity IS NOT NULL "  # noqa: S608
            "ORDER BY activity",
            params,
        ).fetchall()
    ]


def _traces_sql(
    filters: Filters, activities: list[str], aggregates: str
) -> tuple[str, list[Any], int]:
    """``SELECT case_id, keys<aggregates>`` per case with a trace, and the parameters and the
    code width. ``keys`` is the case's events, each one HUGEINT ``(µs × 2⁶⁴ + seq + 2⁶³) ×
    2^bits + code``, sorted: the order of ``(timestamp, seq)``, with the activity's index in
    ``activities`` in the low bits and the time in the high ones (``key >> (64 + bits)``).
    Only the events of ``activities`` are kept (the slider's reduced traces).

    Why: an unordered ``list`` of integers sorted per case costs a quarter of an ordered
    aggregate (``string_agg``/``list`` ``ORDER BY``) or a window sorted by ``(case_id,
    timestamp, seq)`` over every event, and grouping by a list of small codes is cheaper
    than by the activity strings. HUGEINT arithmetic raises on overflow (timestamps
    centuries away, or thousands of activities): it never misorders.
    """
    bits = max(1, (len(activities) - 1).bit_length())
    key = f"(epoch_us(timestamp)::HUGEINT * {2**64} + seq + {2**63}) * {2**bits} + code"
    columns = "case_id, activity, timestamp, seq"
    codes = "(SELECT unnest(?::VARCHAR[]) AS activity, unnest(range(?)) AS code)"
    if filters.is_empty:
        # No filter: group the whole log by case first, then keep the snapshot's cases (the
        # same traces as restricting the events first, without a semi-join over every event).
        base_sql, params = events_sql(filters, columns, restrict=False)
        cases_sql, case_params = case_ids_sql(filters)
        kept = f" WHERE case_id IN ({cases_sql})"
    else:
        base_sql, params = events_sql(filters, columns)
        kept, case_params = "", []
    sql = (
        f"SELECT * FROM (SELECT case_id, list_sort(list({key})) AS keys{aggregates} "  # noqa: S608
        f"FROM ({base_sql}) JOIN {codes} USING (activity) GROUP BY case_id){kept}"
    )
    return sql, [*params, activities, len(activities), *case_params], bits


def _process_rows(
    con: duckdb.DuckDBPyConnection, filters: Filters, activities: list[str]
) -> tuple[list[tuple[Any, ...]], dict[str, int]]:
    """Directly-follows rows ``(activity, next activity or None, count, starts, sum of
    0-based ranks, mean seconds, [P50, P75, P90] seconds)`` ordered by count descending,
    activity, next activity (ends last), and the cases per activity; one pass over the
    events."""
    traces, params, bits = _traces_sql(
        filters, activities, f", bitstring_agg(code, 0, {len(activities) - 1}) AS seen"
    )
    mask, shift = 2**bits - 1, 64 + bits
    # The rows whose next key is NULL are the ends of the traces; an activity's figures are
    # sums over its rows; its cases come from each case's set of codes (``seen``), counted
    # once per distinct set.
    rows = con.execute(
        f"WITH t AS MATERIALIZED ({traces}), "  # noqa: S608
        "steps AS (SELECT unnest(keys) AS key, unnest(keys[2:]) AS next_key, "
        "unnest(range(len(keys))) AS pos FROM t) "
        f"SELECT 0, (key & {mask})::INTEGER AS code, (next_key & {mask})::INTEGER, count(*), "
        "count(*) FILTER (WHERE pos = 0), sum(pos), avg(seconds), "
        "quantile_cont(seconds, [0.5, 0.75, 0.9]) FROM ("
        f"SELECT key, next_key, pos, ((next_key >> {shift}) - (key >> {shift}))::BIGINT / 1e6 "
        "AS seconds FROM steps) GROUP BY ALL "
        "UNION ALL SELECT 1, code::INTEGER, NULL, sum(n), NULL, NULL, NULL, NULL FROM "
        "(SELECT seen, count(*) AS n FROM t GROUP BY seen) JOIN range(?) r(code) "
        "ON get_bit(seen, code::INTEGER) = 1 GROUP BY code",
        [*params, len(activities)],
    ).fetchall()
    dfg: list[tuple[Any, ...]] = []
    cases: dict[str, int] = {}
    for part, code, next_code, n, first, ranks, mean, quantiles in rows:
        if part:
            cases[activities[code]] = int(n)
        else:
            dfg.append((code, next_code, n, first, ranks, mean, quantiles))
    # Codes follow the activities' order, so this is the order by name (ends last).
    dfg.sort(key=lambda r: (-r[2], r[0], r[1] is None, r[1] or 0))
    return [
        (activities[c], None if nc is None else activities[nc], *rest) for c, nc, *rest in dfg
    ], cases


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
    activities = _activities(con, filters)
    if not activities:
        return ProcessMap(0, 0, [], [], {}, {}, 0, 0, activity_share, path_share)
    rows, cases_of = _process_rows(con, filters, activities)
    # Events and cases per activity: the same in the log reduced by the activity slider.
    events_of: dict[str, int] = {}
    for source, _target, n, *_rest in rows:
        events_of[source] = events_of.get(source, 0) + int(n)
    counts = sorted(events_of.items(), key=lambda item: (-item[1], item[0]))
    total_activities = len(counts)
    kept_counts = counts[: _kept(total_activities, activity_share)]
    if not kept_counts:
        return ProcessMap(0, 0, [], [], {}, {}, 0, 0, activity_share, path_share)
    if len(kept_counts) < total_activities:
        rows, _cases = _process_rows(con, filters, sorted(a for a, _n in kept_counts))
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
    activities_kept = [
        ActivityStat(a, n, cases_of[a], starts[a], ends.get(a, 0), rank_sum[a] / n)
        for a, n in kept_counts
    ]
    cases = sum(starts.values())  # a trace has one start
    events = sum(a.count for a in activities_kept)
    total_edges = len(edges)
    return ProcessMap(
        cases=int(cases),
        events=int(events),
        activities=activities_kept,
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
    activities = _activities(con, filters)
    if not activities:
        return []
    traces, params, bits = _traces_sql(filters, activities, "")
    shift = 64 + bits
    # Cases grouped by their list of activity codes (one per activity: the same groups as by
    # the traces' strings); only then, once per variant, the codes become the trace string
    # the id hashes and the page splits. The case duration is from the first key's time to
    # the last one's (the min and max timestamps of the trace's events).
    sql = (
        f"WITH t AS ({traces}), "  # noqa: S608
        f"g AS (SELECT list_transform(keys, lambda k: (k & {2**bits - 1})::INTEGER + 1) "
        "AS codes, count(*) AS cases, "
        f"median(((keys[-1] >> {shift}) - (keys[1] >> {shift}))::BIGINT / 1e6 / 86400.0) "
        "AS median_days FROM t GROUP BY codes), "
        "v AS (SELECT array_to_string(list_select(?::VARCHAR[], codes), chr(31)) AS trace, "
        "cases, median_days FROM g), "
        "w AS (SELECT substr(md5(trace), 1, 10) AS variant, trace, cases, median_days FROM v) "
        "SELECT variant, trace, cases, cases / sum(cases) OVER () AS share, "
        "sum(cases) OVER (ORDER BY cases DESC, variant ROWS UNBOUNDED PRECEDING) "
        "/ sum(cases) OVER () AS cumulative, median_days "
        "FROM w ORDER BY cases DESC, variant"
    )
    params = [*params, activities]
    if limit is not None:
        sql += " LIMIT ?"
        params = [*params, int(limit)]
    # By columns: a quarter of the cost of ``fetchall`` for 250,000 rows of long strings.
    found = con.execute(sql, params).fetchnumpy()
    return [
        # The trace as one string: it crosses from DuckDB far faster than a list.
        Variant(vid, trace, n, share, cum, median)
        for vid, trace, n, share, cum, median in zip(
            *(
                found[c].tolist()
                for c in ("variant", "trace", "cases", "share", "cumulative", "median_days")
            ),
            strict=True,
        )
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
