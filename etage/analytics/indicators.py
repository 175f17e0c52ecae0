"""Computing and storing the indicators of :mod:`.catalogue`.

:func:`compute_indicators` runs one DuckDB query per *base* (identified, closed, active,
reviews, meetings), each computing every indicator of that base for every period (month and
year), territory (each one and all together) and breakdown at once: the base rows are
unpivoted into (dimension, key) pairs and grouped by ``GROUPING SETS``, so the figures of a
cell never cost a query of their own. :func:`store_indicators` writes them as rows that
survive the purges: a period whose indicator is *final* (older than its lag) is never
overwritten once stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
from django.db import transaction
from django.utils import timezone

from etage.analytics.catalogue import (
    CATALOGUE,
    DIMENSION_COLUMNS,
    PLANS,
    SUMMONS,
    Indicator,
)


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    period: str
    territory: str
    dimension: str
    key: str
    value: float | None
    cases: int


def _in(values: Sequence[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


#: Per case: the procedure and pathway facts the outcome indicators look for.
_CASES_CTE = f"""
flags_ AS (
    SELECT case_id,
        bool_or(activity IN {_in(SUMMONS)}) AS ev_summons,
        bool_or(activity = 'protocol_signed') AS ev_protocol,
        bool_or(activity = 'new_lease_signed') AS ev_new_lease,
        bool_or(activity IN {_in(PLANS)}) AS ev_plan,
        bool_or(activity = 'amicable_plan_respected') AS ev_plan_respected,
        bool_or(activity = 'amicable_plan_broken') AS ev_plan_broken,
        bool_or(activity = 'rights_opened') AS ev_rights,
        bool_or(activity = 'care_referral') AS ev_care
    FROM events WHERE category = 'procedure' GROUP BY case_id
),
cases_ AS (
    SELECT s.*,
        coalesce(f.ev_summons, false) AS ev_summons,
        coalesce(f.ev_protocol, false) AS ev_protocol,
        coalesce(f.ev_new_lease, false) AS ev_new_lease,
        coalesce(f.ev_plan, false) AS ev_plan,
        coalesce(f.ev_plan_respected, false) AS ev_plan_respected,
        coalesce(f.ev_plan_broken, false) AS ev_plan_broken,
        coalesce(f.ev_rights, false) AS ev_rights,
        coalesce(f.ev_care, false) AS ev_care
    FROM situations s LEFT JOIN flags_ f USING (case_id)
)"""  # noqa: S608 - catalogue constants only

#: Calendar of the months and years the snapshot covers, for the "in support" base.
_CALENDAR_CTE = """
bounds_ AS (
    SELECT date_trunc('month', min(identified_at)::TIMESTAMP) AS lo,
        date_trunc('month', max(identified_at::TIMESTAMP
            + to_days(coalesce(observed_until_day, 0)))) + INTERVAL 1 MONTH AS hi
    FROM situations
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
    SELECT c.*, k.period FROM cases_ c JOIN calendar_ k
    ON c.support_started_day IS NOT NULL
    AND c.identified_at::TIMESTAMP + to_days(c.support_started_day) < k.p_end
    AND (c.closed_day IS NULL OR c.identified_at::TIMESTAMP + to_days(c.closed_day) >= k.p_start)
)"""

#: Base → (CTE producing its rows with a ``month_`` column, or a ``period`` one for active).
_BASES: dict[str, str] = {
    "identified": "SELECT *, identified_month AS month_ FROM cases_",
    "closed": "SELECT *, closed_month AS month_ FROM cases_ WHERE closed_month <> ''",
    "reviews": """
        SELECT c.*, e.month AS month_,
            e.day - coalesce(
                lag(e.day) OVER (PARTITION BY e.case_id ORDER BY e.timestamp, e.seq),
                c.support_started_day
            ) AS gap
        FROM events e JOIN cases_ c ON c.case_id = e.case_id
        WHERE e.category = 'review'""",
    "meetings": "SELECT *, held_month AS month_ FROM meetings WHERE status = 'held'",
    "active": "SELECT * FROM active_",
}


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


def _dimension_rows(source: str, dimensions: Iterable[str]) -> str:
    parts = []
    for dimension in dimensions:
        if dimension == "all":
            key = "'all'"
        elif dimension == "difficulty":
            key = f"unnest({DIMENSION_COLUMNS[dimension]})"
        else:
            key = DIMENSION_COLUMNS[dimension]
        parts.append(
            f"SELECT *, '{dimension}' AS dimension_, "  # noqa: S608 - catalogue constants
            f"coalesce(CAST({key} AS VARCHAR), '') AS key_ FROM {source}"
        )
    return "\nUNION ALL BY NAME\n".join(parts)


def _base_query(base: str, indicators: Sequence[Indicator]) -> str:
    dimensions = sorted({d for i in indicators for d in i.breakdowns}, key=str)
    if base == "active":
        periods = "SELECT * FROM base_"
    else:
        periods = (
            "SELECT *, month_ AS period FROM base_ "
            "UNION ALL BY NAME SELECT *, left(month_, 4) AS period FROM base_"
        )
    aggregates = ",\n".join(
        f"{value} AS v{n}, {cases} AS c{n}"
        for n, (value, cases) in enumerate(_aggregates(i) for i in indicators)
    )
    ctes = [_CASES_CTE]
    if base == "active":
        ctes.append(_CALENDAR_CTE)
    return f"""
