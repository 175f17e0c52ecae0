"""Stratified selection of case studies (issue 9; evaluation.md part B).

Evaluators pick the situations they will study at 360° by stratified random sampling over the
pseudonymised snapshot (territory × level × outcome family by default), and must be able to
show later that the choice was not cherry-picked: a :class:`Draw` records the seed, the
parameters, the filters, a fingerprint of the population and the chosen cases, and
:func:`verify_draw` re-draws from the snapshot and compares.

**Reproducibility.** The same snapshot population + seed + parameters give the same cases on
every machine: strata are visited in sorted key order, case_ids are sorted inside a stratum,
and one ``Generator(PCG64(seed))`` gives each case a uniform key (``rng.random``); the cases
with the smallest keys are drawn. This relies only on the PCG64 bit stream and its
double conversion, which numpy keeps stable, rather than on ``Generator.choice`` or
``permutation``, whose algorithms numpy reserves the right to change.

**Allocation** of a ``total``:

- ``"proportional"``: when ``total`` allows it (at least one case per non-empty stratum),
  every stratum first gets one case, and the rest is shared by largest remainder in
  proportion to what each stratum still holds (size − 1). Weighting by what is left, rather
  than by size, means no stratum's share can exceed its size, so no capping and
  redistribution round is needed, and drawing the whole population gives every stratum its
  size. Below one per stratum, the ``total`` is shared by largest remainder in proportion to
  the sizes (small strata may get none). Ties of remainders go to the larger stratum, then
  to the first key in sorted order.
- ``"equal"``: as even as possible, each stratum capped at its size (what a small stratum
  cannot take is spread over the others); units left over by the division go to the larger
  strata first, then by key order.

``per_stratum`` takes ``min(per_stratum, size)`` from every stratum (allocation is then
recorded as ``"equal"``). A ``total`` above the population is capped at the population.

Outputs hold pseudonymised case_ids and exact stratum sizes: they are for the evaluator
role; anything shown to others goes through small-cell suppression first.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from django.utils.translation import gettext as _

from etage.analytics.filters import Filters, case_ids_sql
from etage.analytics.survival import OTHER_FAMILY, OUTCOME_FAMILIES, outcome_family_labels

if TYPE_CHECKING:
    import duckdb

Allocation = Literal["proportional", "equal"]
ALLOCATIONS: tuple[Allocation, ...] = ("proportional", "equal")
DEFAULT_BY = ("territory", "level", "outcome_family")
#: Identifies the drawing procedure in a recorded :class:`Draw` (bump if it ever changes).
METHOD = "pcg64-random-keys/v1"
FORMAT_VERSION = 1

#: Outcome family of a situation: "open" while it is open, else its closure outcome grouped
#: as the competing risks of the survival analysis (same codes, see survival.py).
FAMILY_SLUGS: dict[int, str] = {
    0: "open",
    1: "kept_housed",
    2: "rehoused",
    3: "mainstream",
    4: "left",
    5: "evicted",
    6: "refused",
    7: "other",
}
_SLUG_CODES = {slug: code for code, slug in FAMILY_SLUGS.items()}

#: Stratification columns (closed list: they go into SQL), name → expression over
#: ``situations``. A missing value is "" (e.g. the level of a case not yet in support).
STRATUM_COLUMNS: dict[str, str] = {
    name: f"coalesce(CAST({name} AS VARCHAR), '')"
    for name in (
        "territory",
        "level",
        "landlord",
        "network_profile",
        "entry_stage",
        "source",
        "urgency",
        "referent_kind",
    )
}
STRATUM_COLUMNS["outcome_family"] = (
    "CASE WHEN closed_day IS NULL THEN NULL ELSE coalesce(outcome, '') END"
)

# Separators that cannot occur in codes or pseudonyms, for the fingerprint's canonical text.
_UNIT, _RECORD, _GROUP = "\x1f", "\x1e", "\x1d"


def outcome_family(closed: bool, outcome: str | None) -> str:
    if not closed:
        return FAMILY_SLUGS[0]
    return FAMILY_SLUGS[OUTCOME_FAMILIES.get(outcome or "", OTHER_FAMILY)]


def outcome_family_label(slug: str) -> str:
    """French label of an outcome family slug (the survival analysis' labels)."""
    return outcome_family_labels()[_SLUG_CODES[slug]]


@dataclass(frozen=True)
class Stratum:
    key: tuple[str, ...]  # one value per column of ``by``, in that order
    size: int


def _check_by(by: Sequence[str]) -> tuple[str, ...]:
    columns = tuple(by)
    unknown = [c for c in columns if c not in STRATUM_COLUMNS]
    if unknown:
        raise ValueError(f"cannot stratify by {unknown!r}")
    if len(set(columns)) != len(columns):
        raise ValueError(f"duplicate stratification column in {columns!r}")
    return columns


def population(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    *,
    by: Sequence[str] = DEFAULT_BY,
) -> dict[tuple[str, ...], list[str]]:
    """Stratum key → sorted case_ids of the filtered situations, keys in sorted order."""
    columns = _check_by(by)
    selected = ", ".join(STRATUM_COLUMNS[c] for c in columns) or "NULL"
    sql = f"SELECT case_id, closed_day IS NOT NULL, {selected} FROM situations"  # noqa: S608
    params: list[Any] = []
    if filters is not None:
        cases, params = case_ids_sql(filters)
        sql += f" WHERE case_id IN ({cases})"
    sql += " ORDER BY case_id"
    family = columns.index("outcome_family") if "outcome_family" in columns else -1
    groups: dict[tuple[str, ...], list[str]] = {}
    for row in con.execute(sql, params).fetchall():
        case_id, closed, values = str(row[0]), bool(row[1]), list(row[2 : 2 + len(columns)])
        if family >= 0:
            values[family] = outcome_family(closed, values[family])
        groups.setdefault(tuple(str(v) for v in values), []).append(case_id)
    # ORDER BY in DuckDB and Python's sort may collate differently: sort here, once.
    return {key: sorted(groups[key]) for key in sorted(groups)}


def strata(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    *,
    by: Sequence[str] = DEFAULT_BY,
) -> list[Stratum]:
    """The non-empty strata of the filtered situations with their population counts."""
    return [Stratum(key, len(ids)) for key, ids in population(con, filters, by=by).items()]


# -- allocation ------------------------------------------------------------------------------


def _largest_remainder(
    amount: int, weights: Sequence[int], sizes: Sequence[int], keys: Sequence[Any]
) -> list[int]:
    """Share ``amount`` in proportion to ``weights`` (exact integer arithmetic)."""
    total_weight = sum(weights)
    if amount <= 0 or total_weight == 0:
        return [0] * len(weights)
    shares = [amount * w // total_weight for w in weights]
    remainders = [amount * w % total_weight for w in weights]
    left = amount - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], -sizes[i], keys[i]))
    for i in order[:left]:
        shares[i] += 1
    return shares


