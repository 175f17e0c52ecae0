"""The action plan's follow-up (evaluation.md part E): where each action stands, which are late,
what the plan costs, and — for each action tied to an indicator of the catalogue — the latest
value of that indicator, so that a steering committee sees whether the action worked.

:func:`follow_up` is pure (a list of actions and a date in, counts out), so that the rules of
"late" and of the budget are tested without a database. :func:`action_lines` is the one query
of the page and of its exports; the project is already checked by
:func:`~etage.evaluation.scope.require_project`. The figures are aggregates for all territories
together, as in the evaluation matrix: nothing nominative.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from etage.evaluation.matrix import IndicatorFigure, latest_figures
from etage.evaluation.models import ActionItem, Project
from etage.evaluation.models.choices import ActionStatus

#: What is still to be done: only these can be late.
OPEN = frozenset({ActionStatus.PLANNED, ActionStatus.IN_PROGRESS})
#: How far ahead "due soon" looks.
DUE_SOON_DAYS = 30


def is_overdue(status: str, deadline: dt.date | None, today: dt.date) -> bool:
    return status in OPEN and deadline is not None and deadline < today


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class FollowUp:
    total: int
    by_status: list[StatusCount]
    overdue: int
    due_soon: int
    #: Budget of the actions not dropped, and the part of it already done.
    budget: Decimal
    budget_done: Decimal
    #: Done / (all − dropped), ``None`` when nothing is left to count.
    done_share: float | None


def follow_up(actions: Iterable[ActionItem], today: dt.date) -> FollowUp:
    counts = dict.fromkeys(ActionStatus.values, 0)
    overdue = due_soon = 0
    budget = budget_done = Decimal(0)
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    for action in actions:
        counts[action.status] = counts.get(action.status, 0) + 1
        if is_overdue(action.status, action.deadline, today):
            overdue += 1
        elif action.status in OPEN and action.deadline is not None and action.deadline <= soon:
            due_soon += 1
        if action.budget is not None and action.status != ActionStatus.DROPPED:
            budget += action.budget
            if action.status == ActionStatus.DONE:
                budget_done += action.budget
    total = sum(counts.values())
    kept = total - counts[ActionStatus.DROPPED]
    return FollowUp(
        total=total,
        by_status=[
            StatusCount(status=value, label=str(label), count=counts[value])
            for value, label in ActionStatus.choices
        ],
        overdue=overdue,
        due_soon=due_soon,
        budget=budget,
        budget_done=budget_done,
        done_share=counts[ActionStatus.DONE] / kept if kept else None,
    )


@dataclass(frozen=True)
class ActionLine:
    action: ActionItem
    overdue: bool
    figure: IndicatorFigure | None


def action_rows(project: Project) -> QuerySet[ActionItem]:
    return (
        ActionItem.objects.filter(project=project)
        .select_related("card__workshop", "recommendation", "scenario", "indicator")
        .order_by("deadline", "pk")
    )


def action_lines(
    project: Project, today: dt.date, *, status: str = "", overdue_only: bool = False
) -> tuple[FollowUp, list[ActionLine]]:
    """The follow-up of the whole plan, and the actions the filters keep (two queries)."""
    actions = list(action_rows(project))
    figures = latest_figures(list({a.indicator for a in actions if a.indicator is not None}))
    lines = [
        ActionLine(
            action=a,
            overdue=is_overdue(a.status, a.deadline, today),
            figure=figures.get(a.indicator.code) if a.indicator is not None else None,
        )
        for a in actions
    ]
    kept = [
        line
        for line in lines
        if (not status or line.action.status == status) and (line.overdue or not overdue_only)
    ]
    return follow_up(actions, today), kept


def export_header() -> list[str]:
    return [
        _("Action"),
        _("Description"),
        pgettext("action plan", "Owner"),
        _("Deadline"),
        _("Budget (€)"),
        _("Status"),
        pgettext("action plan", "Late"),
        _("Workshop card"),
        _("Workshop"),
        _("Recommendation"),
        _("Scenario"),
        _("Success indicator"),
        _("Latest value"),
        _("Period"),
    ]


def export_rows(lines: Sequence[ActionLine]) -> Iterator[list[Any]]:
    for line in lines:
        a = line.action
        figure = line.figure
        yield [
            a.title,
            a.description,
            a.owner,
            date_format(a.deadline, "SHORT_DATE_FORMAT") if a.deadline else "",
            float(a.budget) if a.budget is not None else "",
            a.get_status_display(),
            _("yes") if line.overdue else _("no"),
            a.card.title if a.card else "",
            a.card.workshop.title if a.card else "",
            a.recommendation.text if a.recommendation else "",
            a.scenario.name if a.scenario else "",
            a.indicator.name if a.indicator else "",
            figure.text if figure is not None else "",
            figure.period if figure is not None else "",
        ]
