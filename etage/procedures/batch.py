"""Procedure deadlines of many situations at once — for "My work", the meeting agenda and the
scheduled notifications — in four queries whatever their number (the keys of the caller's
situations, their events and balances, then the situations that have some; three more per
10,000 situations), then the pure rules of
:mod:`etage.procedures.deadlines`, situation by situation in memory.

Events and balances are read as columns, not model instances: a coordinator of a
metropolitan platform has thousands of them, and building an instance per row was most of
"My work"'s time (docs/performance.md).

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

from django.db.models import QuerySet

from etage.procedures import deadlines
from etage.procedures.models import ArrearsBalance, ProcedureEvent
from etage.procedures.permissions import readable_tracks
from etage.procedures.selectors import fact_from, rules_from_settings
from etage.situations.models import Situation
from etage.situations.permissions_matrix import Action

#: The tracks whose events the deadline rules read.
MILESTONE_TRACKS = readable_tracks(frozenset({Action.VIEW_MILESTONES}))
#: What people act on: the last day to do something, the first day something becomes possible.
WATCHED_KINDS = frozenset({deadlines.ItemKind.DEADLINE, deadlines.ItemKind.EARLIEST})
#: Situations read per query (SQLite bounds the parameters of one statement).
ID_CHUNK = 10_000


@dataclass(frozen=True)
class SituationDeadline:
    situation: Situation
    item: deadlines.Item


def _facts(ids: list[int]) -> dict[int, list[deadlines.Fact]]:
    """Each situation's effective facts, oldest first: neither corrected by a later event nor
    void (as :func:`~etage.procedures.selectors.effective_events`)."""
    rows = (
        ProcedureEvent.objects.filter(situation_id__in=ids, track__in=MILESTONE_TRACKS)
        .order_by("occurred_on", "id")
        .values_list(
            "situation_id", "id", "corrects_id", "is_void", "kind", "occurred_on", "details"
        )
    )
    by_situation: dict[int, list[tuple]] = defaultdict(list)
    corrected: set[int] = set()
    for row in rows:
        by_situation[row[0]].append(row)
        if row[2] is not None:
            corrected.add(row[2])
    return {
        situation_id: [
            fact_from(kind, on, details)
            for _s, pk, _c, is_void, kind, on, details in events
            if pk not in corrected and not is_void
        ]
        for situation_id, events in by_situation.items()
    }


def _balances(ids: list[int]) -> dict[int, list[deadlines.Balance]]:
    """One balance per date and situation, the last one recorded for it (as
    :func:`~etage.procedures.selectors.latest_balances`), oldest first."""
    rows = (
        ArrearsBalance.objects.filter(situation_id__in=ids)
        .order_by("situation_id", "on", "recorded_at", "id")
        .values_list("situation_id", "on", "amount", "monthly_rent")
    )
    by_date: dict[int, dict[dt.date, deadlines.Balance]] = defaultdict(dict)
    for situation_id, on, amount, monthly_rent in rows:
        by_date[situation_id][on] = deadlines.Balance(on, amount, monthly_rent)
    return {situation_id: list(days.values()) for situation_id, days in by_date.items()}


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + ID_CHUNK] for i in range(0, len(ids), ID_CHUNK)]


def upcoming_deadlines(
    situations: QuerySet[Situation],
    *,
    today: dt.date,
    horizon_days: int | None = None,
    rules: deadlines.Rules | None = None,
) -> list[SituationDeadline]:
    """The deadlines and earliest-possible dates of ``situations`` still ahead and not met,
    due from ``today`` to ``today + horizon_days`` (default: the rules' "soon", 30 days),
    soonest first. Four queries (three more per 10,000 situations)."""
    rules = rules or rules_from_settings()
    horizon = rules.soon_days if horizon_days is None else horizon_days
    end = today + dt.timedelta(days=horizon)
    # The situations' keys first, then their facts by key, a chunk at a time: PostgreSQL
    # cannot tell how few situations a person's scope holds (an OR of EXISTS), so a subquery
    # made it read every procedure event of the country; a list of keys goes through the
    # index on the situation. No "has a procedure fact" filter either: that OR of two EXISTS
    # scanned both whole tables.
    keys = list(situations.order_by().values_list("pk", flat=True))
    facts: dict[int, list[deadlines.Fact]] = {}
    balances: dict[int, list[deadlines.Balance]] = {}
    for chunk in _chunks(keys):
        facts.update(_facts(chunk))
        balances.update(_balances(chunk))
    with_facts = sorted(set(facts) | set(balances))
    found: list[SituationDeadline] = []
    for chunk in _chunks(with_facts):
        for situation in situations.filter(pk__in=chunk).select_related("tenancy"):
            tenancy = situation.tenancy
            case = deadlines.Case(
                facts=tuple(facts.get(situation.pk, ())),
                balances=tuple(balances.get(situation.pk, ())),
                lease_signed_on=tenancy.lease_signed_on,
                monthly_rent=tenancy.monthly_rent,
            )
            for item in deadlines.compute(case, today=today, rules=rules):
                if item.kind in WATCHED_KINDS and item.is_upcoming and today <= item.due_on <= end:
                    found.append(SituationDeadline(situation, item))
    return sorted(
        found,
        key=lambda d: (d.item.due_on, d.situation.pk, d.item.code),
    )
