"""Procedure deadlines of many situations at once — for "My work" and the scheduled
notifications — in three queries whatever their number (situations, events, balances), then
the pure rules of :mod:`etage.procedures.deadlines`, situation by situation in memory.

The caller scopes the situations (``situations_visible_to(user, VIEW_MILESTONES)`` for a
person; every open situation for the scheduled command, which then checks each recipient).
Only the milestone tracks (arrears, neighbourhood) are read: the rules read no event of the
rights and health track, so the dates are the same for a rent-recovery officer and for a
professional who may read that track (``tests/procedures/test_batch.py`` holds that).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from etage.procedures import deadlines
from etage.procedures.models import ArrearsBalance, ProcedureEvent
from etage.procedures.permissions import readable_tracks
from etage.procedures.selectors import case_of, effective_events, rules_from_settings
from etage.situations.models import Situation
from etage.situations.permissions_matrix import Action

#: The tracks whose events the deadline rules read.
MILESTONE_TRACKS = readable_tracks(frozenset({Action.VIEW_MILESTONES}))
#: What people act on: the last day to do something, the first day something becomes possible.
WATCHED_KINDS = frozenset({deadlines.ItemKind.DEADLINE, deadlines.ItemKind.EARLIEST})


@dataclass(frozen=True)
class SituationDeadline:
    situation: Situation
    item: deadlines.Item


def upcoming_deadlines(
    situations: QuerySet[Situation],
    *,
    today: dt.date,
    horizon_days: int | None = None,
    rules: deadlines.Rules | None = None,
) -> list[SituationDeadline]:
    """The deadlines and earliest-possible dates of ``situations`` still ahead and not met,
    due from ``today`` to ``today + horizon_days`` (default: the rules' "soon", 30 days),
    soonest first. Three queries."""
    rules = rules or rules_from_settings()
    horizon = rules.soon_days if horizon_days is None else horizon_days
    end = today + dt.timedelta(days=horizon)
    with_facts = Q(Exists(ProcedureEvent.objects.filter(situation=OuterRef("pk")))) | Q(
        Exists(ArrearsBalance.objects.filter(situation=OuterRef("pk")))
    )
    candidates = situations.filter(with_facts).select_related("tenancy").order_by()
    rows = list(candidates)
    if not rows:
        return []
    # A subquery, not a list of ids: the number of situations has no bound here.
    ids = candidates.values("pk")
    events: dict[int, list[ProcedureEvent]] = defaultdict(list)
    for event in ProcedureEvent.objects.filter(
        situation__in=ids, track__in=MILESTONE_TRACKS
    ).order_by("occurred_on", "id"):
        events[event.situation_id].append(event)
    balances: dict[int, list[ArrearsBalance]] = defaultdict(list)
    for balance in ArrearsBalance.objects.filter(situation__in=ids).order_by("on", "id"):
        balances[balance.situation_id].append(balance)
    found: list[SituationDeadline] = []
    for situation in rows:
        case = case_of(situation, effective_events(events[situation.pk]), balances[situation.pk])
        for item in deadlines.compute(case, today=today, rules=rules):
            if item.kind in WATCHED_KINDS and item.is_upcoming and today <= item.due_on <= end:
                found.append(SituationDeadline(situation, item))
    return sorted(found, key=lambda d: (d.item.due_on, d.situation.pk, d.item.code))
