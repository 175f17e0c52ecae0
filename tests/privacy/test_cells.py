"""Small-cell suppression (data-protection.md #7): pure, no database."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from etage.privacy.cells import (
    SECONDARY_MARK,
    TOTAL,
    derivable,
    lines_of,
    suppress_small_cells,
)


def test_cells_under_five_are_shown_as_less_than_five_and_totals_stay_true():
    table = suppress_small_cells(
        {"T1": {"agr": 12, "mdm": 3, "ccas": 9}, "T2": {"agr": 8, "mdm": 7, "ccas": 6}}
    )
    assert table.cells["T1"]["mdm"] == "< 5"
    assert table.row_totals == {"T1": 24, "T2": 21}
    assert table.total == 45


def test_a_lone_small_cell_in_a_row_hides_the_next_smallest_too():
    table = suppress_small_cells({"T1": {"a": 2, "b": 6, "c": 20}, "T2": {"a": 9, "b": 7, "c": 30}})
    # 2 alone would be 28 - 6 - 20: the 6 of its row is hidden as well…
    assert table.cells["T1"] == {"a": "< 5", "b": SECONDARY_MARK, "c": 20}
    # …and, in the columns, the cells that would give them away.
    assert table.cells["T2"]["a"] == SECONDARY_MARK
    assert table.cells["T2"]["b"] == SECONDARY_MARK


def test_four_ones_adding_up_to_a_small_total_are_not_given_away():
    table = suppress_small_cells(
        {"T1": {"a": 1}, "T2": {"a": 1}, "T3": {"a": 1}, "T4": {"a": 1, "b": 0}}
    )
    assert table.column_totals["a"] == "< 5"
    assert table.column_totals["b"] == 0 or table.cells["T4"]["b"] == "< 5"


def test_zeros_are_shown_and_a_table_without_small_cells_is_unchanged():
    table = suppress_small_cells({"T1": {"a": 0, "b": 6}, "T2": {"a": 5, "b": 7}})
    assert table.cells == {"T1": {"a": 0, "b": 6}, "T2": {"a": 5, "b": 7}}
    assert table.hidden == {}


def _value_of(table, key):
    return table[key[0]][key[1]]


tables = st.dictionaries(
    keys=st.sampled_from(["T1", "T2", "T3", "T4"]),
    values=st.dictionaries(
        keys=st.sampled_from(["a", "b", "c", "d"]),
        values=st.integers(min_value=0, max_value=40),
        min_size=1,
    ),
    min_size=1,
)


@settings(max_examples=1000, deadline=None)
@given(tables)
def test_no_hidden_value_can_be_worked_out_from_a_published_total(table):
    result = suppress_small_cells(table)
    rows, columns = result.rows, result.columns
    value = {(r, c): table[r].get(c, 0) for r in rows for c in columns}
    for r in rows:
        value[(r, TOTAL)] = sum(value[(r, c)] for c in columns)
    for c in columns:
        value[(TOTAL, c)] = sum(value[(r, c)] for r in rows)
    value[(TOTAL, TOTAL)] = sum(value[(r, TOTAL)] for r in rows)
    # Every small count is hidden, and what is shown is true.
    for key, v in value.items():
        if 0 < v < 5:
            assert key in result.hidden
    for r in rows:
        for c in columns:
            shown = result.cells[r][c]
            assert shown == value[(r, c)] or (r, c) in result.hidden
    # In every published sum, each hidden cell keeps at least two possible values.
    for parts, total in lines_of(rows, columns):
        assert derivable(parts, total, value, result.hidden, 5) == [], (parts, total)
