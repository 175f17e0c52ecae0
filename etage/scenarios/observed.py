"""Support durations observed by the platforms, as the scenarios' duration distributions
(issue 10: "durations drawn from the observed survival estimates of the analytics, not
invented constants").

For each support level, the Kaplan–Meier curve of the time from support start to closure,
read from the pseudonymised snapshot (:mod:`etage.analytics.store`): supports still running
are censored at the snapshot, so long supports are not under-counted as a plain mean of the
closed ones would. The curve becomes an :class:`~.params.EmpiricalDuration` in months.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from etage.analytics.survival import kaplan_meier
from etage.scenarios.params import DAYS_PER_MONTH, LEVELS, EmpiricalDuration

#: Fewer supports than this at a level make a curve too thin to simulate from.
MIN_SUPPORTS = 10


@dataclass(frozen=True)
class ObservedDuration:
    level: str
    supports: int
    closed: int
    duration: EmpiricalDuration
    median_months: float


def support_durations(
    con: Any, cases_sql: str = "", params: list[Any] | None = None
) -> dict[str, ObservedDuration]:
    """Per level, the observed curve of support durations (levels with fewer than
    :data:`MIN_SUPPORTS` supports are left out). ``cases_sql`` optionally restricts the
    cases (a ``SELECT case_id`` of the analytics scope or filters)."""
    where = f"AND case_id IN ({cases_sql})" if cases_sql else ""
    rows = con.execute(
        f"""
        SELECT level,
               coalesce(closed_day, observed_until_day) - support_started_day AS duration,
               closed_day IS NOT NULL AS closed
        FROM situations
        WHERE support_started_day IS NOT NULL AND level IS NOT NULL {where}
          AND coalesce(closed_day, observed_until_day) >= support_started_day
        """,  # noqa: S608 - the restriction is a query of the analytics scope
        params or [],
    ).fetchnumpy()
    levels = np.asarray(rows["level"], dtype=object)
    durations = np.asarray(rows["duration"], dtype=float)
    closed = np.asarray(rows["closed"], dtype=bool)
    result = {}
    for level in LEVELS:
        mask = levels == level
        if int(mask.sum()) < MIN_SUPPORTS:
            continue
        km = kaplan_meier(durations[mask], closed[mask])
        # Drop the curve's origin (t = 0, S = 1) and same-survival steps (censorings only):
        # the inverse transform needs strictly increasing times.
        times: list[float] = []
        survival: list[float] = []
        for t, s in zip(km.timeline.tolist(), km.survival.tolist(), strict=True):
            if t <= 0 or (survival and s == survival[-1]):
                continue
            times.append(t / DAYS_PER_MONTH)
            survival.append(float(s))
        if not times:
            continue
        result[level] = ObservedDuration(
            level=level,
            supports=int(mask.sum()),
            closed=int(closed[mask].sum()),
            duration=EmpiricalDuration(tuple(times), tuple(survival)),
            median_months=km.median / DAYS_PER_MONTH,
        )
    return result
