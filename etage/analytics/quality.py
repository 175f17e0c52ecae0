"""The data-quality panel (evaluation.md part A): what in the snapshot would bias the process
and survival figures, with counts and a few example cases to open.

Each check is one DuckDB query over the filter's cases (see :func:`data_quality`). Pathway
moves are checked against the pathway table (:data:`etage.situations.workflow.TRANSITIONS`,
plus ``identify`` which creates the situation); activities outside that table (reviews,
consents, shares, referrals, procedure facts) are not moves and are not checked for order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
from django.utils.translation import gettext as _

from etage.analytics.filters import Filters, case_ids_sql
from etage.analytics.schema import PROCESS_CATEGORIES
from etage.situations.workflow import ACTION_LABELS, TRANSITIONS

EXAMPLES = 5

#: Allowed (action, from status, to status); ``identify`` opens the pathway.
ALLOWED_MOVES: tuple[tuple[str, str, str], ...] = (
    ("identify", "", "identified"),
    *((t.action, str(t.source), str(t.target)) for t in TRANSITIONS),
)
MOVE_ACTIONS: tuple[str, ...] = tuple(sorted(ACTION_LABELS))


@dataclass(frozen=True)
class QualityCheck:
    code: str
    label: str
    description: str
    count: int
    unit: str  # "events" | "situations"
    examples: list[str]  # a few case ids (pseudonyms)

    @property
    def ok(self) -> bool:
        return self.count == 0


def data_quality(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[QualityCheck]:
    """Every check over the cases of ``filters`` (events of all categories, except for
    duplicates: the filter's categories), in panel order. ``orphan_events`` covers the
    whole snapshot, only when the filters are empty (events without a situation have no
    territory, level… to filter on)."""
    cases, case_params = case_ids_sql(filters)
    categories = tuple(filters.categories) or PROCESS_CATEGORIES
    ev = f"(SELECT * FROM events WHERE case_id IN ({cases}))"  # noqa: S608
    moves = (
        f"(SELECT *, lag(to_status) OVER w_time AS previous_status, "  # noqa: S608
        "lag(timestamp) OVER w_recorded AS previous_recorded_at "
        f"FROM {ev} WHERE category = 'pathway' AND activity IN "
        f"({', '.join('?' for _ in MOVE_ACTIONS)}) "
        "WINDOW w_time AS (PARTITION BY case_id ORDER BY timestamp, seq), "
        "w_recorded AS (PARTITION BY case_id ORDER BY seq))"
    )
    move_params = [*case_params, *MOVE_ACTIONS]
    allowed = ", ".join("(?, ?, ?)" for _ in ALLOWED_MOVES)
    allowed_params = [value for move in ALLOWED_MOVES for value in move]

    def problems(sql: str, params: list[Any], conditions: list[str]) -> list[tuple[int, list[str]]]:
        """Count and example cases of the rows of ``sql`` meeting each condition, in one
        pass (``sql`` selects rows with a ``case_id``)."""
        columns = ", ".join(
            f"count(*) FILTER (WHERE {c}), list(DISTINCT case_id ORDER BY case_id) "
            f"FILTER (WHERE {c})"
            for c in conditions
        )
        row = con.execute(f"SELECT {columns} FROM ({sql})", params).fetchone()  # noqa: S608
        assert row is not None  # an aggregate without GROUP BY always returns a row
        return [
            (int(row[2 * i]), list(row[2 * i + 1] or [])[:EXAMPLES]) for i in range(len(conditions))
        ]

    def check(
        code: str, label: str, description: str, unit: str, sql: str, params: list[Any]
    ) -> QualityCheck:
        # ``sql`` selects one row per problem with its case_id.
        ((count, examples),) = problems(sql, params, ["true"])
        return QualityCheck(code, label, description, count, unit, examples)

    # The three checks over the pathway moves share one window pass.
    (disallowed, disallowed_cases), (chain, chain_cases), (backwards, backwards_cases) = problems(
        f"SELECT m.case_id, t.action IS NULL AS disallowed, "  # noqa: S608
        "previous_status IS NOT NULL AND previous_status <> from_status AS broken_chain, "
        "timestamp < previous_recorded_at AS backwards "
        f"FROM {moves} m LEFT JOIN (VALUES {allowed}) AS t(action, source, target) "
        "ON m.activity = t.action AND coalesce(m.from_status, '') = t.source "
        "AND coalesce(m.to_status, '') = t.target",
        [*move_params, *allowed_params],
        ["disallowed", "broken_chain", "backwards"],
    )

    checks = [
        check(
            "missing_dates",
            _("Missing dates"),
            _("Events without a date, and situations without an identification date."),
            "events",
            f"SELECT case_id FROM {ev} WHERE timestamp IS NULL "  # noqa: S608
            f"UNION ALL SELECT case_id FROM situations WHERE identified_at IS NULL "
            f"AND case_id IN ({cases})",
            [*case_params, *case_params],
        ),
        check(
            "future_dates",
            _("Dates in the future"),
            _("Events dated after the snapshot date."),
            "events",
            f"SELECT e.case_id FROM {ev} e JOIN situations s USING (case_id) "  # noqa: S608
            "WHERE e.day > s.observed_until_day",
            list(case_params),
        ),
        QualityCheck(
            "disallowed_moves",
            _("Moves outside the pathway table"),
            _("Pathway steps whose status change the pathway does not allow."),
            disallowed,
            "events",
            disallowed_cases,
        ),
        QualityCheck(
            "broken_status_chain",
            _("Steps out of order"),
            _(
                "Pathway steps that do not start from the status the previous step (in date "
                "order) left: events in the wrong order or missing."
            ),
            chain,
            "events",
            chain_cases,
        ),
        QualityCheck(
            "dates_backwards",
            _("Dates going backwards"),
            _("Pathway steps dated before the step recorded just before them."),
            backwards,
            "events",
            backwards_cases,
        ),
        check(
            "duplicates",
            _("Duplicate events"),
            _(
                "The same activity with the same details recorded twice or more at the same "
                "time for a situation."
            ),
            "events",
            # Consents and shares are left out: several partners are often granted a share
            # at once, which is not a duplicate.
            f"SELECT case_id FROM {ev} WHERE category IN "  # noqa: S608
            f"({', '.join('?' for _ in categories)}) "
            "GROUP BY case_id, activity, timestamp, CAST(details AS VARCHAR) "
            "HAVING count(*) > 1",
            [*case_params, *categories],
        ),
        check(
            "no_identification",
            _("Situations without identification"),
            _("Situations whose log has no identification event."),
            "situations",
            f"SELECT case_id FROM ({cases}) WHERE case_id NOT IN ("  # noqa: S608
            "SELECT case_id FROM events WHERE activity = 'identify')",
            list(case_params),
        ),
        check(
            "no_events",
            _("Situations without events"),
            _("Situations with no event at all in the log."),
            "situations",
            f"SELECT case_id FROM ({cases}) WHERE case_id NOT IN ("  # noqa: S608
            "SELECT case_id FROM events)",
            list(case_params),
        ),
    ]
    if filters.is_empty:
        checks.append(
            check(
                "orphan_events",
                _("Events without a situation"),
                _("Events whose situation is not in the snapshot."),
                "events",
                "SELECT case_id FROM events WHERE case_id NOT IN (SELECT case_id FROM situations)",
                [],
            )
        )
    return checks
