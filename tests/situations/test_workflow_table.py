"""The pathway table, move by move: what is allowed from each status, what is refused, and
every precondition. Pure: no database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from etage.situations import workflow
from etage.situations.choices import Status
from etage.situations.permissions_matrix import Action

D0 = dt.date(2026, 1, 10)


def facts(status: str, **kw: object) -> workflow.Facts:
    base: dict[str, object] = {
        "status": status,
        "information_recorded": True,
        "level": "",
        "identified_on": D0,
        "closed_on": None,
        "follow_ups_done": frozenset(),
    }
    base.update(kw)
    return workflow.Facts(**base)  # type: ignore[arg-type]


EXPECTED_MOVES = {
    Status.IDENTIFIED: {
        "inform": Status.INFORMED,
        "contact_reached": Status.CONTACTED,
        "contact_unreachable": Status.UNREACHABLE,
        "contact_refused": Status.CLOSED,
        "close": Status.CLOSED,
    },
    Status.INFORMED: {
        "contact_reached": Status.CONTACTED,
        "contact_unreachable": Status.UNREACHABLE,
        "contact_refused": Status.CLOSED,
        "close": Status.CLOSED,
    },
    Status.CONTACTED: {
        "inform": Status.CONTACTED,
        "assess": Status.ASSESSED,
        "close": Status.CLOSED,
    },
    Status.UNREACHABLE: {
        "inform": Status.UNREACHABLE,
        "contact_reached": Status.CONTACTED,
        "contact_unreachable": Status.UNREACHABLE,
        "contact_refused": Status.CLOSED,
        "close": Status.CLOSED,
    },
    Status.ASSESSED: {"orient": Status.ORIENTED, "close": Status.CLOSED},
    Status.ORIENTED: {"start_support": Status.IN_SUPPORT, "close": Status.CLOSED},
    Status.IN_SUPPORT: {
        "change_level": Status.IN_SUPPORT,
        "suspend": Status.SUSPENDED,
        "close": Status.CLOSED,
    },
    Status.SUSPENDED: {"resume": Status.IN_SUPPORT, "close": Status.CLOSED},
    Status.CLOSED: {
        "follow_up_6": Status.CLOSED,
        "follow_up_12": Status.CLOSED,
        "archive": Status.ARCHIVED,
    },
    Status.ARCHIVED: {},
}


@pytest.mark.parametrize("status", list(Status))
def test_moves_from_each_status_are_exactly_the_expected_ones(status: Status) -> None:
    table = {t.action: t.target for t in workflow.actions_from(status)}
    assert table == EXPECTED_MOVES[status]


ALL_ACTIONS = sorted({t.action for t in workflow.TRANSITIONS})


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_a_move_absent_from_the_table_is_refused(status: Status, action: str) -> None:
    expected = action in EXPECTED_MOVES[status]
    assert (workflow.transition_for(action, status) is not None) is expected


def test_platform_decisions_need_the_decide_permission() -> None:
    decisions = {t.action for t in workflow.TRANSITIONS if t.permission is Action.DECIDE}
    assert decisions == {"assess", "orient", "change_level", "archive"}


def test_every_action_has_a_label_and_every_precondition_exists() -> None:
    for t in workflow.TRANSITIONS:
        assert t.action in workflow.ACTION_LABELS
        for name in t.preconditions:
            assert name in workflow.PRECONDITIONS


def _check(
    action: str,
    status: str,
    payload: dict[str, object] | None = None,
    on: dt.date = D0,
    **kw: object,
) -> list[str]:
    t = workflow.transition_for(action, status)
    assert t is not None
    return workflow.check(t, facts(status, **kw), payload or {}, on)


def test_assessment_requires_information_first() -> None:
    refused = _check("assess", Status.CONTACTED, information_recorded=False)
    assert len(refused) == 1
    assert _check("assess", Status.CONTACTED) == []


def test_information_is_recorded_only_once() -> None:
    assert _check("inform", Status.CONTACTED, information_recorded=True)
    assert _check("inform", Status.CONTACTED, information_recorded=False) == []


@pytest.mark.parametrize("orientation", ["coordination", "agr"])
def test_intensive_orientation_needs_a_lead_and_a_referent(orientation: str) -> None:
    assert _check("orient", Status.ASSESSED, {"orientation": orientation})
    assert _check(
        "orient", Status.ASSESSED, {"orientation": orientation, "lead_professional_id": 3}
    )
    assert (
        _check(
            "orient",
            Status.ASSESSED,
            {"orientation": orientation, "lead_professional_id": 3, "referent_organisation_id": 4},
        )
        == []
    )


@pytest.mark.parametrize("orientation", ["advice", "mainstream", "no_action"])
def test_other_orientations_need_no_lead(orientation: str) -> None:
    assert _check("orient", Status.ASSESSED, {"orientation": orientation}) == []


def test_support_starts_only_at_one_of_the_three_levels() -> None:
    assert _check("start_support", Status.ORIENTED, level="")
    assert _check("start_support", Status.ORIENTED, level="advice") == []


def test_level_change_needs_a_different_level() -> None:
    assert _check("change_level", Status.IN_SUPPORT, {"level": "advice"}, level="advice")
    assert _check("change_level", Status.IN_SUPPORT, {"level": "nonsense"}, level="advice")
    assert _check("change_level", Status.IN_SUPPORT, {"level": "advice"}, level="agr") == []
    assert _check("change_level", Status.IN_SUPPORT, {"level": "agr"}, level="advice")  # no lead


def test_closure_needs_outcome_and_exit_debt() -> None:
    assert len(_check("close", Status.IN_SUPPORT, {})) == 2
    assert _check("close", Status.IN_SUPPORT, {"outcome": "evicted"})
    assert _check("close", Status.IN_SUPPORT, {"outcome": "evicted", "exit_debt": 0}) == []


def test_no_move_may_be_dated_before_identification() -> None:
    assert _check("contact_reached", Status.IDENTIFIED, on=D0 - dt.timedelta(days=1))
    assert _check("contact_reached", Status.IDENTIFIED, on=D0) == []


@pytest.mark.parametrize(
    ("months", "closed_on", "on", "ok"),
    [
        (6, dt.date(2026, 1, 31), dt.date(2026, 7, 31), True),
        (6, dt.date(2026, 1, 31), dt.date(2026, 6, 30), True),  # within the month's tolerance
        (6, dt.date(2026, 1, 31), dt.date(2026, 6, 29), False),
        (6, dt.date(2026, 8, 31), dt.date(2027, 2, 28), True),  # 31 Aug + 6 months → 28 Feb
        (12, dt.date(2026, 1, 15), dt.date(2026, 7, 15), False),
        (12, dt.date(2026, 1, 15), dt.date(2027, 1, 15), True),
    ],
)
def test_follow_ups_are_due_six_and_twelve_months_after_closure(
    months: int, closed_on: dt.date, on: dt.date, ok: bool
) -> None:
    refused = _check(f"follow_up_{months}", Status.CLOSED, on=on, closed_on=closed_on)
    assert (refused == []) is ok


def test_a_follow_up_is_recorded_once() -> None:
    refused = _check(
        "follow_up_6",
        Status.CLOSED,
        on=dt.date(2026, 9, 1),
        closed_on=dt.date(2026, 2, 1),
        follow_ups_done=frozenset({6}),
    )
    assert refused


def test_archive_waits_for_the_twelve_month_follow_up_or_its_date() -> None:
    closed = dt.date(2025, 3, 1)
    early: Any = {"identified_on": dt.date(2024, 11, 5), "closed_on": closed}
    assert _check("archive", Status.CLOSED, on=dt.date(2025, 12, 1), **early)
    assert _check("archive", Status.CLOSED, on=dt.date(2026, 3, 1), **early) == []
    assert (
        _check(
            "archive",
            Status.CLOSED,
            on=dt.date(2025, 12, 1),
            follow_ups_done=frozenset({6, 12}),
            **early,
        )
        == []
    )
