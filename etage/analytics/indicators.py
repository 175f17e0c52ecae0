"""Computing and storing the indicators of :mod:`.catalogue`.

:func:`compute_indicators` projects the situations once to the columns the catalogue reads,
then runs one DuckDB query per *base* (identified, closed, active, reviews, meetings) and
breakdown, each computing every indicator of that base for every period (month and year) and
territory (each one and all together) at once: each row is unnested into its month and year,
and grouped by ``GROUPING SETS``, so the figures of a cell never cost a query of their own;
only the aggregated records come back to Python. :func:`store_indicators` writes them as
rows that survive the purges: a period whose indicator is *final* (older than its lag) is
never overwritten once stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from etage.analytics.catalogue import (
    CATALOGUE,
    DIMENSION_COLUMNS,
    PLANS,
    SUMMONS,
    Indicator,
)
from etage.analytics.schema import SITUATIONS
from etage.core.bulk import can_copy, copy_rows

#: Indicator values written per INSERT (and held as model instances at once).
STORE_BATCH = 2000


class IndicatorRow(NamedTuple):
    # A named tuple rather than a dataclass: national scale yields millions of them, and a
    # tuple is built three times faster.
    code: str
    period: str
    territory: str
    dimension: str
    key: str
    value: float | None
    cases: int


def _in(values: Sequence[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


#: Per case, the procedure facts the outcome indicators look for (column → condition on one
#: procedure event); only those an indicator names are computed.
_FLAGS: dict[str, str] = {
    "ev_summons": f"activity IN {_in(SUMMONS)}",
    "ev_protocol": "activity = 'protocol_signed'",
    "ev_new_lease": "activity = 'new_lease_signed'",
    "ev_plan": f"activity IN {_in(PLANS)}",
    "ev_plan_respected": "activity = 'amicable_plan_respected'",
    "ev_plan_broken": "activity = 'amicable_plan_broken'",
    "ev_rights": "activity = 'rights_opened'",
    "ev_care": "activity = 'care_referral'",
}

#: Situation columns a base reads whatever its indicators: periods and territory, the review
#: join's key, the "in support" calendar (and the cost's level).
_ALWAYS = ("territory", "identified_month", "closed_month")
_BY_BASE = {
    "reviews": ("case_id", "support_started_day"),
    "active": ("identified_at", "support_started_day", "closed_day", "observed_until_day"),
    "cost": ("identified_at", "support_started_day", "closed_day", "observed_until_day", "level"),
}

#: The situations with only the columns the catalogue reads, and the flags: written once per
#: computation, read by every base (the Parquet files and the events are scanned once).
_CASES = "etage_indicator_cases_"

#: Calendar of the months and years the snapshot covers, for the "in support" base: a range
#: join of the cases with it gives one row per case and period in support.
_CALENDAR_CTE = f"""
bounds_ AS (
    SELECT date_trunc('month', min(identified_at)::TIMESTAMP) AS lo,
        date_trunc('month', max(identified_at::TIMESTAMP
            + to_days(coalesce(observed_until_day, 0)))) + INTERVAL 1 MONTH AS hi
    FROM {_CASES}
),
months_ AS (
    SELECT strftime(m, '%Y-%m') AS period, m AS p_start, m + INTERVAL 1 MONTH AS p_end
    FROM bounds_, range(bounds_.lo, bounds_.hi, INTERVAL 1 MONTH) t(m)
),
calendar_ AS (
    SELECT period, p_start, p_end FROM months_
    UNION ALL
    SELECT DISTINCT strftime(p_start, '%Y'), date_trunc('year', p_start),
        date_trunc('year', p_start) + INTERVAL 1 YEAR
    FROM months_
),
active_ AS (
    SELECT c.*, k.period FROM {_CASES} c JOIN calendar_ k
    ON c.support_started_day IS NOT NULL
    AND c.identified_at::TIMESTAMP + to_days(c.support_started_day) < k.p_end
    AND (c.closed_day IS NULL OR c.identified_at::TIMESTAMP + to_days(c.closed_day) >= k.p_start)
)"""  # noqa: S608 - constants only

#: Base → SQL of its rows: a ``month_`` column ("YYYY-MM"), or ``period`` for active.
_BASES: dict[str, str] = {
    "identified": f"SELECT *, identified_month AS month_ FROM {_CASES}",  # noqa: S608
    "closed": f"SELECT *, closed_month AS month_ FROM {_CASES} WHERE closed_month <> ''",  # noqa: S608
    "reviews": f"""
        SELECT c.*, e.month AS month_,
            e.day - coalesce(
                lag(e.day) OVER (PARTITION BY e.case_id ORDER BY e.timestamp, e.seq),
                c.support_started_day
            ) AS gap
        FROM events e JOIN {_CASES} c ON c.case_id = e.case_id
        WHERE e.category = 'review'""",  # noqa: S608
    "meetings": "SELECT territory, held_month AS month_ FROM meetings WHERE status = 'held'",
    "active": "SELECT * FROM active_",
}


def _names(text: str, candidates: Iterable[str]) -> list[str]:
    return [c for c in candidates if re.search(rf"\b{c}\b", text)]


def _fragments(indicators: Iterable[Indicator]) -> str:
    return " ".join(f"{i.population} {i.numerator} {i.expression}" for i in indicators)


def _cases_table(catalogue: Sequence[Indicator]) -> tuple[str, str]:
    """SQL creating :data:`_CASES` (the columns the catalogue reads, and its flags), and the
    kind of object it is: a table when flags need the events (one scan of the log for all
    the bases), a view otherwise (DuckDB reads only those columns of the Parquet file)."""
    text = _fragments(catalogue)
    wanted = {
        *_ALWAYS,
        *(c for i in catalogue for c in _BY_BASE.get(i.kind if i.kind == "cost" else i.base, ())),
    }
    wanted |= {DIMENSION_COLUMNS[d] for i in catalogue for d in i.breakdowns if d != "all"}
    columns = [c for c in SITUATIONS.names if c in wanted or re.search(rf"\b{c}\b", text)]
    flags = _names(text, _FLAGS)
    selected = ", ".join(f"s.{c}" for c in columns)
    if not flags:
        return (
            f"CREATE OR REPLACE TEMP VIEW {_CASES} AS SELECT {selected} FROM situations s",  # noqa: S608
            "VIEW",
        )
    per_case = ", ".join(f"bool_or({_FLAGS[f]}) AS {f}" for f in flags)
    coalesced = ", ".join(f"coalesce(f.{f}, false) AS {f}" for f in flags)
    return (
        f"""