def allocate(
    sizes: Mapping[tuple[str, ...], int],
    total: int,
    allocation: Allocation = "proportional",
) -> dict[tuple[str, ...], int]:
    """How many cases to draw from each stratum (see the module docstring)."""
    if allocation not in ALLOCATIONS:
        raise ValueError(f"unknown allocation {allocation!r}")
    if total < 0:
        raise ValueError("total must not be negative")
    keys = sorted(k for k, n in sizes.items() if n > 0)
    counts = [sizes[k] for k in keys]
    total = min(total, sum(counts))
    result = dict.fromkeys(sorted(sizes), 0)
    if not keys:
        return result
    if allocation == "proportional":
        if total >= len(keys):
            extra = _largest_remainder(total - len(keys), [n - 1 for n in counts], counts, keys)
            shares = [1 + e for e in extra]
        else:
            shares = _largest_remainder(total, counts, counts, keys)
    else:
        shares = _equal(total, counts, keys)
    result.update(zip(keys, shares, strict=True))
    return result


def _equal(total: int, counts: Sequence[int], keys: Sequence[Any]) -> list[int]:
    shares = [0] * len(counts)
    remaining = list(range(len(counts)))
    left = total
    # Water-filling: strata smaller than the even share take all they hold.
    for i in sorted(remaining, key=lambda i: (counts[i], keys[i])):
        if counts[i] * len(remaining) <= left:
            shares[i] = counts[i]
            left -= counts[i]
            remaining.remove(i)
        else:
            break
    if remaining:
        base, extra = divmod(left, len(remaining))
        for rank, i in enumerate(sorted(remaining, key=lambda i: (-counts[i], keys[i]))):
            shares[i] = base + (1 if rank < extra else 0)
    return shares


# -- the draw --------------------------------------------------------------------------------


