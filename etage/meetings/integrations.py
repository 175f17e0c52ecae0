"""Where meetings meet the apps built beside them: procedure deadlines (``etage.procedures``)
put situations on the agenda, and what the platform decides about the support (a review, the
actions decided) goes into the shared plan (``etage.support``).

Each point calls the other app's public services and selectors (imported when called), never
writes its models. While an app is not installed, the point says so (``*_available()``): the
agenda has no "deadline" reason and the decision form offers neither "support continues" nor
actions — nothing pretends to have been recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps

from etage.situations.models import PathwayEvent, Situation, SituationQuerySet


def procedures_available() -> bool:
    return apps.is_installed("etage.procedures")


def support_available() -> bool:
    return apps.is_installed("etage.support")


# --- Procedures: deadlines on the agenda -------------------------------------------------------


def situations_with_deadline_between(
    situations: SituationQuerySet, start: dt.date, end: dt.date, *, today: dt.date
) -> list[int]:
    """Primary keys of ``situations`` with a procedure deadline (or an earliest-possible date,
    such as the first day an eviction may take place) still ahead, not met, between ``start``
    and ``end`` inclusive, soonest first — as the procedures app computes them."""
    if not procedures_available():
        return []
    from etage.procedures.batch import upcoming_deadlines

    # Four queries for the whole pool (procedures.batch), three more per 10,000 situations.
    # Items already past or met are never "upcoming", so ``start`` before today changes
    # nothing.
    found = upcoming_deadlines(situations, today=today, horizon_days=(end - today).days)
    return list(dict.fromkeys(d.situation.pk for d in found if start <= d.item.due_on))


# --- Support: reviews and the shared plan ------------------------------------------------------


def review_record(
    *,
    user: Any,
    situation: Situation,
    expected_version: int,
    held_on: dt.date,
    decision: str,
    next_review_on: dt.date,
    today: dt.date,
) -> PathwayEvent:
    """Record the platform's review of a situation in support through the support app's
    ``review_record`` (which sets the next review date and appends the ``review`` event);
    returns that event."""
    from etage.support import services as support

    review = support.review_record(
        user=user,
        situation_id=situation.pk,
        expected_version=expected_version,
        held_on=held_on,
        decision=decision,
        next_review_on=next_review_on,
        today=today,
    )
    return (
        PathwayEvent.objects.filter(
            situation_id=situation.pk, action="review", payload__review=review.pk
        )
        .order_by("-pk")
        .get()
    )


@dataclass(frozen=True)
class DecidedAction:
    """One action decided at the meeting, for the shared plan."""

    theme_id: int
    title: str
    owner_organisation_id: int
    objective_title: str = ""
    owner_person_id: int | None = None
    due_on: dt.date | None = None


def plan_actions_record(
    *, user: Any, situation: Situation, actions: Iterable[DecidedAction]
) -> list[int]:
    """Put the actions decided at a meeting into the situation's shared plan through the
    support app's ``objective_create`` and ``action_create``; returns the new actions' ids.

    Each action joins the objective of its theme still in progress (the one named, when an
    objective title is given), or a new objective created with that title."""
    from etage.support import services as support
    from etage.support.selectors import active_objectives

    created: list[int] = []
    for action in actions:
        candidates = active_objectives(situation).filter(theme_id=action.theme_id)
        if action.objective_title:
            candidates = candidates.filter(title__iexact=action.objective_title.strip())
        objective = candidates.order_by("-pk").first()
        if objective is None:
            objective = support.objective_create(
                user=user,
                situation_id=situation.pk,
                theme_id=action.theme_id,
                title=action.objective_title or action.title,
            )
        created.append(
            support.action_create(
                user=user,
                objective_id=objective.pk,
                title=action.title,
                owner_organisation_id=action.owner_organisation_id,
                owner_person_id=action.owner_person_id,
                due_on=action.due_on,
            ).pk
        )
    return created
