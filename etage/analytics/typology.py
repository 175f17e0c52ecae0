"""Pathway typology (issue 8; evaluation.md part A "Trajectory typology").

Each case becomes the sequence of its pathway and procedure activities (in ``(timestamp,
seq)`` order, the first ``max_length`` of them). Sequences are compared by **optimal
matching**: the cheapest edit turning one into the other with insertions and deletions
(``indel``, 1 by default) and substitutions (``substitution``, 2 by default, TraMineR's usual
constant cost). The cases of a seeded sample are then clustered hierarchically (Ward on the
distance matrix, or average linkage), the number of types chosen by the mean silhouette
between 2 and 8 unless given. Each type is described by its size, its medoid (the member
nearest to all others: a real pathway, not an average), its outcomes at closure and the
median time to closure (Kaplan–Meier, so open cases count as censored).

Cost: the dynamic programme runs once per pair of *distinct* sequences (many cases share a
pathway), each row of it vectorised with numpy and all the pairs of one sequence at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from django.utils.translation import gettext as _
from numpy.typing import NDArray
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform

from etage.analytics import survival

if TYPE_CHECKING:
    import duckdb

    from etage.analytics.filters import Filters

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

SEQUENCE_CATEGORIES = ("pathway", "procedure")
DEFAULT_MAX_LENGTH = 30
DEFAULT_SAMPLE = 2000
K_RANGE = range(2, 9)
METHODS = ("ward", "average")
_PAD = -1


def om_distance(
    a: Sequence[int], b: Sequence[int], *, indel: float = 1.0, substitution: float = 2.0
) -> float:
    """Optimal-matching distance between two coded sequences."""
    others = np.full((1, max(len(b), 1)), _PAD, dtype=np.int64)
    others[0, : len(b)] = b
    return float(
        _distances_to(
            np.asarray(a, dtype=np.int64), others, np.array([len(b)]), indel, substitution
        )[0]
    )


def _distances_to(
    a: IntArray, others: IntArray, lengths: IntArray, indel: float, substitution: float
) -> FloatArray:
    """Distances from ``a`` to every row of ``others`` (padded), one DP row at a time.

    Row i of the programme is d[i][j] = min(c_j, d[i][j-1] + indel) with c_j the best of a
    deletion and a (mis)match; unrolled, d[i][j] = j*indel + min over k <= j of
    (c_k - k*indel): a running minimum, so a whole row is a few array operations.
    """
    n, width = others.shape
    # Whole costs (the default) run in int32: exact and about twice as fast as floats.
    integral = float(indel).is_integer() and float(substitution).is_integer()
    dtype: type[np.generic] = np.int32 if integral else np.float64
    ins = dtype(indel)
    sub = dtype(substitution)
    steps = np.arange(width + 1, dtype=dtype) * ins
    previous = np.broadcast_to(steps, (n, width + 1)).copy()
    candidate = np.empty_like(previous)
    for i, symbol in enumerate(a, start=1):
        mismatch = (others != symbol).astype(dtype) * sub
        candidate[:, 0] = i * indel
        np.minimum(previous[:, 1:] + ins, previous[:, :-1] + mismatch, out=candidate[:, 1:])
        previous = np.minimum.accumulate(candidate - steps, axis=1) + steps
    return previous[np.arange(n), lengths].astype(np.float64)


def distance_matrix(
    sequences: Sequence[Sequence[int]], *, indel: float = 1.0, substitution: float = 2.0
) -> FloatArray:
    """Square matrix of optimal-matching distances between coded sequences."""
    if indel <= 0 or substitution < 0:
        raise ValueError("indel costs must be positive and substitution costs non-negative")
    distinct: dict[tuple[int, ...], int] = {}
    inverse = np.array(
        [distinct.setdefault(tuple(s), len(distinct)) for s in sequences], dtype=np.int64
    )
    unique = list(distinct)
    # Longest first: every later sequence fits in the width of the current one.
    order = sorted(range(len(unique)), key=lambda i: -len(unique[i]))
    lengths = np.array([len(unique[i]) for i in order], dtype=np.int64)
    width = max(int(lengths.max(initial=0)), 1)
    padded = np.full((len(unique), width), _PAD, dtype=np.int64)
    for row, i in enumerate(order):
        padded[row, : lengths[row]] = unique[i]
    sorted_d = np.zeros((len(unique), len(unique)))
    for row in range(len(unique) - 1):
        rest = slice(row + 1, None)
        w = max(int(lengths[row + 1]), 1)
        d = _distances_to(
            padded[row, : lengths[row]], padded[rest, :w], lengths[rest], indel, substitution
        )
        sorted_d[row, rest] = d
        sorted_d[rest, row] = d
    position = np.empty(len(unique), dtype=np.int64)
    position[np.array(order, dtype=np.int64)] = np.arange(len(unique))
    p = position[inverse]
    return sorted_d[np.ix_(p, p)]


def silhouette(distances: FloatArray, labels: IntArray) -> float:
    """Mean silhouette width (a lone member of its cluster scores 0, as in scikit-learn)."""
    clusters, index = np.unique(labels, return_inverse=True)
    if not 1 < len(clusters) < len(labels):
        raise ValueError("the silhouette needs between 2 and n - 1 clusters")
    onehot = np.zeros((len(labels), len(clusters)))
    onehot[np.arange(len(labels)), index] = 1.0
    sizes = onehot.sum(0)
    sums = distances @ onehot
    own_size = sizes[index] - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        a = sums[np.arange(len(labels)), index] / own_size
        means = sums / sizes
    means[np.arange(len(labels)), index] = np.inf
    b = means.min(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = (b - a) / np.maximum(a, b)
    s[(own_size == 0) | ~np.isfinite(s)] = 0.0
    return float(s.mean())


def cluster(
    distances: FloatArray, *, k: int | None = None, method: str = "ward"
) -> tuple[IntArray, float | None]:
    """Cluster labels 0..k-1 (largest cluster first) and the mean silhouette (None if one
    cluster). ``k=None`` picks the k of 2..8 with the best silhouette, the smaller on a tie."""
    if method not in METHODS:
        raise ValueError(f"unknown linkage method {method!r}")
    n = len(distances)
    if n < 3 or not np.any(distances > 0):
        return np.zeros(n, dtype=np.int64), None
    tree = hierarchy.linkage(squareform(distances, checks=False), method=method)
    candidates = [k] if k is not None else [c for c in K_RANGE if c < n]
    best: tuple[float, IntArray] | None = None
    for c in candidates:
        labels = hierarchy.fcluster(tree, t=c, criterion="maxclust").astype(np.int64)
        if not 1 < len(np.unique(labels)) < n:
            continue
        score = silhouette(distances, labels)
        if best is None or score > best[0]:
            best = (score, labels)
    if best is None:
        return np.zeros(n, dtype=np.int64), None
    score, labels = best
    # Renumber by decreasing size (then first member) so that type 1 is the commonest.
    values, first, counts = np.unique(labels, return_index=True, return_counts=True)
    ranking = sorted(range(len(values)), key=lambda i: (-counts[i], first[i]))
    remap = {int(values[i]): rank for rank, i in enumerate(ranking)}
    return np.array([remap[int(x)] for x in labels], dtype=np.int64), score


def medoid(distances: FloatArray, members: IntArray) -> int:
    """The member whose summed distance to the others is least (the first one on a tie)."""
    within = distances[np.ix_(members, members)].sum(1)
    return int(members[int(np.argmin(within))])


def activity_label(code: str) -> str:
    from etage.procedures.choices import EventKind
    from etage.situations.selectors import EVENT_LABELS, PATHWAY_EVENT_LABELS

    labels: dict[str, Any] = {**EVENT_LABELS, **PATHWAY_EVENT_LABELS}
    if code in labels:
        return str(labels[code])
    if code in EventKind.values:
        return str(EventKind(code).label)
    return code


def _collapse(sequence: Sequence[str]) -> list[str]:
    return [x for i, x in enumerate(sequence) if i == 0 or sequence[i - 1] != x]


def type_label(number: int, sequence: Sequence[str], *, steps: int = 5) -> str:
    """« Type 1 : Situation repérée → … » from the medoid, repeated steps shown once."""
    collapsed = _collapse(sequence)
    shown = " → ".join(activity_label(x) for x in collapsed[:steps])
    if len(collapsed) > steps:
        shown += " → …"
    if not shown:
        shown = _("no recorded step")
    return _("Type %(number)d: %(steps)s") % {"number": number, "steps": shown}


@dataclass(frozen=True)
class PathwayType:
    number: int  # 1 = the largest type
    label: str
    size: int  # cases of the sample in this type
    share: float
    medoid: tuple[str, ...]  # activity codes of the typical pathway
    medoid_labels: tuple[str, ...]
    outcomes: tuple[tuple[int, str, int], ...]  # (family code, label, cases); 0 = open
    median_duration: float | None  # days to closure (Kaplan–Meier), None if not reached
    case_ids: tuple[str, ...]


@dataclass(frozen=True)
class Typology:
    types: tuple[PathwayType, ...]
    cases: int  # cases with at least one activity, in the filtered scope
    sampled: int
    silhouette: float | None
    method: str


def _sample_cases(
    con: duckdb.DuckDBPyConnection, filters: Filters | None, sample: int, seed: int
) -> list[str]:
    where, params = survival.scope_where(filters)
    categories = ", ".join("?" for _c in SEQUENCE_CATEGORIES)
    rows = con.execute(
        f"SELECT DISTINCT case_id FROM events WHERE category IN ({categories}) AND ({where}) "  # noqa: S608
        "ORDER BY case_id",
        [*SEQUENCE_CATEGORIES, *params],
    ).fetchall()
    cases = [str(r[0]) for r in rows]
    if len(cases) <= sample:
        return cases
    chosen = np.sort(np.random.default_rng(seed).choice(len(cases), size=sample, replace=False))
    return [cases[i] for i in chosen]


def _load(
    con: duckdb.DuckDBPyConnection, cases: list[str], max_length: int
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[float, int]]]:
    categories = ", ".join("?" for _c in SEQUENCE_CATEGORIES)
    sequences = {
        str(case): tuple(activities)[:max_length]
        for case, activities in con.execute(
            "SELECT case_id, list(activity ORDER BY timestamp, seq) FROM events "  # noqa: S608
            f"WHERE category IN ({categories}) AND case_id IN (SELECT unnest(?::VARCHAR[])) "
            "GROUP BY case_id",
            [*SEQUENCE_CATEGORIES, cases],
        ).fetchall()
    }
    outcomes: dict[str, tuple[float, int]] = {}
    for case, closed_day, observed_until, outcome in con.execute(
        "SELECT case_id, closed_day, observed_until_day, coalesce(outcome, '') FROM situations "
        "WHERE case_id IN (SELECT unnest(?::VARCHAR[]))",
        [cases],
    ).fetchall():
        if closed_day is not None:
            family = survival.OUTCOME_FAMILIES.get(outcome, survival.OTHER_FAMILY)
            outcomes[str(case)] = (float(closed_day), family)
        elif observed_until is not None:
            outcomes[str(case)] = (float(observed_until), 0)
    return sequences, outcomes


def typology(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    *,
    k: int | None = None,
    sample: int = DEFAULT_SAMPLE,
    seed: int = 0,
    max_length: int = DEFAULT_MAX_LENGTH,
    indel: float = 1.0,
    substitution: float = 2.0,
    method: str = "ward",
) -> Typology:
    if k is not None and k < 1:
        raise ValueError("k must be at least 1")
    cases = _sample_cases(con, filters, sample, seed)
    sequences, outcomes = _load(con, cases, max_length)
    cases = [c for c in cases if c in sequences]
    total = _count_cases(con, filters)
    if not cases:
        return Typology((), total, 0, None, method)
    alphabet = {a: i for i, a in enumerate(sorted({x for s in sequences.values() for x in s}))}
    coded = [[alphabet[x] for x in sequences[c]] for c in cases]
    distances = distance_matrix(coded, indel=indel, substitution=substitution)
    if k == 1:
        labels: IntArray = np.zeros(len(cases), dtype=np.int64)
        score = None
    else:
        labels, score = cluster(distances, k=k, method=method)
    family_labels = survival.outcome_family_labels()
    types = []
    for number in range(int(labels.max()) + 1):
        members = np.flatnonzero(labels == number)
        centre = cases[medoid(distances, members)]
        member_ids = [cases[i] for i in members]
        known = [outcomes[c] for c in member_ids if c in outcomes]
        families = [f for _d, f in known]
        km = survival.kaplan_meier([d for d, _f in known], [f != 0 for f in families])
        types.append(
            PathwayType(
                number=number + 1,
                label=type_label(number + 1, sequences[centre]),
                size=len(members),
                share=len(members) / len(cases),
                medoid=sequences[centre],
                medoid_labels=tuple(activity_label(x) for x in sequences[centre]),
                outcomes=tuple(
                    (code, label, families.count(code))
                    for code, label in family_labels.items()
                    if families.count(code)
                ),
                median_duration=None if not np.isfinite(km.median) else km.median,
                case_ids=tuple(member_ids),
            )
        )
    return Typology(tuple(types), total, len(cases), score, method)


def _count_cases(con: duckdb.DuckDBPyConnection, filters: Filters | None) -> int:
    where, params = survival.scope_where(filters)
    categories = ", ".join("?" for _c in SEQUENCE_CATEGORIES)
    row = con.execute(
        f"SELECT count(DISTINCT case_id) FROM events WHERE category IN ({categories}) "  # noqa: S608
        f"AND ({where})",
        [*SEQUENCE_CATEGORIES, *params],
    ).fetchone()
    return int(row[0]) if row else 0


def pathway_types(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    *,
    k: int | None = None,
    sample: int = DEFAULT_SAMPLE,
    seed: int = 0,
    **options: Any,
) -> list[PathwayType]:
    """The pathway types of the filtered cases (a seeded sample of at most ``sample``)."""
    return list(typology(con, filters, k=k, sample=sample, seed=seed, **options).types)
