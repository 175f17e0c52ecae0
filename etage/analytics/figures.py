"""The figures of the evaluator's analytics pages, as plain data (numbers, codes and French
labels), so that a page and ``manage.py etage_analyse … --json`` print the very same figures:
both call these functions with the same :class:`Filters` and render or dump what they return.
"""

from __future__ import annotations

import math
from typing import Any

import duckdb
import numpy as np
from django.utils.translation import gettext as _

from etage.analytics import process, survival
from etage.analytics.filters import Filters, case_ids_sql
from etage.analytics.forms import activity_label, level_label

#: Times of the at-risk table under a survival curve (days since identification).
AT_RISK_DAYS = (0, 30, 60, 90, 180, 270, 365, 545, 730, 1095)
GROUPS = ("level", "territory")
METRICS = ("frequency", "median", "mean", "p90")
#: Where the map's sliders start (percent): the most frequent activities and successions,
#: as process-mining tools open a map, so that it can be read before it is widened.
DEFAULT_SLIDERS = {"activities": 40, "paths": 30}


def number(value: Any) -> float | None:
    """A float for JSON: ``None`` for NaN and infinity (a median never reached)."""
    result = float(value)
    return result if math.isfinite(result) else None


def case_count(con: duckdb.DuckDBPyConnection, filters: Filters) -> int:
    sql, params = case_ids_sql(filters)
    row = con.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()  # noqa: S608
    return int(row[0]) if row else 0


def share(value: Any, default: float = 1.0) -> float:
    """A slider's percentage (5–100) as a share in (0, 1]; anything else is the default."""
    try:
        pct = int(str(value))
    except (TypeError, ValueError):
        return default
    return min(100, max(5, pct)) / 100 if pct > 0 else default


def dfg(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    activity_share: float = 1.0,
    path_share: float = 1.0,
) -> dict[str, Any]:
    """The process map: activities and directly-follows edges with their durations in days."""
    pm = process.process_map(con, filters, activity_share=activity_share, path_share=path_share)
    return {
        "cases": pm.cases,
        "events": pm.events,
        "activity_share": activity_share,
        "path_share": path_share,
        "total_activities": pm.total_activities,
        "total_edges": pm.total_edges,
        "activities": [
            {
                "activity": a.activity,
                "label": activity_label(a.activity),
                "count": a.count,
                "cases": a.cases,
                "starts": a.starts,
                "ends": a.ends,
                "position": number(a.position),
            }
            for a in pm.activities
        ],
        "edges": [
            {
                "source": e.source,
                "target": e.target,
                "source_label": activity_label(e.source),
                "target_label": activity_label(e.target),
                "count": e.count,
                "mean_days": number(e.mean_days),
                "median_days": number(e.median_days),
                "p75_days": number(e.p75_days),
                "p90_days": number(e.p90_days),
            }
            for e in pm.edges
        ],
        "starts": dict(pm.starts),
        "ends": dict(pm.ends),
    }


def variants(
    con: duckdb.DuckDBPyConnection, filters: Filters, *, coverage: float = 1.0
) -> dict[str, Any]:
    """Variants by frequency, the most frequent ones until ``coverage`` of the cases."""
    found = process.variants(con, filters)
    shown = []
    for variant in found:
        shown.append(variant)
        if variant.cumulative_share >= coverage - 1e-9:
            break
    return {
        "cases": sum(v.cases for v in found),
        "total": len(found),
        "coverage": coverage,
        "variants": [
            {
                "id": v.id,
                "activities": list(v.activities),
                "labels": [activity_label(a) for a in v.activities],
                "cases": v.cases,
                "share": number(v.share),
                "cumulative_share": number(v.cumulative_share),
                "median_days": number(v.median_days),
            }
            for v in shown
        ],
    }


def _group_label(group_by: str | None, value: str) -> str:
    if group_by is None:
        return _("All situations")
    if group_by == "level":
        return level_label(value)
    return value or _("(empty)")


