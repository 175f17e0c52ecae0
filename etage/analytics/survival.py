"""Survival analysis of the pathway (issue 8; evaluation.md part A "Survival analysis").

The estimators are written here on numpy/scipy so that the product does not depend on
lifelines; the tests hold them to lifelines' figures to 1e-9 (lifelines is a test-only
dependency). What they compute, and where they knowingly differ from lifelines:

- :func:`kaplan_meier`: the product-limit estimate with lifelines' event table (a row at 0
  and one per distinct duration; an event and a censoring at the same time: the censored
  subject is still at risk at that time), Greenwood variance and the exponential-Greenwood
  ("log(-log)") interval, undefined bounds set to 1 where S = 1 as lifelines does. The median
  is the first time S <= 0.5 (``math.inf`` when the curve never gets there), read like
  lifelines on the floating-point curve: a curve at exactly one half in exact arithmetic (4
  events out of 8) may sit 1e-16 above it, and the median is then the next time.
- :func:`aalen_johansen`: the cumulative incidence of one cause with competing causes,
  F_k(t) = sum over t_j <= t of S(t_j-) d_kj / n_j, and the variance lifelines uses (Collett,
  delta method on log(-log)). Differences: lifelines jitters times tied between different
  causes, which the estimator does not need (the formula above handles ties exactly);
  lifelines forces the incidence at time 0 to 0, losing events of duration 0 (a same-day
  closure), which is kept here; bounds lifelines leaves undefined (F = 0 or 1) are F itself,
  and the last row where every remaining subject has the event gets its finite variance
  (the undefined term there is multiplied by zero).
- :func:`logrank`: the k-group log-rank test of ``multivariate_logrank_test``.

Then the data access over the snapshot (:data:`ENDPOINTS`, :func:`time_to`,
:func:`closure_outcomes`), which reads only the ``situations`` view.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from django.utils.translation import gettext as _
from numpy.typing import ArrayLike, NDArray
from scipy import stats

if TYPE_CHECKING:
    import duckdb

    from etage.analytics.filters import Filters

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class KaplanMeier:
    """Survival curve, one entry per time of ``timeline`` (0 and every distinct duration)."""

    timeline: FloatArray
    survival: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    at_risk: IntArray  # subjects at risk just before each time
    events: IntArray  # events at each time
    censored: IntArray  # censorings at each time
    median: float  # math.inf when the curve never reaches 0.5
    alpha: float

    @property
    def subjects(self) -> int:
        return int(self.at_risk[0]) if len(self.at_risk) else 0

    def survival_at(self, times: ArrayLike) -> FloatArray:
        """The right-continuous step function at arbitrary times (1 before the timeline)."""
        t = np.atleast_1d(np.asarray(times, dtype=float))
        idx = np.searchsorted(self.timeline, t, side="right") - 1
        out = np.ones(t.shape, dtype=float)
        inside = idx >= 0
        out[inside] = self.survival[idx[inside]]
        return out


@dataclass(frozen=True, eq=False)
class CumulativeIncidence:
    """Cumulative incidence of ``cause`` in presence of competing causes."""

    cause: int
    timeline: FloatArray
    incidence: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    variance: FloatArray
    at_risk: IntArray
    events: IntArray  # events of ``cause`` at each time
    competing: IntArray  # events of any other cause at each time
    censored: IntArray
    alpha: float


@dataclass(frozen=True)
class LogRank:
    statistic: float
    degrees_of_freedom: int
    p_value: float
    groups: tuple[str, ...]


@dataclass(frozen=True)
class _Table:
    timeline: FloatArray
    at_risk: IntArray
    removed: IntArray
    index: IntArray  # row of each subject


def _durations(durations: ArrayLike) -> FloatArray:
    t = np.asarray(durations, dtype=float).reshape(-1)
    if not np.all(np.isfinite(t)):
        raise ValueError("durations must be finite")
    if np.any(t < 0):
        raise ValueError("durations must be non-negative")
    return t


def _table(t: FloatArray) -> _Table:
    # lifelines starts the table at min(0, min duration): with non-negative durations, at 0.
    timeline = np.unique(np.concatenate(([0.0], t)))
    index = np.searchsorted(timeline, t).astype(np.int64)
    removed = np.bincount(index, minlength=len(timeline)).astype(np.int64)
    before = np.concatenate(([0], np.cumsum(removed)[:-1]))
    return _Table(timeline, (len(t) - before).astype(np.int64), removed, index)


def _count(table: _Table, mask: NDArray[np.bool_]) -> IntArray:
    return np.bincount(table.index[mask], minlength=len(table.timeline)).astype(np.int64)


def _z(alpha: float) -> float:
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
    return float(stats.norm.ppf(1 - alpha / 2))


def _product_limit(at_risk: IntArray, events: IntArray) -> tuple[FloatArray, FloatArray]:
    """log S and Greenwood's cumulative sum, both per row."""
    n = at_risk.astype(float)
    d = events.astype(float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_s = np.cumsum(np.log(n - d) - np.log(n))
        terms = d / (n * (n - d))
    # n == d: the curve drops to 0 and Greenwood's term is infinite; lifelines counts it as 0.
    terms[~np.isfinite(terms)] = 0.0
    return log_s, np.cumsum(terms)


def kaplan_meier(durations: ArrayLike, observed: ArrayLike, *, alpha: float = 0.05) -> KaplanMeier:
    t = _durations(durations)
    e = np.asarray(observed).reshape(-1).astype(bool)
    if len(e) != len(t):
        raise ValueError("durations and observed must have the same length")
    z = _z(alpha)
    if len(t) == 0:
        one = np.ones(1)
        zero = np.zeros(1, dtype=np.int64)
        return KaplanMeier(np.zeros(1), one, one, one.copy(), zero, zero, zero, math.inf, alpha)
    table = _table(t)
    events = _count(table, e)
    log_s, greenwood = _product_limit(table.at_risk, events)
    survival = np.exp(log_s)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        spread = z * np.sqrt(greenwood) / log_s
        lower = np.exp(-np.exp(np.log(-log_s) - spread))
        upper = np.exp(-np.exp(np.log(-log_s) + spread))
    # S = 1 (no event yet) gives 0/0: the interval collapses to 1, as in lifelines.
    lower[np.isnan(lower)] = 1.0
    upper[np.isnan(upper)] = 1.0
    below = np.flatnonzero(survival <= 0.5)
    median = float(table.timeline[below[0]]) if len(below) else math.inf
    return KaplanMeier(
        timeline=table.timeline,
        survival=survival,
        ci_lower=lower,
        ci_upper=upper,
        at_risk=table.at_risk,
        events=events,
        censored=table.removed - events,
        median=median,
        alpha=alpha,
    )


def at_risk_table(km: KaplanMeier, at: Sequence[float]) -> list[tuple[float, int, int, int]]:
    """(time, still at risk, events so far, censored so far) at each time of ``at``: the rows
    lifelines prints under a plot (``add_at_risk_counts``). Before the first time of the
    timeline everyone is at risk (lifelines prints zeros there; no pathway time is negative).
    """
    removed_so_far = np.cumsum(km.events + km.censored)
    events_so_far = np.cumsum(km.events)
    censored_so_far = np.cumsum(km.censored)
    rows = []
    for time in at:
        i = int(np.searchsorted(km.timeline, time, side="right")) - 1
        if i < 0:
            rows.append((float(time), km.subjects, 0, 0))
            continue
        rows.append(
            (
                float(time),
                km.subjects - int(removed_so_far[i]),
                int(events_so_far[i]),
                int(censored_so_far[i]),
            )
        )
    return rows


def aalen_johansen(
    durations: ArrayLike, causes: ArrayLike, cause: int, *, alpha: float = 0.05
) -> CumulativeIncidence:
    t = _durations(durations)
    c = np.asarray(causes).reshape(-1).astype(np.int64)
    if len(c) != len(t):
        raise ValueError("durations and causes must have the same length")
    if np.any(c < 0):
        raise ValueError("causes are 0 (censored) or positive codes")
    z = _z(alpha)
    if len(t) == 0:
        zero_f = np.zeros(1)
        zero = np.zeros(1, dtype=np.int64)
        return CumulativeIncidence(
            cause, zero_f, zero_f, zero_f, zero_f, zero_f, zero, zero, zero, zero, alpha
        )
    table = _table(t)
    events = _count(table, c != 0)
    own = _count(table, c == cause)
    log_s, _greenwood = _product_limit(table.at_risk, events)
    lag_s = np.concatenate(([1.0], np.exp(log_s)[:-1]))
    n = table.at_risk.astype(float)
    d = events.astype(float)
    dk = own.astype(float)
    incidence = np.cumsum(lag_s * dk / n)

    # Var F(t) = sum_j (F(t) - F_j)^2 a_j + sum_j S_{j-1}^2 dk_j (n_j - dk_j) / n_j^3
    #            - 2 sum_j (F(t) - F_j) S_{j-1} dk_j / n_j^2, over t_j <= t, expanded in F(t)
    # so that every row is a cumulative sum.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        a = d / n / (n - d)
    a[~np.isfinite(a)] = 0.0  # n == d only on the last row, where F(t) - F_j = 0
    first = (
        np.cumsum(a * incidence**2)
        - np.cumsum(2 * a * incidence) * incidence
        + np.cumsum(a) * incidence**2
    )
    second = np.cumsum(lag_s**2 * dk * (n - dk) / n**3)
    b = lag_s * dk / n**2
    third = -np.cumsum(b * incidence) + np.cumsum(b) * incidence
    variance = first + second - 2 * third
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        transformed = np.log(-np.log(incidence))
        se = np.sqrt(variance) / (incidence * np.abs(np.log(incidence)))
        lower = np.exp(-np.exp(transformed + z * se))
        upper = np.exp(-np.exp(transformed - z * se))
    undefined = ~(np.isfinite(lower) & np.isfinite(upper))
    lower[undefined] = incidence[undefined]
    upper[undefined] = incidence[undefined]
    return CumulativeIncidence(
        cause=cause,
        timeline=table.timeline,
        incidence=incidence,
        ci_lower=lower,
        ci_upper=upper,
        variance=variance,
        at_risk=table.at_risk,
        events=own,
        competing=events - own,
        censored=table.removed - events,
        alpha=alpha,
    )


def logrank(durations: ArrayLike, observed: ArrayLike, groups: ArrayLike) -> LogRank:
    """The k-group log-rank test (chi-squared with k - 1 degrees of freedom)."""
    t = _durations(durations)
    e = np.asarray(observed).reshape(-1).astype(bool)
    g = np.asarray(groups).reshape(-1)
    if not len(t) == len(e) == len(g):
        raise ValueError("durations, observed and groups must have the same length")
    labels, group_index = np.unique(g, return_inverse=True)
    k = len(labels)
    if k < 2:
        raise ValueError("the log-rank test needs at least two groups")
    timeline, row = np.unique(t, return_inverse=True)
    m = len(timeline)
    removed = np.zeros((m, k))
    died = np.zeros((m, k))
    np.add.at(removed, (row, group_index), 1.0)
    np.add.at(died, (row, group_index), e.astype(float))
    n_ij = removed.sum(0) - np.vstack((np.zeros((1, k)), np.cumsum(removed, 0)[:-1]))
    n_i = n_ij.sum(1)
    d_i = died.sum(1)
    expected = n_ij * (d_i / n_i)[:, None]
    z_j = died.sum(0) - expected.sum(0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = (n_i - d_i) / (n_i - 1)
    ratio[~np.isfinite(ratio)] = 1.0  # n_i == 1: its term is zero anyway
    factor = ratio * d_i / n_i**2
    # Hypergeometric covariance: V_jl = sum_i f_i n_ij (n_i [j == l] - n_il).
    weighted = n_ij * factor[:, None]
    covariance = -(n_ij.T @ weighted)
    covariance[np.diag_indices(k)] += weighted.T @ n_i
    reduced = covariance[:-1, :-1]
    statistic = float(z_j[:-1] @ np.linalg.pinv(reduced) @ z_j[:-1])
    return LogRank(
        statistic=statistic,
        degrees_of_freedom=k - 1,
        p_value=float(stats.chi2.sf(statistic, k - 1)),
        groups=tuple(str(x) for x in labels),
    )


# -- Data access over the snapshot -------------------------------------------------------

#: Endpoint -> column of ``situations`` holding the day (since identification) it was reached.
ENDPOINTS: dict[str, str] = {
    "first_contact": "first_contact_day",
    "orientation": "oriented_day",
    "support_start": "support_started_day",
    "closure": "closed_day",
}


def endpoint_labels() -> dict[str, str]:
    return {
        "first_contact": _("Time to first contact"),
        "orientation": _("Time to orientation"),
        "support_start": _("Time to support start"),
        "closure": _("Time to closure"),
    }


#: Situation columns a survival curve may be split by (closed list: they go into SQL).
GROUP_COLUMNS = frozenset(
    {
        "level",
        "territory",
        "landlord",
        "network_profile",
        "entry_stage",
        "source",
        "urgency",
        "referent_kind",
        "identified_month",
    }
)

ALL = "all"  # the key of :func:`time_to` without ``group_by``


def scope_where(filters: Filters | None) -> tuple[str, list[Any]]:
    """A WHERE clause restricting ``situations`` to the filtered cases."""
    if filters is None:
        return "TRUE", []
    from etage.analytics.filters import case_ids_sql

    sql, params = case_ids_sql(filters)
    return f"case_id IN ({sql})", list(params)


def time_to(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None,
    endpoint: str,
    *,
    group_by: str | None = None,
) -> dict[str, tuple[FloatArray, NDArray[np.bool_]]]:
    """(durations in days, observed) per group for a survival curve of ``endpoint``.

    A case that reached the endpoint is an event at that day. One that did not is censored:
    at the day it closed, if it closed before reaching the endpoint (it left the risk set:
    a closure without orientation is censored for the time to orientation, so the curve is
    the cause-specific one and the competing exits are read on :func:`closure_outcomes`),
    otherwise at the snapshot (``observed_until_day``). Cases with a negative interval (a
    date before identification: a data-quality error the quality panel lists) are left out.
    Groups are the values of ``group_by`` ("" for a missing value), or :data:`ALL`.
    """
    column = ENDPOINTS[endpoint]
    if group_by is not None and group_by not in GROUP_COLUMNS:
        raise ValueError(f"cannot group survival curves by {group_by!r}")
    where, params = scope_where(filters)
    group = f"coalesce(CAST({group_by} AS VARCHAR), '')" if group_by else f"'{ALL}'"
    sql = f"""
        WITH s AS (
            SELECT {group} AS grp,
                   {column} AS reached,
                   closed_day,
                   observed_until_day
            FROM situations
            WHERE ({where})
        ), d AS (
            SELECT grp,
                   CASE
                       WHEN reached IS NOT NULL THEN reached
                       WHEN closed_day IS NOT NULL THEN closed_day
                       ELSE observed_until_day
                   END AS duration,
                   reached IS NOT NULL AS observed
            FROM s
        )
        SELECT grp, duration, observed FROM d
        WHERE duration IS NOT NULL AND duration >= 0
        ORDER BY grp
    """  # noqa: S608 - column names come from closed lists, values are parameters
    rows = con.execute(sql, params).fetchnumpy()
    groups = np.asarray(rows["grp"], dtype=object)
    durations = np.asarray(rows["duration"], dtype=float)
    observed = np.asarray(rows["observed"], dtype=bool)
    result: dict[str, tuple[FloatArray, NDArray[np.bool_]]] = {}
    for name in dict.fromkeys(groups.tolist()):
        mask = groups == name
        result[str(name)] = (durations[mask], observed[mask])
    return result


#: Outcome family codes for competing risks; 0 = still open (censored).
OUTCOME_FAMILIES: dict[str, int] = {
    "housed_no_procedure": 1,
    "housed_after_procedure": 1,
    "rehoused": 2,
    "mainstream": 3,
    "left": 4,
    "evicted": 5,
    "refused": 6,
    "other": 7,
}
OTHER_FAMILY = 7  # a closure without a recorded outcome counts here


def outcome_family_labels() -> dict[int, str]:
    return {
        0: _("Still open"),
        1: _("Kept housed"),
        2: _("Rehoused / transfer"),
        3: _("Handed to mainstream services"),
        4: _("Left voluntarily"),
        5: _("Evicted"),
        6: _("Refused / dropped out"),
        7: _("Deceased / other"),
    }


def closure_outcomes(
    con: duckdb.DuckDBPyConnection, filters: Filters | None
) -> tuple[FloatArray, IntArray, dict[int, str]]:
    """(durations, causes, labels) for the cumulative incidence of the closure outcomes:
    duration is the day of closure, or ``observed_until_day`` for a case still open (cause
    0, censored); causes are the :data:`OUTCOME_FAMILIES` codes; labels map code -> French
    label (0 included)."""
    where, params = scope_where(filters)
    sql = f"""
        SELECT CASE WHEN closed_day IS NULL THEN observed_until_day ELSE closed_day END
                   AS duration,
               closed_day IS NOT NULL AS closed,
               coalesce(outcome, '') AS outcome
        FROM situations
        WHERE ({where})
          AND coalesce(closed_day, observed_until_day) IS NOT NULL
          AND coalesce(closed_day, observed_until_day) >= 0
    """  # noqa: S608 - the scope is built from parameters
    rows = con.execute(sql, params).fetchnumpy()
    durations = np.asarray(rows["duration"], dtype=float)
    closed = np.asarray(rows["closed"], dtype=bool)
    outcomes = np.asarray(rows["outcome"], dtype=object)
    codes = np.array([OUTCOME_FAMILIES.get(str(o), OTHER_FAMILY) for o in outcomes], dtype=int)
    causes = np.where(closed, codes, 0).astype(np.int64)
    return durations, causes, outcome_family_labels()
