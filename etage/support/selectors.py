"""Reads of coordinated support for pages and, later, exports. Who may read the journal is
decided here, in :func:`journal_visible_to`, and nowhere else (data-protection.md #6): the
plan, the journal, documents and reviews need ``view_social`` on the situation; a private
entry (and the documents attached to it) is read only by the author's organisation.

Every function takes the situation as returned by ``get_situation_for_user`` and, when the
caller already has them, the person's allowed actions (to spare the queries).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from etage.references.models import Theme
from etage.situations.choices import Status
from etage.situations.models import Situation
from etage.situations.permissions import allowed_actions
from etage.situations.permissions_matrix import Action
from etage.support.choices import OPEN_ACTION_STATUSES, ObjectiveStatus, Visibility
from etage.support.models import (
    ActionComment,
    Document,
    JournalEntry,
    Objective,
    PlanAction,
    Review,
)


def _actions(
    user: Any, situation: Situation, actions: Iterable[Action] | None
) -> frozenset[Action]:
    return frozenset(actions) if actions is not None else allowed_actions(user, situation)


def journal_visible_to(
    user: Any, situation: Situation, *, actions: Iterable[Action] | None = None
) -> QuerySet[JournalEntry]:
    """The journal entries of ``situation`` that ``user`` may read: none without
    ``view_social``; otherwise the entries shared with the group and the private entries of
    the user's own organisation."""
    if Action.VIEW_SOCIAL not in _actions(user, situation, actions):
        return JournalEntry.objects.none()
    mine = Q(author_organisation_id=user.organisation_id) if user.organisation_id else Q(pk__in=[])
    return JournalEntry.objects.filter(Q(visibility=Visibility.GROUP) | mine, situation=situation)


def documents_visible_to(
    user: Any, situation: Situation, *, actions: Iterable[Action] | None = None
) -> QuerySet[Document]:
    """Documents of the situation, and those attached to a journal entry the user may read."""
    actions = _actions(user, situation, actions)
    if Action.VIEW_SOCIAL not in actions:
        return Document.objects.none()
    entries = journal_visible_to(user, situation, actions=actions)
    return Document.objects.filter(
        Q(journal_entry__isnull=True) | Q(journal_entry__in=entries.values("pk")),
        situation=situation,
    )


# --- Plan -------------------------------------------------------------------------------------


@dataclass
class ActionRow:
    action: PlanAction
    overdue: bool
    owner_outside_group: bool


@dataclass
class ObjectiveBlock:
    objective: Objective
    actions: list[ActionRow]


@dataclass
class ThemeBlock:
    theme: Theme
    objectives: list[ObjectiveBlock]


@dataclass
class Plan:
    themes: list[ThemeBlock] = field(default_factory=list)
    objectives: int = 0
    actions: int = 0
    overdue: int = 0
    done: int = 0


def is_overdue(action: PlanAction, today: dt.date) -> bool:
    return bool(action.due_on and action.due_on < today and action.status in OPEN_ACTION_STATUSES)


def plan_of(
    user: Any,
    situation: Situation,
    *,
    actions: Iterable[Action] | None = None,
    today: dt.date | None = None,
) -> Plan:
    """Themes → objectives → actions (owner, due date, status, overdue flag), in three
    queries whatever the size of the plan."""
    if Action.VIEW_SOCIAL not in _actions(user, situation, actions):
        return Plan()
    today = today or timezone.localdate()
    group = set(situation.shares.filter(is_active=True).values_list("organisation_id", flat=True))
    plan_actions = PlanAction.objects.select_related("owner_organisation", "owner_person").annotate(
        comment_count=Count("comments")
    )
    objectives = list(
        situation.objectives.select_related("theme").prefetch_related(
            Prefetch("actions", queryset=plan_actions)
        )
    )
    plan = Plan(objectives=len(objectives))
    by_theme: dict[int, ThemeBlock] = {}
    for objective in objectives:
        rows = [
            ActionRow(
                action,
                overdue=is_overdue(action, today),
                owner_outside_group=action.owner_organisation_id not in group,
            )
            for action in objective.actions.all()
        ]
        plan.actions += len(rows)
        plan.overdue += sum(r.overdue for r in rows)
        plan.done += sum(r.action.status == "done" for r in rows)
        block = by_theme.get(objective.theme_id)
        if block is None:
            block = by_theme[objective.theme_id] = ThemeBlock(objective.theme, [])
            plan.themes.append(block)
        block.objectives.append(ObjectiveBlock(objective, rows))
    return plan


def action_comments(action: PlanAction) -> QuerySet[ActionComment]:
    return action.comments.select_related("author", "organisation")


def active_objectives(situation: Situation) -> QuerySet[Objective]:
    return situation.objectives.filter(status=ObjectiveStatus.ACTIVE).select_related("theme")


# --- Journal ----------------------------------------------------------------------------------


def journal_page(
    user: Any,
    situation: Situation,
    *,
    actions: Iterable[Action] | None = None,
    kind: str = "",
) -> QuerySet[JournalEntry]:
    """Visible entries, newest first, with their author, what they correct, their visible
    corrections and their documents — a fixed number of queries per page."""
    actions = _actions(user, situation, actions)
    visible = journal_visible_to(user, situation, actions=actions)
    entries = visible.select_related("author", "author_organisation", "corrects").prefetch_related(
        Prefetch("corrections", queryset=visible.order_by("id")),
        Prefetch("documents", queryset=Document.objects.order_by("id")),
    )
    if kind:
        entries = entries.filter(kind=kind)
    return entries.order_by("-occurred_on", "-id")


# --- Reviews ----------------------------------------------------------------------------------


@dataclass
class ReviewSummary:
    next_review_on: dt.date | None
    overdue: bool
    days_overdue: int
    latest: Review | None
    count: int
    in_support: bool


def reviews_of(
    user: Any,
    situation: Situation,
    *,
    actions: Iterable[Action] | None = None,
    today: dt.date | None = None,
) -> ReviewSummary | None:
    if Action.VIEW_SOCIAL not in _actions(user, situation, actions):
        return None
    today = today or timezone.localdate()
    reviews = list(
        situation.reviews.select_related("recorded_by", "recorded_by_organisation").order_by(
            "-held_on", "-id"
        )[:1]
    )
    in_support = situation.status == Status.IN_SUPPORT
    due = situation.next_review_on
    overdue = bool(in_support and due and due < today)
    return ReviewSummary(
        next_review_on=due,
        overdue=overdue,
        days_overdue=(today - due).days if overdue and due else 0,
        latest=reviews[0] if reviews else None,
        count=situation.reviews.count(),
        in_support=in_support,
    )


def review_history(situation: Situation) -> QuerySet[Review]:
    return situation.reviews.select_related(
        "recorded_by", "recorded_by_organisation"
    ).prefetch_related("progress__objective")