def survival_curves(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    endpoint: str,
    *,
    group_by: str | None = None,
) -> dict[str, Any]:
    """Kaplan–Meier curves of ``endpoint`` (per group), their at-risk tables, the log-rank
    test between groups, and the cumulative incidence of the closure outcomes."""
    groups = survival.time_to(con, filters, endpoint, group_by=group_by)
    curves = []
    for name, (durations, observed) in sorted(groups.items()):
        if len(durations) == 0:
            continue
        km = survival.kaplan_meier(durations, observed)
        last = float(km.timeline[-1]) if len(km.timeline) else 0.0
        at = [d for d in AT_RISK_DAYS if d <= last] or [0]
        curves.append(
            {
                "group": name,
                "label": _group_label(group_by, name),
                "subjects": km.subjects,
                "events": int(np.sum(km.events)),
                "censored": int(np.sum(km.censored)),
                "median_days": number(km.median),
                "curve": [
                    {
                        "day": number(t),
                        "survival": number(s),
                        "ci_lower": number(lo),
                        "ci_upper": number(hi),
                        "at_risk": int(n),
                        "events": int(e),
                        "censored": int(c),
                    }
                    for t, s, lo, hi, n, e, c in zip(
                        km.timeline,
                        km.survival,
                        km.ci_lower,
                        km.ci_upper,
                        km.at_risk,
                        km.events,
                        km.censored,
                        strict=True,
                    )
                ],
                "at_risk": [
                    {"day": number(t), "at_risk": n, "events": e, "censored": c}
                    for t, n, e, c in survival.at_risk_table(km, at)
                ],
            }
        )
    test = None
    if group_by is not None and len(curves) >= 2:
        names: list[str] = [str(c["group"]) for c in curves]
        durations = np.concatenate([groups[n][0] for n in names])
        observed = np.concatenate([groups[n][1] for n in names])
        labels = np.array([n for n in names for _i in range(len(groups[n][0]))], dtype=object)
        result = survival.logrank(durations, observed, labels)
        test = {
            "statistic": number(result.statistic),
            "degrees_of_freedom": result.degrees_of_freedom,
            "p_value": number(result.p_value),
        }
    return {
        "endpoint": endpoint,
        "label": survival.endpoint_labels()[endpoint],
        "group_by": group_by,
        "groups": curves,
        "logrank": test,
        "incidence": closure_incidence(con, filters),
    }


def closure_incidence(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[dict[str, Any]]:
    """Cumulative incidence of each closure outcome family (Aalen–Johansen), competing."""
    durations, causes, labels = survival.closure_outcomes(con, filters)
    out = []
    for cause in sorted({int(c) for c in causes} - {0}):
        ci = survival.aalen_johansen(durations, causes, cause)
        out.append(
            {
                "cause": cause,
                "label": labels[cause],
                "cases": int(np.sum(causes == cause)),
                "final": number(ci.incidence[-1]) if len(ci.incidence) else None,
                "curve": [
                    {
                        "day": number(t),
                        "incidence": number(f),
                        "ci_lower": number(lo),
                        "ci_upper": number(hi),
                    }
                    for t, f, lo, hi in zip(
                        ci.timeline, ci.incidence, ci.ci_lower, ci.ci_upper, strict=True
                    )
                ],
            }
        )
    return out


def indicators(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """The indicator catalogue's rows (part D's computation) for the filters' territories and
    period; the other filters do not apply: indicators always cover every situation."""
    from etage.analytics.indicators import iter_indicators

    kept = []
    # Filtered as they come: only the kept rows are held.
    for row in iter_indicators(con):
        if filters.territories and row.territory not in filters.territories:
            continue
        month = row.period[:7]
        if filters.period_from and month < filters.period_from[: len(month)]:
            continue
        if filters.period_to and month > filters.period_to[: len(month)]:
            continue
        kept.append(
            {
                "code": row.code,
                "period": row.period,
                "territory": row.territory,
                "dimension": row.dimension,
                "key": row.key,
                "value": None if row.value is None else number(row.value),
                "cases": row.cases,
            }
        )
    return {"rows": kept}