CREATE OR REPLACE TEMP TABLE {_CASES} AS
SELECT {selected}, {coalesced}
FROM situations s LEFT JOIN (
    SELECT case_id, {per_case} FROM events WHERE category = 'procedure' GROUP BY case_id
) f ON f.case_id = s.case_id
""",  # noqa: S608 - catalogue constants only
        "TABLE",
    )


def _aggregates(indicator: Indicator) -> tuple[str, str]:
    """SQL of (value, cases) of ``indicator`` over a group of base rows."""
    pop = f"({indicator.population})"
    if indicator.kind == "count":
        count = f"count(*) FILTER (WHERE {pop})"
        return count, count
    if indicator.kind == "share":
        cases = f"count(*) FILTER (WHERE {pop})"
        hits = f"count(*) FILTER (WHERE {pop} AND coalesce(({indicator.numerator}), false))"
        return f"100.0 * {hits} / NULLIF({cases}, 0)", cases
    if indicator.kind in ("median", "mean"):
        expr = f"({indicator.expression})"
        where = f"{pop} AND {expr} IS NOT NULL"
        function = f"quantile_cont({expr}, 0.5)" if indicator.kind == "median" else f"avg({expr})"
        return f"{function} FILTER (WHERE {where})", f"count(*) FILTER (WHERE {where})"
    if indicator.kind == "per_distinct":
        cases = f"count(*) FILTER (WHERE {pop})"
        distinct = f"count(DISTINCT {indicator.expression}) FILTER (WHERE {pop})"
        return f"{cases} / NULLIF({distinct}, 0)", cases
    raise ValueError(indicator.kind)


def _key(dimension: str) -> str:
    """SQL of the breakdown key of a base row (difficulty: one row per difficulty listed)."""
    if dimension == "all":
        return "'all'"
    column = DIMENSION_COLUMNS[dimension]
    if dimension == "difficulty":
        column = f"unnest({column})"
    return f"coalesce(CAST({column} AS VARCHAR), '')"


def _base_query(
    base: str, dimension: str, indicators: Sequence[Indicator], *, periods: bool = False
) -> str:
    """One grouped query for the ``indicators`` of ``base`` broken down by ``dimension``:
    records (period, territory or '', dimension, key, value₀, cases₀, value₁, …). With
    ``periods``, its one ``?`` parameter is the list of periods kept.

    One query per breakdown rather than one unpivoting every row into all breakdowns: the
    same aggregation work, but only one breakdown's medians held in memory at a time."""
    text = _fragments(indicators)
    columns = ["territory", *_names(text, [*SITUATIONS.names, *_FLAGS, "gap"])]
    if dimension != "all":
        columns.append(DIMENSION_COLUMNS[dimension])
    columns = list(dict.fromkeys(columns))
    period = "period" if base == "active" else "unnest([month_, left(month_, 4)])"
    where = "WHERE list_contains(?::VARCHAR[], period)" if periods else ""
    aggregates = ",\n    ".join(
        # DOUBLE values and BIGINT cases: the Python objects the rows hold, as they come.
        f"CAST({value} AS DOUBLE) AS v{n}, {cases} AS c{n}"
        for n, (value, cases) in enumerate(_aggregates(i) for i in indicators)
    )
    ctes = [_CALENDAR_CTE] if base == "active" else []
    # Only constants of the catalogue reach the text.
    ctes += [
        f"base_ AS ({_BASES[base]})",
        f"periods_ AS (SELECT {', '.join(columns)}, {period} AS period FROM base_)",  # noqa: S608
        f"keyed_ AS (SELECT *, {_key(dimension)} AS key_ FROM periods_ {where})",  # noqa: S608
    ]
    return f"""
WITH {",".join(ctes)}
SELECT period,
    CASE WHEN grouping(territory) = 1 THEN '' ELSE territory END AS territory_,
    '{dimension}' AS dimension_, key_,
    {aggregates}
FROM keyed_
GROUP BY GROUPING SETS ((period, key_), (period, territory, key_))
"""  # noqa: S608 - built from the catalogue's constants, no user input