WITH {",".join(ctes)},
base_ AS ({_BASES[base]}),
periods_ AS ({periods}),
dims_ AS ({_dimension_rows("periods_", dimensions)})
SELECT period,
    CASE WHEN grouping(territory) = 1 THEN '' ELSE territory END AS territory_,
    dimension_, key_,
    {aggregates}
FROM dims_
GROUP BY GROUPING SETS ((period, dimension_, key_), (period, territory, dimension_, key_))
"""  # noqa: S608 - built from the catalogue's constants, no user input


def _cost_query() -> str:
    return f"""
WITH {_CASES_CTE}, {_CALENDAR_CTE},
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


def compute_indicators(
    con: duckdb.DuckDBPyConnection,
    *,
    periods: Iterable[str] | None = None,
    costs: Iterable[tuple[str, str, str, float]] | None = None,
    catalogue: Sequence[Indicator] = CATALOGUE,
) -> list[IndicatorRow]:
    """Every figure of ``catalogue`` over the snapshot behind ``con`` (restricted to
    ``periods``, "YYYY-MM" or "YYYY", when given). ``costs``: (year, level, territory,
    annual cost) rows; by default the stored :class:`~.models.CostParameter` rows."""
    wanted = set(periods) if periods is not None else None
    rows: list[IndicatorRow] = []
    by_base: dict[str, list[Indicator]] = {}
    for indicator in catalogue:
        if indicator.kind != "cost":
            by_base.setdefault(indicator.base, []).append(indicator)
    for base, indicators in by_base.items():
        for record in con.execute(_base_query(base, indicators)).fetchall():
            period, territory, dimension, key = record[:4]
            for n, indicator in enumerate(indicators):
                value, cases = record[4 + 2 * n], record[5 + 2 * n]
                if not cases or dimension not in indicator.breakdowns:
                    continue
                if indicator.yearly_only and len(period) != 4:
                    continue
                rows.append(
                    IndicatorRow(
                        indicator.code,
                        period,
                        territory,
                        dimension,
                        key,
                        None if value is None else float(value),
                        int(cases),
                    )
                )
    cost_indicators = [i for i in catalogue if i.kind == "cost"]
    if cost_indicators:
        parameters = list(costs) if costs is not None else _cost_parameters()
        if parameters:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE cost_parameters_ "
                "(year VARCHAR, level VARCHAR, territory VARCHAR, annual_cost DOUBLE)"
            )
            con.executemany("INSERT INTO cost_parameters_ VALUES (?, ?, ?, ?)", parameters)
            for record in con.execute(_cost_query()).fetchall():
                period, territory, dimension, key, value, cases = record
                for indicator in cost_indicators:
                    rows.append(
                        IndicatorRow(
                            indicator.code,
                            period,
                            territory,
                            dimension,
                            key,
                            float(value),
                            int(cases),
                        )
                    )
    if wanted is not None:
        rows = [row for row in rows if row.period in wanted]
    return rows


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


def definitions_upsert(catalogue: Sequence[Indicator] = CATALOGUE) -> None:
    from etage.analytics.models import IndicatorDefinition

    for i in catalogue:
        IndicatorDefinition.objects.update_or_create(
            code=i.code,
            defaults={
                "family": i.family,
                "name": i.name,
                "definition": i.definition,
                "formula": i.formula,
                "sources": list(i.sources),
                "unit": i.unit,
                "caveats": i.caveats,
                "breakdowns": list(i.breakdowns),
                "final_after_months": i.final_after_months,
            },
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
    stay as they are (the situations behind them may have been purged since)."""
    from etage.analytics.models import IndicatorValue

    today = today or timezone.localdate()
    lags = {i.code: i.final_after_months for i in catalogue}
    grouped: dict[tuple[str, str], list[IndicatorRow]] = {}
    for row in rows:
        grouped.setdefault((row.code, row.period), []).append(row)
    now = timezone.now()
    with transaction.atomic():
        definitions_upsert(catalogue)
        stored = set(
            IndicatorValue.objects.filter(code__in=list({c for c, _ in grouped}))
            .values_list("code", "period")
            .distinct()
        )
        kept = {
            pair
            for pair in grouped
            if pair in stored and is_final(pair[1], lags.get(pair[0], 0), today)
        }
        replaced = [pair for pair in grouped if pair not in kept]
        for code in {c for c, _ in replaced}:
            IndicatorValue.objects.filter(
                code=code, period__in=[p for c, p in replaced if c == code]
            ).delete()
        values = [
            IndicatorValue(
                code=row.code,
                period=row.period,
                territory=row.territory,
                dimension=row.dimension,
                key=row.key,
                value=row.value,
                cases=row.cases,
                computed_at=now,
                snapshot=snapshot,
            )
            for pair in replaced
            for row in grouped[pair]
        ]
        IndicatorValue.objects.bulk_create(values, batch_size=2000)
    return StoreReport(written=len(values), kept_final=len(kept))
