"""Inter-coder agreement for double coding: Cohen's kappa, Krippendorff's alpha, per-code scores.

Pure Python + numpy (no Django, no database) so the scores can be checked against the reference
implementations (scikit-learn's ``cohen_kappa_score``, the ``krippendorff`` package) in tests
and reused by the reconciliation view, the report and the demo.

Undefined scores. Both coefficients divide by the disagreement expected by chance. When that is
zero (every code given is the same value, e.g. both coders marked a code "present" on every
unit, or no unit was coded by two coders) the coefficient is undefined and we return
``math.nan``, never 1.0: a perfect score would claim agreement beyond chance that the data
cannot show. scikit-learn returns ``nan`` too (its default ``replace_undefined_by``); the
``krippendorff`` package raises ``ValueError`` for a single-valued domain or no pairable unit
and returns ``nan`` otherwise. Callers show the percent agreement next to a ``nan`` score
(``segment_agreement`` always computes it) so evaluators still see that the coders agreed.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

Level = Literal["nominal", "ordinal", "interval", "ratio"]
Weights = Literal["linear", "quadratic"]

FloatMatrix = npt.NDArray[np.float64]


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(math.isnan(value))  # type: ignore[arg-type]
    except TypeError:
        return False


def _ordered(values: Iterable[Any]) -> list[Any]:
    """Distinct values, sorted when they compare, else in first-seen order (nominal codes)."""
    seen: dict[Any, None] = dict.fromkeys(values)
    try:
        return sorted(seen)
    except TypeError:
        return list(seen)


# --- Cohen's kappa -------------------------------------------------------------------------


def cohen_kappa(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    *,
    labels: Sequence[Hashable] | None = None,
    weights: Weights | None = None,
) -> float:
    """Cohen's kappa between two coders who coded the same units (``a[i]`` and ``b[i]``).

    Same definition as ``sklearn.metrics.cohen_kappa_score``: ``labels`` fixes the label set
    and its order (units whose code is outside it are left out, as scikit-learn's confusion
    matrix does); without it, the sorted union of both coders' codes. ``weights`` ("linear" or
    "quadratic") penalise a disagreement by the distance between the two labels' *positions*
    in that order. Kappa needs complete pairs: a missing code (``None``/NaN) is an error here,
    use ``krippendorff_alpha`` for incomplete data. Returns ``nan`` when undefined (see the
    module docstring).
    """
    if len(a) != len(b):
        raise ValueError("Both coders must code the same units (sequences of equal length).")
    if not a:
        raise ValueError("Cohen's kappa needs at least one unit.")
    if any(_is_missing(v) for v in (*a, *b)):
        raise ValueError("Cohen's kappa needs complete pairs; use krippendorff_alpha.")
    if weights not in (None, "linear", "quadratic"):
        raise ValueError(f"Unknown weights {weights!r}.")
    label_list = _ordered([*a, *b]) if labels is None else list(labels)
    index = {label: i for i, label in enumerate(label_list)}
    if len(index) != len(label_list):
        raise ValueError("Labels must be distinct.")
    if labels is not None and not any(v in index for v in a):
        raise ValueError(
            "At least one label in `labels` must be present in the first coder's codes."
        )

    size = len(label_list)
    confusion = np.zeros((size, size), dtype=np.float64)
    for x, y in zip(a, b, strict=True):
        if x in index and y in index:
            confusion[index[x], index[y]] += 1
    total = confusion.sum()
    if total == 0:
        return math.nan
    expected = np.outer(confusion.sum(axis=1), confusion.sum(axis=0)) / total

    positions = np.arange(size, dtype=np.float64)
    offsets = positions[:, np.newaxis] - positions[np.newaxis, :]
    if weights is None:
        penalty = (offsets != 0).astype(np.float64)
    elif weights == "linear":
        penalty = np.abs(offsets)
    else:
        penalty = offsets**2

    expected_disagreement = float((penalty * expected).sum())
    if expected_disagreement == 0:
        return math.nan
    return 1.0 - float((penalty * confusion).sum()) / expected_disagreement


# --- Krippendorff's alpha ------------------------------------------------------------------


def _distances(domain: Sequence[Any], n_v: FloatMatrix, level: Level) -> FloatMatrix:
    size = len(domain)
    if level == "nominal":
        return (1.0 - np.eye(size)).astype(np.float64)
    if level == "ordinal":
        # Krippendorff's ordinal metric: the mass of pairable values between the two ranks,
        # halving the two ends, squared. It depends on the observed frequencies, not the values.
        cumulative = np.concatenate(([0.0], np.cumsum(n_v)))
        ranks = np.arange(size)
        low: npt.NDArray[np.int_] = np.minimum(ranks[:, np.newaxis], ranks[np.newaxis, :])
        high: npt.NDArray[np.int_] = np.maximum(ranks[:, np.newaxis], ranks[np.newaxis, :])
        between = cumulative[high + 1] - cumulative[low]
        return ((between - (n_v[low] + n_v[high]) / 2.0) ** 2).astype(np.float64)
    values = np.asarray(domain, dtype=np.float64)
    diff = values[:, np.newaxis] - values[np.newaxis, :]
    if level == "interval":
        return (diff**2).astype(np.float64)
    total = values[:, np.newaxis] + values[np.newaxis, :]
    ratio = np.divide(diff, total, out=np.zeros_like(diff), where=total != 0)
    return (ratio**2).astype(np.float64)


def krippendorff_alpha(
    reliability_data: Sequence[Sequence[Any]],
    *,
    level: Level = "nominal",
    value_domain: Sequence[Any] | None = None,
) -> float:
    """Krippendorff's alpha of a coders × units matrix; ``None`` or NaN marks a missing code.

    Same definition as ``krippendorff.alpha`` (coincidence matrix, units coded by fewer than
    two coders contribute nothing). ``level`` is "nominal", "ordinal", "interval" or "ratio";
    the last two need numbers. ``value_domain`` gives the order of ordinal labels (required for
    ordinal strings; otherwise the sorted values seen). Returns ``nan`` when undefined (see the
    module docstring).
    """
    if level not in ("nominal", "ordinal", "interval", "ratio"):
        raise ValueError(f"Unknown level of measurement {level!r}.")
    rows = [list(row) for row in reliability_data]
    if not rows:
        raise ValueError("Krippendorff's alpha needs at least one coder.")
    n_units = len(rows[0])
    if any(len(row) != n_units for row in rows):
        raise ValueError("Every coder's row must have one entry per unit (None when missing).")

    present = [v for row in rows for v in row if not _is_missing(v)]
    if value_domain is None:
        domain = _ordered(present)
        if level == "ordinal" and any(isinstance(v, str) for v in domain):
            raise ValueError("Ordinal string codes need an explicit value_domain order.")
    else:
        domain = list(value_domain)
        if len(set(domain)) != len(domain):
            raise ValueError("value_domain must not repeat a value.")
        outside = set(present) - set(domain)
        if outside:
            raise ValueError(f"Codes outside value_domain: {sorted(map(repr, outside))}.")
    if level in ("interval", "ratio") and any(
        isinstance(v, str | bool) or not isinstance(v, int | float | np.number) for v in domain
    ):
        raise ValueError(f"The {level} level needs numeric codes.")

    index = {value: i for i, value in enumerate(domain)}
    counts = np.zeros((n_units, len(domain)), dtype=np.float64)
    for row in rows:
        for unit, value in enumerate(row):
            if not _is_missing(value):
                counts[unit, index[value]] += 1

    coders_per_unit = counts.sum(axis=1)
    pairable = coders_per_unit >= 2
    if not pairable.any() or len(domain) < 2:
        return math.nan
    counts = counts[pairable]
    per_unit = (coders_per_unit[pairable] - 1)[:, np.newaxis, np.newaxis]
    pairs = counts[:, :, np.newaxis] * counts[:, np.newaxis, :]
    pairs -= counts[:, :, np.newaxis] * np.eye(len(domain))[np.newaxis, :, :]
    observed = (pairs / per_unit).sum(axis=0)
    n_v = observed.sum(axis=0)
    n = float(n_v.sum())
    expected = (np.outer(n_v, n_v) - np.diag(n_v)) / (n - 1)
    distances = _distances(domain, n_v, level)
    expected_disagreement = float((expected * distances).sum())
    if expected_disagreement == 0:
        return math.nan
    return 1.0 - float((observed * distances).sum()) / expected_disagreement


# --- Agreement on coded text segments ------------------------------------------------------


@dataclass(frozen=True)
class CodedUnit:
    """What one coder applied to one unit (paragraph, speaker turn…): the set of code ids.

    An empty ``codes`` set is meaningful: the coder read the unit and applied no code.
    """

    coder: Hashable
    unit: Hashable
    codes: frozenset[Hashable] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Disagreement:
    """A unit where coders differ on one code: who applied it and who did not."""

    unit: Hashable
    code: Hashable
    applied_by: tuple[Hashable, ...]
    not_applied_by: tuple[Hashable, ...]


@dataclass(frozen=True)
class CodeAgreement:
    """Presence/absence agreement on one code over the units at least two coders covered.

    ``kappa`` is ``None`` unless there are exactly two coders; scores may be ``nan`` (see the
    module docstring), ``percent_agreement`` too when no unit was covered by two coders.
    """

    code: Hashable
    units: int
    percent_agreement: float
    kappa: float | None
    alpha: float
    disagreements: tuple[Disagreement, ...]


@dataclass(frozen=True)
class SegmentAgreement:
    """Per-code and overall agreement; overall scores pool every (unit, code) decision."""

    coders: tuple[Hashable, ...]
    units: tuple[Hashable, ...]
    per_code: tuple[CodeAgreement, ...]
    percent_agreement: float
    kappa: float | None
    alpha: float

    @property
    def disagreements(self) -> tuple[Disagreement, ...]:
        return tuple(d for code in self.per_code for d in code.disagreements)


def _percent(matrix: list[list[int | None]]) -> float:
    agreeing = compared = 0
    for column in zip(*matrix, strict=True):
        given = [v for v in column if v is not None]
        if len(given) >= 2:
            compared += 1
            agreeing += len(set(given)) == 1
    return agreeing / compared if compared else math.nan


def _pair_kappa(matrix: list[list[int | None]]) -> float:
    pairs = [(x, y) for x, y in zip(matrix[0], matrix[1], strict=True) if None not in (x, y)]
    if not pairs:
        return math.nan
    first, second = zip(*pairs, strict=True)
    # Both labels always listed: a code one coder never used still has two categories.
    return cohen_kappa(list(first), list(second), labels=[0, 1])


def segment_agreement(
    coded: Iterable[CodedUnit],
    *,
    coders: Sequence[Hashable] | None = None,
    codes: Sequence[Hashable] | None = None,
    units: Sequence[Hashable] | None = None,
    coverage: Mapping[Hashable, Iterable[Hashable]] | None = None,
) -> SegmentAgreement:
    """Turn coders' coded units into per-code presence (1) / absence (0) decisions and score them.

    ``coders`` lists the coders to compare (default: every coder with an entry; list them
    when a coder may have applied nothing at all). ``codes`` lists the codes to score (the
    codebook, so an unused code is reported too; default: every code applied). ``units``
    lists the units to compare (default: every unit mentioned). A coder is taken to have read
    every unit (no code = absent) unless ``coverage`` maps that coder to the units it was
    assigned; outside them its decision is missing, which alpha handles and kappa skips.
    Several entries for the same coder and unit are merged.
    """
    applied: dict[Hashable, dict[Hashable, set[Hashable]]] = {}
    seen_units: list[Hashable] = []
    seen_codes: list[Hashable] = []
    for item in coded:
        applied.setdefault(item.coder, {}).setdefault(item.unit, set()).update(item.codes)
        seen_units.append(item.unit)
        seen_codes.extend(item.codes)
    if coders is None:
        coders = tuple(_ordered([*applied, *(coverage or {})]))
    else:
        coders = tuple(coders)
        applied = {coder: applied.get(coder, {}) for coder in coders}
    if len(coders) < 2:
        raise ValueError("Agreement needs at least two coders.")
    unit_list = tuple(_ordered(seen_units) if units is None else units)
    code_list = list(_ordered(seen_codes) if codes is None else codes)
    covered = {
        coder: (
            set(unit_list)
            if coverage is None or coder not in coverage
            else set(coverage[coder]) & set(unit_list)
        )
        for coder in coders
    }

    def decisions(code: Hashable) -> list[list[int | None]]:
        return [
            [
                (int(code in applied[coder].get(unit, ())) if unit in covered[coder] else None)
                for unit in unit_list
            ]
            for coder in coders
        ]

    per_code: list[CodeAgreement] = []
    pooled: list[list[int | None]] = [[] for _ in coders]
    for code in code_list:
        matrix = decisions(code)
        for row, pooled_row in zip(matrix, pooled, strict=True):
            pooled_row.extend(row)
        found = []
        for position, unit in enumerate(unit_list):
            column = [(coder, row[position]) for coder, row in zip(coders, matrix, strict=True)]
            given = [(coder, v) for coder, v in column if v is not None]
            if len(given) >= 2 and len({v for _, v in given}) > 1:
                found.append(
                    Disagreement(
                        unit=unit,
                        code=code,
                        applied_by=tuple(c for c, v in given if v == 1),
                        not_applied_by=tuple(c for c, v in given if v == 0),
                    )
                )
        per_code.append(
            CodeAgreement(
                code=code,
                units=sum(
                    1
                    for column in zip(*matrix, strict=True)
                    if sum(v is not None for v in column) >= 2
                ),
                percent_agreement=_percent(matrix),
                kappa=_pair_kappa(matrix) if len(coders) == 2 else None,
                alpha=krippendorff_alpha(matrix, level="nominal"),
                disagreements=tuple(found),
            )
        )

    has_decisions = bool(code_list and unit_list)
    return SegmentAgreement(
        coders=coders,
        units=unit_list,
        per_code=tuple(per_code),
        percent_agreement=_percent(pooled) if has_decisions else math.nan,
        kappa=(_pair_kappa(pooled) if has_decisions else math.nan) if len(coders) == 2 else None,
        alpha=krippendorff_alpha(pooled, level="nominal") if has_decisions else math.nan,
    )