def _queries(catalogue: Sequence[Indicator]) -> list[tuple[str, str, list[Indicator]]]:
    """(base, dimension, indicators broken down by it) of every query of the catalogue."""
    out = []
    for base in dict.fromkeys(i.base for i in catalogue if i.kind != "cost"):
        indicators = [i for i in catalogue if i.base == base and i.kind != "cost"]
        for dimension in sorted({d for i in indicators for d in i.breakdowns}):
            out.append((base, dimension, [i for i in indicators if dimension in i.breakdowns]))
    return out


def _cost_query() -> str:
    return f"""
WITH {_CALENDAR_CTE},
counts_ AS (
    SELECT period, CASE WHEN grouping(territory) = 1 THEN '' ELSE territory END AS territory_,
        level, count(*) AS n
    FROM active_ WHERE length(period) = 4 AND level <> ''
    GROUP BY GROUPING SETS ((period, level), (period, territory, level))
),
priced_ AS (
    SELECT c.period, c.territory_, c.level, c.n, p.annual_cost
    FROM counts_ c JOIN cost_parameters_ p
    ON p.year = c.period AND p.level = c.level AND p.territory = c.territory_
)
SELECT period, territory_, 'level', level, annual_cost / n, n FROM priced_
UNION ALL
SELECT period, territory_, 'all', 'all', sum(annual_cost) / sum(n), sum(n)
FROM priced_ GROUP BY period, territory_
"""  # noqa: S608


def _cost_parameters() -> list[tuple[str, str, str, float]]:
    from etage.analytics.models import CostParameter

    return [
        (str(p.year), p.level, p.territory, float(p.annual_cost))
        for p in CostParameter.objects.all()
    ]


#: Records fetched from DuckDB at a time: the grouped records are unpivoted into rows batch
#: by batch, never all held as Python tuples at once.
_BATCH = 20_000


def compute_indicators(
    con: duckdb.DuckDBPyConnection,
    *,
    periods: Iterable[str] | None = None,
    costs: Iterable[tuple[str, str, str, float]] | None = None,
    catalogue: Sequence[Indicator] = CATALOGUE,
) -> list[IndicatorRow]:
    """The rows of :func:`iter_indicators` as one list, for callers that read them twice or
    a few at a time. Millions of rows at national scale: storing streams them instead."""
    return list(iter_indicators(con, periods=periods, costs=costs, catalogue=catalogue))


