"""The support pathway as data (domain.md §3): the table of allowed moves and their
preconditions. Pure: no ORM, so it is testable alone. Services apply it; nothing else changes
a situation's status.

A move is (action, from status) → to status. Each row names the permission it needs
(``record_step`` for the professionals of the sharing group, ``decide`` for the platform)
and the preconditions that must hold, checked against :class:`Facts` (the situation as it is)
and the payload (what the form says).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from etage.situations.choices import INTENSIVE_LEVELS, Level, Orientation, Status
from etage.situations.permissions_matrix import Action

S = Status


@dataclass(frozen=True)
class Facts:
    """What preconditions may look at."""

    status: str
    information_recorded: bool
    level: str
    identified_on: date
    closed_on: date | None
    follow_ups_done: frozenset[int]  # months: {6, 12}


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    permission: Action
    preconditions: tuple[str, ...] = ()


# Label of each action, as shown on buttons and in the timeline.
ACTION_LABELS: dict[str, Any] = {
    "identify": _("Situation identified"),
    "inform": _("Record information given"),
    "contact_reached": _("Household reached"),
    "contact_unreachable": _("Household unreachable"),
    "contact_refused": _("Household refuses support"),
    "assess": _("Assess at the platform"),
    "orient": _("Orient"),
    "start_support": _("Start support"),
    "change_level": _("Change support level"),
    "suspend": _("Suspend"),
    "resume": _("Resume"),
    "close": pgettext_lazy("pathway action", "Close"),
    "follow_up_6": _("Follow-up at 6 months"),
    "follow_up_12": _("Follow-up at 12 months"),
    "archive": _("Archive"),
}

OPEN_NOT_CLOSED = (
    S.IDENTIFIED,
    S.INFORMED,
    S.CONTACTED,
    S.UNREACHABLE,
    S.ASSESSED,
    S.ORIENTED,
    S.IN_SUPPORT,
    S.SUSPENDED,
)

_R, _D = Action.RECORD_STEP, Action.DECIDE

TRANSITIONS: tuple[Transition, ...] = (
    # Information can be given before or at first contact; it never moves the status back.
    Transition("inform", S.IDENTIFIED, S.INFORMED, _R, ("not_informed",)),
    Transition("inform", S.CONTACTED, S.CONTACTED, _R, ("not_informed",)),
    Transition("inform", S.UNREACHABLE, S.UNREACHABLE, _R, ("not_informed",)),
    *(
        Transition(action, source, target, _R)
        for source in (S.IDENTIFIED, S.INFORMED, S.UNREACHABLE)
        for action, target in (
            ("contact_reached", S.CONTACTED),
            ("contact_unreachable", S.UNREACHABLE),
            ("contact_refused", S.CLOSED),
        )
        if not (source == S.UNREACHABLE and action == "contact_unreachable")
    ),
    Transition("contact_unreachable", S.UNREACHABLE, S.UNREACHABLE, _R),
    # Past first contact: the information gate (data-protection.md #3).
    Transition("assess", S.CONTACTED, S.ASSESSED, _D, ("informed",)),
    Transition("orient", S.ASSESSED, S.ORIENTED, _D, ("informed", "lead_for_intensive")),
    Transition("start_support", S.ORIENTED, S.IN_SUPPORT, _R, ("oriented_to_a_level",)),
    Transition(
        "change_level",
        S.IN_SUPPORT,
        S.IN_SUPPORT,
        _D,
        ("level_changes", "lead_for_intensive"),
    ),
    Transition("suspend", S.IN_SUPPORT, S.SUSPENDED, _R),
    Transition("resume", S.SUSPENDED, S.IN_SUPPORT, _R),
    *(
        Transition("close", source, S.CLOSED, _R, ("outcome_given", "exit_debt_given"))
        for source in OPEN_NOT_CLOSED
    ),
    Transition("follow_up_6", S.CLOSED, S.CLOSED, _R, ("follow_up_due_6",)),
    Transition("follow_up_12", S.CLOSED, S.CLOSED, _R, ("follow_up_due_12",)),
    Transition("archive", S.CLOSED, S.ARCHIVED, _D, ("archivable",)),
)

_INDEX: dict[tuple[str, str], Transition] = {(t.action, t.source): t for t in TRANSITIONS}
if len(_INDEX) != len(TRANSITIONS):  # pragma: no cover — a programming error in the table
    raise RuntimeError("Duplicate (action, source) row in the pathway table.")


def transition_for(action: str, status: str) -> Transition | None:
    return _INDEX.get((action, status))


def actions_from(status: str) -> list[Transition]:
    """Moves that exist from ``status``, in table order (permissions not applied)."""
    return [t for t in TRANSITIONS if t.source == status]


def _months_after(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    # Clamp to the month's last day (31 Aug + 6 months → 28/29 Feb).
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError(start)  # pragma: no cover


#: How early a follow-up may be recorded before its due date (households are reached when
#: they can be).
FOLLOW_UP_TOLERANCE_DAYS = 31


def follow_up_due_on(closed_on: date, months: int) -> date:
    return _months_after(closed_on, months)


Check = Callable[[Facts, Mapping[str, Any], date], Any]


def _informed(f: Facts, p: Mapping[str, Any], on: date) -> Any:
    if not f.information_recorded:
        return _(
            "The household must first be informed of the processing and sharing of its data "
            "(or a documented emergency exception recorded)."
        )
    return None


def _not_informed(f: Facts, p: Mapping[str, Any], on: date) -> Any:
    if f.information_recorded:
        return _("Information has already been recorded for this situation.")
    return None


def _lead_for_intensive(f: Facts, p: Mapping[str, Any], on: date) -> Any:
    level = p.get("level") or p.get("orientation")
    if level in INTENSIVE_LEVELS and not (
        p.get("lead_professional_id") and p.get("referent_organisation_id")
    ):
        return _("Coordination and AGR need a lead professional and a referent organisation.")
    return None


def _oriented_to_a_level(f: Facts, p: Mapping[str, Any], on: date) -> Any:
    if f.level not in Level.values:
        return _(
            "Support can start only after an orientation to appui conseil, coordination or AGR."
        )
    return None


def _level_changes(f: Facts, p: Mapping[str, Any], on: date) -> Any:
    new = p.get("level")
    if new not in Level.values:
        return _("Choose the new support level.")
    if new == f.level:
        return _("The situation is already at this level.")
    return None


def _outcome_given(f: Facts, p: Mapping[str, Any], on: date) -> Any:
    if not p.get("outcome"):
        return _("The outcome is required to close a situation.")
    return None


def _exit_debt_given(f: Facts, p: Mapping[str, Any], on: date) -> Any:
    if p.get("exit_debt") is None:
        return _("The debt at exit is required to close a situation (0 if none).")
    return None


def _follow_up_due(months: int) -> Check:
    def check(f: Facts, p: Mapping[str, Any], on: date) -> Any:
        if months in f.follow_ups_done:
            return _("This follow-up has already been recorded.")
        if f.closed_on is None:
            return _("The situation has no closing date.")
        due = follow_up_due_on(f.closed_on, months)
        if (due - on).days > FOLLOW_UP_TOLERANCE_DAYS:
            return _("This follow-up is due on %(due)s.") % {"due": due.strftime("%d/%m/%Y")}
        return None

    return check


def _archivable(f: Facts, p: Mapping[str, Any], on: date) -> Any:
    if 12 in f.follow_ups_done:
        return None
    if f.closed_on is not None and on >= follow_up_due_on(f.closed_on, 12):
        return None
    return _("A situation is archived after its 12-month follow-up or 12 months after closure.")


def _not_before_identification(f: Facts, p: Mapping[str, Any], on: date) -> Any:
    if on < f.identified_on:
        return _("The date cannot be before the identification date (%(d)s).") % {
            "d": f.identified_on.strftime("%d/%m/%Y")
        }
    return None


PRECONDITIONS: dict[str, Check] = {
    "informed": _informed,
    "not_informed": _not_informed,
    "lead_for_intensive": _lead_for_intensive,
    "oriented_to_a_level": _oriented_to_a_level,
    "level_changes": _level_changes,
    "outcome_given": _outcome_given,
    "exit_debt_given": _exit_debt_given,
    "follow_up_due_6": _follow_up_due(6),
    "follow_up_due_12": _follow_up_due(12),
    "archivable": _archivable,
}


def check(
    transition: Transition, facts: Facts, payload: Mapping[str, Any], occurred_on: date
) -> list[str]:
    """Reasons the move is refused (empty when allowed). Every move also refuses a date of
    the fact before identification."""
    reasons = []
    for name in ("_date", *transition.preconditions):
        rule = _not_before_identification if name == "_date" else PRECONDITIONS[name]
        reason = rule(facts, payload, occurred_on)
        if reason is not None:
            reasons.append(str(reason))
    return reasons


def orientation_is_level(orientation: str) -> bool:
    return orientation in (Orientation.ADVICE, Orientation.COORDINATION, Orientation.AGR)
