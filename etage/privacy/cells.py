"""Small-cell suppression for steering aggregates (data-protection.md #7). Pure: no ORM.

Counts of 1 to ``threshold - 1`` people are shown as ``"< 5"`` (primary suppression): so few
people could be recognised. Totals are the true totals and stay published, so a lone
suppressed cell in a row would be recovered by subtraction: **secondary suppression** hides
more cells (shown as ``"n.d."``, *non diffusé*) until, in every row and every column whose
total is published, no hidden cell can be worked out from that total and the visible cells.

What a reader may assume: a ``"< 5"`` cell holds 0 to 4, an ``"n.d."`` cell at least 5
(secondary cells are always chosen among cells of 5 or more). Zeros are shown — an empty cell
identifies nobody — unless a line is made only of hidden cells and zeros and the marks alone
would still give its cells away: a zero of it is then shown as ``"< 5"`` too.

A hidden cell is *derivable* from a line (a row, a column, the row totals or the column
totals, with its total) when the interval the line allows — its total minus the visible
cells, minus what the other hidden cells may hold — shrinks to one value. Totals are cells of
their lines like any other: a small total is hidden, and a total may be hidden to protect.

Limit: each row and each column is checked on its own; a reader solving every line at once
(linear programming over the whole table) may narrow a hidden cell further. Steering tables
are small and coarse; the check matches what the CNIL and the statistical offices ask of
published tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

PRIMARY = "primary"
SECONDARY = "secondary"
SECONDARY_MARK = "n.d."


def primary_mark(threshold: int) -> str:
    return f"< {threshold}"


Cell = int | str
Key = tuple[str, str]
#: The label of the totals' row and column in :attr:`SuppressedTable.hidden`.
TOTAL = "__total__"


@dataclass
class SuppressedTable:
    rows: list[str]
    columns: list[str]
    cells: dict[str, dict[str, Cell]]
    row_totals: dict[str, Cell]
    column_totals: dict[str, Cell]
    total: Cell
    #: (row, column) -> PRIMARY or SECONDARY for every hidden cell; totals are
    #: (row, TOTAL), (TOTAL, column) and (TOTAL, TOTAL).
    hidden: dict[Key, str] = field(default_factory=dict)


def interval(kind: str, threshold: int) -> tuple[float, float]:
    """What a reader knows of a hidden cell from its mark."""
    return (0.0, float(threshold - 1)) if kind == PRIMARY else (float(threshold), float("inf"))


def derivable(
    parts: Sequence[Key],
    total: Key,
    value: Mapping[Key, int],
    hidden: Mapping[Key, str],
    threshold: int,
) -> list[Key]:
    """The hidden cells of one line (``parts`` adding up to ``total``) whose value a reader
    recovers from the visible cells of the line and what the marks say."""
    bounds = {
        k: interval(hidden[k], threshold) if k in hidden else (float(value[k]), float(value[k]))
        for k in (*parts, total)
    }
    found = []
    for key in (*parts, total):
        if key not in hidden:
            continue
        low, high = bounds[key]
        if key == total:
            smallest = max(low, sum(bounds[k][0] for k in parts))
            largest = min(high, sum(bounds[k][1] for k in parts))
        else:
            # Summed afresh, not subtracted: inf - inf would be NaN.
            others_low = sum(bounds[k][0] for k in parts if k != key)
            others_high = sum(bounds[k][1] for k in parts if k != key)
            smallest = max(low, bounds[total][0] - others_high)
            largest = min(high, bounds[total][1] - others_low)
        if smallest >= largest:
            found.append(key)
    return found


def lines_of(rows: Sequence[str], columns: Sequence[str]) -> list[tuple[list[Key], Key]]:
    """Every published sum: each row, each column, the row totals and the column totals."""
    return (
        [([(r, c) for c in columns], (r, TOTAL)) for r in rows]
        + [([(r, c) for r in rows], (TOTAL, c)) for c in columns]
        + [([(TOTAL, c) for c in columns], (TOTAL, TOTAL))]
        + [([(r, TOTAL) for r in rows], (TOTAL, TOTAL))]
    )


def suppress_small_cells(
    table: Mapping[str, Mapping[str, int]], threshold: int = 5
) -> SuppressedTable:
    """``table`` (row → column → count, missing cells are 0) with its small cells hidden —
    totals included —, secondary suppression applied, and its row, column and grand totals."""
    if threshold < 2:
        raise ValueError("threshold must be at least 2")
    rows = list(table)
    columns: list[str] = []
    for row in rows:
        for column in table[row]:
            if column not in columns:
                columns.append(column)
    value: dict[Key, int] = {(r, c): int(table[r].get(c, 0)) for r in rows for c in columns}
    if any(v < 0 for v in value.values()):
        raise ValueError("counts cannot be negative")
    for r in rows:
        value[(r, TOTAL)] = sum(value[(r, c)] for c in columns)
    for c in columns:
        value[(TOTAL, c)] = sum(value[(r, c)] for r in rows)
    value[(TOTAL, TOTAL)] = sum(value[(r, TOTAL)] for r in rows)
    hidden: dict[Key, str] = {key: PRIMARY for key, v in value.items() if 0 < v < threshold}
    lines = lines_of(rows, columns)
    changed = True
    while changed:
        changed = False
        for parts, total in lines:
            while derivable(parts, total, value, hidden, threshold):
                candidates = [k for k in (*parts, total) if k not in hidden and value[k] > 0]
                if candidates:
                    hidden[min(candidates, key=lambda k: value[k])] = SECONDARY
                else:
                    # Every count of the line is hidden or zero and the marks still give it
                    # away (four "< 5" adding up to a "< 5" total are four ones): hide a zero
                    # too, as "< 5" — which is why "< 5" means 0 to 4.
                    zeros = [k for k in (*parts, total) if k not in hidden]
                    if not zeros:
                        break
                    hidden[zeros[0]] = PRIMARY
                changed = True

    mark = primary_mark(threshold)

    def shown(key: Key) -> Cell:
        if key not in hidden:
            return value[key]
        return mark if hidden[key] == PRIMARY else SECONDARY_MARK

    return SuppressedTable(
        rows=rows,
        columns=columns,
        cells={r: {c: shown((r, c)) for c in columns} for r in rows},
        row_totals={r: shown((r, TOTAL)) for r in rows},
        column_totals={c: shown((TOTAL, c)) for c in columns},
        total=shown((TOTAL, TOTAL)),
        hidden=hidden,
    )