def iter_indicators(
    con: duckdb.DuckDBPyConnection,
    *,
    periods: Iterable[str] | None = None,
    costs: Iterable[tuple[str, str, str, float]] | None = None,
    catalogue: Sequence[Indicator] = CATALOGUE,
) -> Generator[IndicatorRow, None, None]:
    """Every figure of ``catalogue`` over the snapshot behind ``con`` (restricted to
    ``periods``, "YYYY-MM" or "YYYY", when given), yielded as each batch of records comes
    from DuckDB: only one batch's rows are held in Python at a time (the whole suite was
    1.9 GB at national scale as one list). ``costs``: (year, level, territory, annual cost)
    rows; by default the stored :class:`~.models.CostParameter` rows.

    ``con`` runs the queries while the rows are consumed: do not use it for anything else
    until the iterator is exhausted or closed (closing it drops its temporary table)."""
    wanted = sorted(set(periods)) if periods is not None else None
    # The same period, territory or key string for every row that has it (millions of rows
    # at national scale, a few thousand distinct strings).
    strings: dict[str, str] = {}
    share = strings.setdefault
    new = tuple.__new__
    cost_indicators = [i for i in catalogue if i.kind == "cost"]
    create, kind = _cases_table(catalogue)
    con.execute(create)
    try:
        for base, dimension, indicators in _queries(catalogue):
            dimension = share(dimension, dimension)
            # Per monthly or yearly period: where each indicator's figures are in a record.
            shown = {
                yearly: [
                    (4 + 2 * n, i.code)
                    for n, i in enumerate(indicators)
                    if yearly or not i.yearly_only
                ]
                for yearly in (False, True)
            }
            query = _base_query(base, dimension, indicators, periods=wanted is not None)
            result = con.execute(query, [wanted] if wanted is not None else [])
            while batch := result.fetchmany(_BATCH):
                # The batch's rows built in one list (the comprehension is the fast path),
                # then yielded one by one.
                rows: list[IndicatorRow] = []
                extend = rows.extend
                for record in batch:
                    period = share(record[0], record[0])
                    territory = share(record[1], record[1])
                    key = share(record[3], record[3])
                    # The tuple built directly: the hot loop of the national suite.
                    extend(
                        [
                            new(
                                IndicatorRow,
                                (
                                    code,
                                    period,
                                    territory,
                                    dimension,
                                    key,
                                    record[at],
                                    record[at + 1],
                                ),
                            )
                            for at, code in shown[len(period) == 4]
                            if record[at + 1]
                        ]
                    )
                # Neither the records nor the rows outlive their batch here: what the
                # consumer keeps is its own business.
                del batch
                yield from rows
                del rows
        parameters = list(costs) if costs is not None else None
        if cost_indicators and parameters is None:
            parameters = _cost_parameters()
        if cost_indicators and parameters:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE cost_parameters_ "
                "(year VARCHAR, level VARCHAR, territory VARCHAR, annual_cost DOUBLE)"
            )
            con.executemany("INSERT INTO cost_parameters_ VALUES (?, ?, ?, ?)", parameters)
            for record in con.execute(_cost_query()).fetchall():
                period, territory, dimension, key, value, cases = record
                if wanted is not None and period not in wanted:
                    continue
                for indicator in cost_indicators:
                    yield IndicatorRow(
                        indicator.code,
                        period,
                        territory,
                        dimension,
                        key,
                        float(value),
                        int(cases),
                    )
    finally:
        con.execute(f"DROP {kind} IF EXISTS {_CASES}")


# --- Finality and storage ------------------------------------------------------------------


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def is_final(period: str, lag_months: int, today: dt.date) -> bool:
    """Whether ``period`` ("YYYY-MM" or "YYYY") ended at least ``lag_months`` months before
    the month of ``today``: its figure will not change any more, whatever is recorded late."""
    year = int(period[:4])
    end = _month_index(year, int(period[5:7])) + 1 if len(period) > 4 else _month_index(year + 1, 1)
    return _month_index(today.year, today.month) >= end + lag_months