def fingerprint(groups: Mapping[tuple[str, ...], Sequence[str]]) -> str:
    """SHA-256 over the sorted case_ids of each stratum, strata in sorted key order."""
    text = _GROUP.join(
        _UNIT.join(key) + _RECORD + _UNIT.join(sorted(groups[key])) for key in sorted(groups)
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DrawnStratum:
    key: tuple[str, ...]
    population: int
    fingerprint: str  # of this stratum's sorted case_ids
    case_ids: tuple[str, ...]  # the drawn ones, sorted


@dataclass(frozen=True)
class Draw:
    seed: int
    by: tuple[str, ...]
    allocation: Allocation
    per_stratum: int | None
    total: int | None
    filters: dict[str, Any]  # :func:`filters_to_dict`
    population_fingerprint: str
    population_size: int
    strata: tuple[DrawnStratum, ...]
    method: str = METHOD

    @property
    def case_ids(self) -> tuple[str, ...]:
        return tuple(sorted(c for s in self.strata for c in s.case_ids))

    @property
    def sample_size(self) -> int:
        return sum(len(s.case_ids) for s in self.strata)

    def get_filters(self) -> Filters | None:
        return filters_from_dict(self.filters)

    def to_json(self) -> str:
        data = {
            "format": FORMAT_VERSION,
            "method": self.method,
            "seed": self.seed,
            "by": list(self.by),
            "allocation": self.allocation,
            "per_stratum": self.per_stratum,
            "total": self.total,
            "filters": self.filters,
            "population_fingerprint": self.population_fingerprint,
            "population_size": self.population_size,
            "strata": [
                {
                    "key": list(s.key),
                    "population": s.population,
                    "fingerprint": s.fingerprint,
                    "case_ids": list(s.case_ids),
                }
                for s in self.strata
            ],
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2)

    @classmethod
    def from_json(cls, text: str) -> Draw:
        """Read :meth:`to_json`; ``ValueError`` on anything else."""
        try:
            data = json.loads(text)
            if data["format"] != FORMAT_VERSION:
                raise ValueError(f"unsupported draw format {data['format']!r}")
            allocation = data["allocation"]
            if allocation not in ALLOCATIONS:
                raise ValueError(f"unknown allocation {allocation!r}")
            draw = cls(
                seed=_int(data["seed"]),
                by=_check_by([str(c) for c in data["by"]]),
                allocation=allocation,
                per_stratum=None if data["per_stratum"] is None else _int(data["per_stratum"]),
                total=None if data["total"] is None else _int(data["total"]),
                filters=dict(data["filters"]) if data["filters"] is not None else {},
                population_fingerprint=str(data["population_fingerprint"]),
                population_size=_int(data["population_size"]),
                strata=tuple(
                    DrawnStratum(
                        key=tuple(str(v) for v in s["key"]),
                        population=_int(s["population"]),
                        fingerprint=str(s["fingerprint"]),
                        case_ids=tuple(str(c) for c in s["case_ids"]),
                    )
                    for s in data["strata"]
                ),
                method=str(data["method"]),
            )
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as error:
            raise ValueError(f"not a recorded draw: {error}") from error
        draw.get_filters()  # raises ValueError on unreadable filters
        return draw


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected an integer, got {value!r}")
    return value


def filters_to_dict(filters: Filters | None) -> dict[str, Any]:
    """JSON form of the filters: the query-string form plus the scope restriction."""
    if filters is None:
        return {}
    data: dict[str, Any] = {"query": filters.to_query()}
    if filters.cases is not None:
        data["cases"] = sorted(filters.cases)
    return data


def filters_from_dict(data: Mapping[str, Any]) -> Filters | None:
    if not data:
        return None
    filters = Filters.from_query(data.get("query", {}))
    if filters.messages:
        raise ValueError(f"unreadable filters in the draw: {filters.messages!r}")
    if "cases" in data:
        filters = replace(filters, cases=frozenset(str(c) for c in data["cases"]))
    return filters


def _pick(rng: np.random.Generator, case_ids: Sequence[str], n: int) -> tuple[str, ...]:
    keys = rng.random(len(case_ids))  # one key per case, drawn even when n == 0
    chosen = np.argsort(keys, kind="stable")[:n]
    return tuple(sorted(case_ids[int(i)] for i in chosen))


def _draw_from(
    groups: Mapping[tuple[str, ...], Sequence[str]],
    *,
    seed: int,
    by: tuple[str, ...],
    per_stratum: int | None,
    total: int | None,
    allocation: Allocation,
    filters: dict[str, Any],
) -> Draw:
    sizes = {key: len(ids) for key, ids in groups.items()}
    if per_stratum is not None:
        counts = {key: min(per_stratum, n) for key, n in sizes.items()}
    elif total is not None:
        counts = allocate(sizes, total, allocation)
    else:
        raise ValueError("give exactly one of per_stratum and total")
    rng = np.random.Generator(np.random.PCG64(seed))
    drawn = tuple(
        DrawnStratum(
            key=key,
            population=sizes[key],
            fingerprint=fingerprint({key: groups[key]}),
            case_ids=_pick(rng, groups[key], counts[key]),
        )
        for key in sorted(groups)
    )
    return Draw(
        seed=seed,
        by=by,
        allocation=allocation,
        per_stratum=per_stratum,
        total=total,
        filters=filters,
        population_fingerprint=fingerprint(groups),
        population_size=sum(sizes.values()),
        strata=drawn,
    )


def draw_cases(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    *,
    by: Sequence[str] = DEFAULT_BY,
    per_stratum: int | None = None,
    total: int | None = None,
    allocation: Allocation = "proportional",
    seed: int,
) -> Draw:
    """A reproducible stratified random draw of situations; give ``per_stratum`` or
    ``total`` (exactly one)."""
    if (per_stratum is None) == (total is None):
        raise ValueError("give exactly one of per_stratum and total")
    for name, value in (("per_stratum", per_stratum), ("total", total), ("seed", seed)):
        if value is not None and (isinstance(value, bool) or value < 0):
            raise ValueError(f"{name} must be a non-negative integer")
    if allocation not in ALLOCATIONS:
        raise ValueError(f"unknown allocation {allocation!r}")
    columns = _check_by(by)
    groups = population(con, filters, by=columns)
    return _draw_from(
        groups,
        seed=seed,
        by=columns,
        per_stratum=per_stratum,
        total=total,
        allocation="equal" if per_stratum is not None else allocation,
        filters=filters_to_dict(filters),
    )


@dataclass(frozen=True)
class Verification:
    """Outcome of :func:`verify_draw`; true when the draw is confirmed. ``reasons`` are
    French sentences for the evaluator (empty when confirmed)."""

    ok: bool
    reasons: tuple[str, ...] = field(default=())

    def __bool__(self) -> bool:
        return self.ok

    @property
    def reason(self) -> str:
        return " ".join(self.reasons)


def _describe(key: Iterable[str]) -> str:
    return " · ".join(v or "—" for v in key) or "—"


def verify_draw(con: duckdb.DuckDBPyConnection, draw: Draw) -> Verification:
    """Re-draw from the snapshot with the recorded seed and parameters and compare."""
    if draw.method != METHOD:
        return Verification(
            False,
            (
                _("This draw was made with another method (%(method)s): it cannot be re-drawn.")
                % {"method": draw.method},
            ),
        )
    groups = population(con, draw.get_filters(), by=draw.by)
    if fingerprint(groups) != draw.population_fingerprint:
        reasons = [_("The population of the snapshot has changed since the draw.")]
        recorded = {s.key: s for s in draw.strata}
        for key in sorted(set(recorded) | set(groups)):
            now = len(groups.get(key, ()))
            before = recorded[key].population if key in recorded else 0
            if (
                key in recorded
                and key in groups
                and fingerprint({key: groups[key]}) == (recorded[key].fingerprint)
            ):
                continue
            reasons.append(
                _("Stratum %(stratum)s: %(before)s situations at the draw, %(now)s now.")
                % {"stratum": _describe(key), "before": before, "now": now}
                if before != now
                else _("Stratum %(stratum)s: same size, but other situations.")
                % {"stratum": _describe(key)}
            )
        return Verification(False, tuple(reasons))
    again = _draw_from(
        groups,
        seed=draw.seed,
        by=draw.by,
        per_stratum=draw.per_stratum,
        total=draw.total,
        allocation=draw.allocation,
        filters=draw.filters,
    )
    if again.strata != draw.strata:
        return Verification(
            False,
            (
                _(
                    "Re-drawing with the recorded seed and parameters gives other situations: "
                    "the recorded draw does not match them."
                ),
            ),
        )
    return Verification(True)
