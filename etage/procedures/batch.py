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
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from django.db.models import QuerySet

from etage.procedures import deadlines
from etage.procedures.models import ArrearsBalance, ProcedureEvent
from etage.procedures.permissions import readable_tracks
from etage.procedures.selectors import (
    effective_events,
    fact_from,
    latest_balances,
    rules_from_settings,
)
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


class _EventRow(NamedTuple):
    situation_id: int
    pk: int
    corrects_id: int | None
    is_void: bool
    kind: str
    occurred_on: dt.date
    details: dict[str, Any] | None


class _BalanceRow(NamedTuple):
    situation_id: int
    pk: int
    on: dt.date
    recorded_at: dt.datetime
    amount: Decimal
    monthly_rent: Decimal | None


_RowT = TypeVar("_RowT", _EventRow, _BalanceRow)


def _by_situation(rows: Iterable[_RowT]) -> dict[int, list[_RowT]]:
    grouped: dict[int, list[_RowT]] = defaultdict(list)
    for row in rows:
        grouped[row.situation_id].append(row)
    return grouped


def _facts(ids: list[int]) -> dict[int, list[deadlines.Fact]]:
    """Each situation's effective facts, oldest first (the same corrections rule as the
    situation page: :func:`~etage.procedures.selectors.effective_events`)."""
    rows = (
        ProcedureEvent.objects.filter(situation_id__in=ids, track__in=MILESTONE_TRACKS)
        .order_by("occurred_on", "id")
        .values_list(*_EventRow._fields)
    )
    return {
        situation_id: [
            fact_from(e.kind, e.occurred_on, e.details) for e in effective_events(events)
        ]
        for situation_id, events in _by_situation(_EventRow(*row) for row in rows).items()
    }


def _balances(ids: list[int]) -> dict[int, list[deadlines.Balance]]:
    """One balance per date and situation, the last one recorded for it (the situation page's
    rule: :func:`~etage.procedures.selectors.latest_balances`), oldest first."""
    rows = ArrearsBalance.objects.filter(situation_id__in=ids).values_list(*_BalanceRow._fields)
    return {
        situation_id: [
            deadlines.Balance(b.on, b.amount, b.monthly_rent) for b in latest_balances(balances)
        ]
        for situation_id, balances in _by_situation(_BalanceRow(*row) for row in rows).items()
    }


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