def snapshot_fingerprint(manifest: dict[str, Any]) -> str:
    """A short stable digest of a snapshot's manifest (which snapshot a figure comes from)."""
    text = json.dumps(manifest, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class StoreReport:
    written: int
    #: (code, period) pairs left untouched because they were final and already stored.
    kept_final: int
    #: Rows received (written, or skipped with their kept pair).
    computed: int


def definitions_upsert(catalogue: Sequence[Indicator] = CATALOGUE) -> None:
    from etage.analytics.models import IndicatorDefinition

    # The stored copy (read by the evaluation report) is in the site's language, whoever's
    # request or command writes it.
    with translation.override(settings.LANGUAGE_CODE):
        for i in catalogue:
            IndicatorDefinition.objects.update_or_create(
                code=i.code,
                defaults={
                    "family": i.family,
                    "name": i.name,
                    "definition": i.definition,
                    "formula": i.formula,
                    "sources": list(i.sources),
                    "unit": i.unit_code,
                    "caveats": i.caveats,
                    "breakdowns": list(i.breakdowns),
                    "final_after_months": i.final_after_months,
                },
            )


#: The stored columns, in the order of the store's tuples.
_STORED = (
    "code",
    "period",
    "territory",
    "dimension",
    "key",
    "value",
    "cases",
    "computed_at",
    "snapshot",
)


def store_indicators(
    rows: Iterable[IndicatorRow],
    *,
    snapshot: str = "",
    today: dt.date | None = None,
    catalogue: Sequence[Indicator] = CATALOGUE,
) -> StoreReport:
    """Write ``rows`` in one transaction. Each (indicator, period) is replaced whole, except
    when the period is final for its indicator and figures of it are already stored: those
    stay as they are (the situations behind them may have been purged since).

    ``rows`` is consumed as it comes (:func:`iter_indicators`: millions of rows at national
    scale, never all held at once): a pair is decided on its first row, against what was
    stored before this call, and its old figures deleted just before its first new ones are
    inserted, so that its later rows, in later batches, are never deleted by it."""
    from etage.analytics.models import IndicatorValue

    today = today or timezone.localdate()
    lags = {i.code: i.final_after_months for i in catalogue}
    now = timezone.now()
    computed = written = 0
    with transaction.atomic():
        definitions_upsert(catalogue)
        # Every stored pair rather than those of the rows' codes: the rows are not known yet
        # (a few thousand pairs, read from the unique constraint's index).
        stored = set(IndicatorValue.objects.values_list("code", "period").distinct())
        kept: set[tuple[str, str]] = set()
        replaced: set[tuple[str, str]] = set()
        # Stored pairs being replaced whose old figures are not deleted yet: code → periods.
        stale: dict[str, list[str]] = {}
        batch: list[tuple[Any, ...]] = []
        copy = can_copy()

        def flush() -> None:
            nonlocal written
            for code, periods in stale.items():
                IndicatorValue.objects.filter(code=code, period__in=periods).delete()
            stale.clear()
            # A batch at a time: at national scale the rows are millions. PostgreSQL takes
            # them through COPY (several times faster than INSERT: the nightly rewrite of a
            # country's figures); elsewhere as instances.
            if copy:
                copy_rows(IndicatorValue, _STORED, batch)
            else:
                IndicatorValue.objects.bulk_create(
                    IndicatorValue(**dict(zip(_STORED, values, strict=True))) for values in batch
                )
            written += len(batch)
            batch.clear()

        for row in rows:
            computed += 1
            pair = (row.code, row.period)
            if pair not in replaced:
                if pair in kept:
                    continue
                if pair in stored and is_final(row.period, lags.get(row.code, 0), today):
                    kept.add(pair)
                    continue
                replaced.add(pair)
                if pair in stored:
                    stale.setdefault(row.code, []).append(row.period)
            batch.append(
                (
                    row.code,
                    row.period,
                    row.territory,
                    row.dimension,
                    row.key,
                    row.value,
                    row.cases,
                    now,
                    snapshot,
                )
            )
            if len(batch) >= STORE_BATCH:
                flush()
        flush()
    return StoreReport(written=written, kept_final=len(kept), computed=computed)


def refresh_indicators(directory: Path | None = None) -> tuple[int, int, int]:
    """Compute the catalogue over the snapshot in ``directory`` (settings by default) and
    store it, final periods kept: (rows computed, rows written, final (indicator, period)
    kept). What the nightly command and the demo run: the rows go from DuckDB to the
    database a batch at a time (bounded memory), in the store's one transaction."""
    from etage.analytics.store import connect, manifest

    fingerprint = snapshot_fingerprint(manifest(directory))
    con = connect(directory)
    rows = iter_indicators(con)
    try:
        report = store_indicators(rows, snapshot=fingerprint)
    finally:
        # Closed before the connection: closing drops the temporary table through it.
        rows.close()
        con.close()
    return report.computed, report.written, report.kept_final
