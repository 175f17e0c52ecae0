"""The rent-arrears procedure of one demo household, planned in memory (no ORM): its dated
facts (domain.md §4), the arrears balance over time and the financial aids. The history
(:mod:`etage.demo.history`) records them through the procedures services.

Two phases, like the history itself:

1. :meth:`ArrearsTrack.entry`, at identification: what happened before the platform heard of
   the household — arrears observed, reminders, and the procedure up to the stage at entry
   (formal order to pay, summons, judgment, order to leave). Facts dated after the
   identification but already fixed (the hearing a summons names) wait for phase 2.
2. :meth:`ArrearsTrack.continuation`, once the story knows until when it runs: the rest of the
   procedure, to the ending its outcome calls for, and the balances down (or up) to the debt
   at exit. An ending that needs more time than planned (an eviction, a protocol respected)
   says so through ``min_end``: the story then closes later.

An open situation may end with a fresh episode that puts a legal deadline within a few weeks
of the real today (:class:`DueSoon`), so that the pages that list upcoming deadlines have
something to show.

Legal spacing follows :mod:`etage.procedures.deadlines` (6 weeks after a formal order to pay,
2 months after the CCAPEX referral before the summons, the préfet notified more than 6 weeks
before the hearing, 2 months after the order to leave, no eviction in the winter truce), so
the demo shows no warning a real file would not.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from typing import Any

from etage.procedures.choices import (
    AidKind,
    AidStatus,
    Decision,
    JudgmentOutcome,
    LeaseClause,
    Track,
)
from etage.procedures.choices import EventKind as E
from etage.procedures.choices import Source as Src
from etage.procedures.deadlines import add_months, out_of_truce
from etage.situations.choices import EntryStage

#: Who reports these facts: the landlord's side records them when it may (rent recovery).
LANDLORD_SOURCES = frozenset({Src.LANDLORD, Src.BAILIFF, Src.COURT, Src.PREFECTURE, Src.CCAPEX})

#: Evictions were suspended in spring 2020 (the truce was extended to 10 July 2020).
_COVID_STAY = (dt.date(2020, 3, 17), dt.date(2020, 7, 10))


class Ending(StrEnum):
    """Where the procedure goes after the identification."""

    AMICABLE = "amicable"  # repayment plan respected, FSL: no judicial step
    TIME_TO_PAY = "time_to_pay"  # judgment granting time, schedule respected
    PROTOCOL = "protocol"  # termination, social cohesion protocol respected, new lease
    EVICTION = "eviction"  # termination, order to leave, police assistance, eviction
    LEFT = "left"  # termination, order to leave, the household leaves before
    STALLED = "stalled"  # a few more steps, no resolution


class DueSoon(StrEnum):
    """The legal deadline an open situation reaches within days of the real today."""

    CAF = "caf"  # report to the CAF (threshold + 2 months)
    COMMANDEMENT = "commandement"  # end of the period of a formal order to pay
    HEARING = "hearing"  # summons to reach the préfet (hearing − 6 weeks)
    PROTOCOL = "protocol"  # new lease after a protocol respected (+ 3 months)


@dataclass(frozen=True)
class Fact:
    on: dt.date
    kind: str
    source: str
    amount: Decimal | None = None
    months: Decimal | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    track: str = Track.ARREARS

    @property
    def by_landlord(self) -> bool:
        return self.source in LANDLORD_SOURCES


@dataclass(frozen=True)
class Balance:
    on: dt.date
    amount: Decimal


@dataclass(frozen=True)
class AidPlan:
    kind: str
    requested_on: dt.date
    requested_amount: Decimal
    #: What becomes of it: (date, status, amount granted); paid after a grant.
    decision_on: dt.date | None = None
    status: str = AidStatus.REQUESTED
    granted_amount: Decimal | None = None
    paid_on: dt.date | None = None


@dataclass
class Continuation:
    facts: list[Fact]
    balances: list[Balance]
    aids: list[AidPlan]
    #: The story must not close before this day (the ending needs it).
    min_end: dt.date | None = None


def money(value: float | Decimal) -> Decimal:
    return Decimal(f"{max(float(value), 0.0):.2f}")


def working(day: dt.date) -> dt.date:
    """The day, or the next working day."""
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def working_back(day: dt.date) -> dt.date:
    """The day, or the working day before."""
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def no_eviction_before(day: dt.date) -> dt.date:
    """The first day an eviction may take place: outside the winter truce and the spring
    2020 stay."""
    day = out_of_truce(day)
    if _COVID_STAY[0] <= day <= _COVID_STAY[1]:
        day = _COVID_STAY[1] + _days(5)
    return working(day)


class _Curve:
    """The debt over time, linear between anchor points."""

    def __init__(self) -> None:
        self.points: list[tuple[dt.date, Decimal]] = []

    def add(self, day: dt.date, amount: Decimal) -> None:
        self.points = sorted([p for p in self.points if p[0] != day] + [(day, amount)])

    def at(self, day: dt.date) -> Decimal:
        points = self.points
        if day <= points[0][0]:
            return points[0][1]
        for (d1, v1), (d2, v2) in pairwise(points):
            if d1 <= day <= d2:
                share = Decimal((day - d1).days) / Decimal(max((d2 - d1).days, 1))
                return money(v1 + (v2 - v1) * share)
        return points[-1][1]

    def first_reaching(self, level: Decimal, start: dt.date, end: dt.date) -> dt.date | None:
        """The first day from ``start`` to ``end`` on which the debt is at least ``level``."""
        if self.at(start) >= level:
            return start
        for (d1, v1), (d2, v2) in pairwise(self.points):
            if d2 < start or d1 > end or not v1 < level <= v2:
                continue
            day = d1 + _days(int((level - v1) / (v2 - v1) * (d2 - d1).days) + 1)
            if start <= day <= end:
                return day
        return None


@dataclass
class _Draft:
    """A fact whose amount is read on the debt curve once the curve is final."""

    on: dt.date
    kind: str
    source: str
    with_amount: bool = False
    value: Decimal | None = None
    details: dict[str, Any] = field(default_factory=dict)
    track: str = Track.ARREARS


class ArrearsTrack:
    """One household's procedure. Every draw comes from the history's ``rng``, in a fixed
    order; nothing here reads the database."""

    def __init__(
        self,
        rng: random.Random,
        *,
        identified_on: dt.date,
        stage: str,
        debt: Decimal,
        rent: Decimal,
        ending: Ending,
        due_soon: DueSoon | None,
        today: dt.date,
    ) -> None:
        self.rng = rng
        self.identified_on = identified_on
        self.stage = stage
        self.debt = debt
        self.rent = rent
        self.ending = ending
        self.due_soon = due_soon
        self.today = today
        self.curve = _Curve()
        #: Facts planned and not handed to the story yet.
        self.drafts: list[_Draft] = []
        self.aids: list[AidPlan] = []
        # Where the procedure stands.
        self.observed = identified_on
        self.commandement: dt.date | None = None
        self.ccapex: dt.date | None = None
        self.summons: dt.date | None = None
        self.hearing_on: dt.date | None = None
        self.hearings: tuple[dt.date, ...] = ()
        self.judgment: dt.date | None = None
        self.judgment_outcome = ""
        self.served: dt.date | None = None
        self.order_to_leave: dt.date | None = None
        self.threshold: dt.date | None = None

    # --- Helpers -----------------------------------------------------------------------

    def _u(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def _after(self, day: dt.date, low: int, high: int) -> dt.date:
        return working(day + _days(self._u(low, high)))

    def _fact(
        self,
        on: dt.date,
        kind: str,
        source: str,
        *,
        amount: bool = False,
        value: Decimal | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> dt.date:
        self.drafts.append(
            _Draft(on, kind, source, amount or value is not None, value, dict(details or {}))
        )
        return on

    def _take(self, keep: Any) -> list[Fact]:
        """Hand over the drafts ``keep`` accepts, with their amounts, in date order."""
        taken = [d for d in self.drafts if keep(d)]
        self.drafts = [d for d in self.drafts if not keep(d)]
        facts = []
        for d in sorted(taken, key=lambda d: d.on):
            debt = d.value if d.value is not None else self.curve.at(d.on)
            facts.append(
                Fact(
                    on=d.on,
                    kind=d.kind,
                    source=d.source,
                    amount=debt if d.with_amount else None,
                    months=(debt / self.rent).quantize(Decimal("0.1")) if d.with_amount else None,
                    details=d.details,
                    track=d.track,
                )
            )
        return facts

    # --- Phase 1: before the identification --------------------------------------------

    def entry(self) -> tuple[list[Fact], list[Balance]]:
        """The facts dated up to the identification and the balances when the arrears were
        observed and at identification. Facts already fixed but dated later (the hearing a
        summons names, the report of a threshold reached just before) wait for
        :meth:`continuation`."""
        rng, ident, stage = self.rng, self.identified_on, self.stage
        anchor = working_back(ident - _days(self._u(5, 40)))
        outcome = self._entry_judgment_outcome()
        if stage in (EntryStage.NONE, EntryStage.UNKNOWN):
            lead = self._u(20, 100) if stage == EntryStage.NONE else self._u(30, 200)
            self.observed = working_back(ident - _days(lead))
        else:
            if stage == EntryStage.COMMANDEMENT:
                self.commandement = anchor
            else:
                if stage == EntryStage.SUMMONS:
                    summons = anchor
                else:
                    if stage == EntryStage.ORDER_TO_LEAVE:
                        self.order_to_leave = anchor
                        self.served = working_back(anchor - _days(self._u(30, 120)))
                    else:
                        self.served = anchor
                    self.judgment = working_back(self.served - _days(self._u(10, 40)))
                    self.judgment_outcome = outcome
                    last = working_back(self.judgment - _days(self._u(14, 42)))
                    first = last
                    if rng.random() < 0.3:
                        first = working_back(last - _days(self._u(28, 63)))
                    self.hearings = (first, last)
                    summons = working_back(first - _days(self._u(60, 110)))
                    self.hearing_on = first
                self.summons = summons
                self.commandement = working_back(summons - _days(self._u(80, 180)))
                self.ccapex = working_back(
                    min(self.commandement + _days(self._u(10, 40)), add_months(summons, -2))
                )
            self.observed = working_back(self.commandement - _days(self._u(90, 240)))
        # The debt grew from the first unpaid rents to the debt at entry.
        share = Decimal(str(rng.uniform(0.25, 0.6))) if self.commandement else Decimal("0.7")
        self.curve.add(self.observed, money(max(self.debt * share, min(self.rent, self.debt))))
        self.curve.add(ident, self.debt)
        self._early(until=self.commandement or ident)
        if self.commandement is not None:
            clause = rng.choices(
                [LeaseClause.TWO_MONTHS, LeaseClause.SIX_WEEKS, LeaseClause.UNKNOWN],
                weights=[40, 45, 15],
            )[0]
            self._commandement(self.commandement, clause)
        if self.ccapex is not None:
            self._fact(self.ccapex, E.CCAPEX_REFERRAL, Src.LANDLORD, amount=True)
            opinion = self._after(self.ccapex, 20, 50)
            if rng.random() < 0.3 and self.summons is not None and opinion < self.summons:
                self._fact(opinion, E.CCAPEX_OPINION, Src.CCAPEX)
        if self.summons is not None:
            self._summons(self.summons, hearing_on=self.hearing_on)
        if self.judgment is not None:
            first, last = self.hearings
            if first != last:
                self._fact(first, E.HEARING, Src.COURT, details={"adjourned_to": last})
            self._fact(last, E.HEARING, Src.COURT)
            self._judgment_facts(self.judgment, outcome, served=self.served)
        if self.order_to_leave is not None:
            self._fact(self.order_to_leave, E.ORDER_TO_LEAVE, Src.BAILIFF)
        facts = self._take(lambda d: d.on <= ident)
        balances = [Balance(day, self.curve.at(day)) for day in sorted({self.observed, ident})]
        return facts, balances

    def _entry_judgment_outcome(self) -> str:
        if self.stage == EntryStage.ORDER_TO_LEAVE or self.ending in (
            Ending.PROTOCOL,
            Ending.EVICTION,
            Ending.LEFT,
        ):
            return JudgmentOutcome.TERMINATION
        if self.ending == Ending.TIME_TO_PAY:
            return JudgmentOutcome.TIME_TO_PAY
        return (
            JudgmentOutcome.TIME_TO_PAY if self.rng.random() < 0.55 else JudgmentOutcome.TERMINATION
        )

    def _early(self, *, until: dt.date) -> None:
        """Arrears observed, reminders, perhaps an amicable plan broken, the benefit
        threshold and its report to the CAF, before ``until``."""
        rng = self.rng
        t = self._fact(self.observed, E.ARREARS_OBSERVED, Src.LANDLORD, amount=True)
        for _ in range(rng.choice((1, 1, 1, 2))):
            t = self._after(t, 10, 35)
            if t >= until:
                break
            self._fact(t, E.REMINDER, Src.LANDLORD)
        span = (until - t).days
        if self.commandement is not None and span > 120 and rng.random() < 0.5:
            signed = self._fact(self._after(t, 15, 40), E.AMICABLE_PLAN_SIGNED, Src.LANDLORD)
            self.drafts[-1].with_amount = True
            broken = self._after(signed, 40, span - 60)
            if broken < until:
                self._fact(broken, E.AMICABLE_PLAN_BROKEN, Src.LANDLORD)
        self._threshold(self.observed, self.identified_on)

    def _threshold(self, start: dt.date, end: dt.date) -> None:
        """Debt of two months of rent reached between ``start`` and ``end``: the landlord
        records it and reports to the CAF within two months."""
        if self.threshold is not None:
            return
        reached = self.curve.first_reaching(2 * self.rent, start, end)
        if reached is None:
            return
        self.threshold = working(reached)
        self._fact(self.threshold, E.BENEFIT_THRESHOLD, Src.LANDLORD, amount=True)
        self._fact(self._after(self.threshold, 10, 50), E.CAF_REPORTED, Src.LANDLORD, amount=True)

    def _commandement(self, on: dt.date, clause: str) -> dt.date:
        self.commandement = on
        return self._fact(
            on, E.COMMANDEMENT_DE_PAYER, Src.BAILIFF, amount=True, details={"lease_clause": clause}
        )

    def _summons(self, on: dt.date, *, hearing_on: dt.date | None = None) -> dt.date:
        hearing_on = hearing_on or self._after(on, 60, 110)
        self.summons, self.hearing_on = on, hearing_on
        self._fact(on, E.SUMMONS, Src.BAILIFF, amount=True, details={"hearing_on": hearing_on})
        self._fact(self._after(on, 2, 10), E.PREFECT_NOTIFIED, Src.BAILIFF)
        if self.rng.random() < 0.25:
            requested = self._fact(self._after(on, 3, 15), E.DSF_REQUESTED, Src.PREFECTURE)
            delivered = self._after(requested, 15, 35)
            if delivered < hearing_on:
                self._fact(delivered, E.DSF_DELIVERED, Src.PROFESSIONAL)
        return hearing_on

    def _judgment_facts(self, on: dt.date, outcome: str, *, served: dt.date | None) -> dt.date:
        self.judgment, self.judgment_outcome = on, outcome
        self._fact(on, E.JUDGMENT, Src.COURT, amount=True, details={"judgment_outcome": outcome})
        self.served = served or self._after(on, 10, 40)
        return self._fact(self.served, E.JUDGMENT_SERVED, Src.BAILIFF)

    # --- Phase 2: after the identification ---------------------------------------------

    def continuation(
        self,
        *,
        until: dt.date,
        target: Decimal,
        is_open: bool,
        stalled_steps: int = 1,
        follow_balances: bool = True,
    ) -> Continuation:
        """The rest of the procedure, from the identification to ``until`` — the planned
        closure (the story records the last balance, the debt at exit ``target``, when it
        closes), or today for an open situation, whose debt settles to ``target`` within a
        year or so. ``follow_balances`` false: nobody follows the balance after the first
        months (a situation waiting before assessment)."""
        ident, today = self.identified_on, self.today
        settle = until
        if is_open:
            settle = min(add_months(ident, self._u(8, 16)), today)
            if self.due_soon is not None:
                # A new episode comes later: what stood at entry settled well before.
                settle = max(min(settle, add_months(today, -10)), ident + _days(90))
        t = max([ident, *(d.on for d in self.drafts)])
        ending = self.ending
        min_end: dt.date | None = None
        if ending == Ending.AMICABLE:
            min_end = self._amicable(ident, settle)
        elif ending == Ending.TIME_TO_PAY:
            min_end = self._time_to_pay(t, settle)
        elif ending == Ending.PROTOCOL:
            min_end = self._protocol(t, settle)
        elif ending in (Ending.EVICTION, Ending.LEFT):
            min_end = self._termination_end(t, left=ending == Ending.LEFT)
        else:
            self._stalled(t, settle, stalled_steps)
        # The debt reaches its target when the procedure ends (or at the closure).
        ends_on = max(settle, min_end or settle) if not is_open else settle
        self.curve.add(ends_on, target)
        self._threshold(ident, ends_on)
        if ending in (Ending.AMICABLE, Ending.TIME_TO_PAY, Ending.PROTOCOL):
            self._fsl(ident)
        if self.due_soon is not None:
            self._episode(self.due_soon, after=ends_on)
        last = today if is_open else max(until, min_end or until)
        facts = self._take(lambda d: d.on <= last and d.on <= today)
        self.drafts = []
        if is_open:
            horizon = today if follow_balances else min(today, ident + _days(90))
            balances = self._balances(horizon, include_end=True)
        else:
            balances = self._balances(last, include_end=False)
        return Continuation(
            facts=facts,
            balances=balances,
            aids=[a for a in self.aids if a.requested_on <= today],
            min_end=min_end if min_end is not None and min_end > until else None,
        )

    def _amicable(self, start: dt.date, settle: dt.date) -> dt.date:
        signed = self._fact(self._after(start, 15, 60), E.AMICABLE_PLAN_SIGNED, Src.LANDLORD)
        self.drafts[-1].with_amount = True
        respected = working(max(signed + _days(60), settle - _days(self._u(0, 30))))
        self._fact(respected, E.AMICABLE_PLAN_RESPECTED, Src.LANDLORD)
        return respected + _days(self._u(3, 20))

    def _ensure_summons(self, t: dt.date) -> dt.date:
        """Formal order to pay, CCAPEX referral and summons, with the legal spacing, when
        they have not happened yet. Returns the hearing date."""
        if self.commandement is None:
            self._commandement(
                self._after(t, 10, 40),
                self.rng.choice([LeaseClause.TWO_MONTHS, LeaseClause.SIX_WEEKS]),
            )
        assert self.commandement is not None
        if self.ccapex is None:
            self.ccapex = self._after(self.commandement, 10, 40)
            self._fact(self.ccapex, E.CCAPEX_REFERRAL, Src.LANDLORD, amount=True)
        if self.summons is None:
            earliest = max(
                add_months(self.commandement, 2), add_months(self.ccapex, 2), t + _days(1)
            )
            return self._summons(self._after(earliest, 5, 40))
        assert self.hearing_on is not None
        return self.hearing_on

    def _judge(self, t: dt.date, outcome: str) -> dt.date:
        """The hearing (adjourned once, sometimes), the judgment and its service."""
        hearing = self._ensure_summons(t)
        if self.rng.random() < 0.3:
            later = self._after(hearing, 28, 63)
            self._fact(hearing, E.HEARING, Src.COURT, details={"adjourned_to": later})
            hearing = later
        self._fact(hearing, E.HEARING, Src.COURT)
        return self._judgment_facts(self._after(hearing, 14, 42), outcome, served=None)

    def _schedule_broken(self, t: dt.date) -> dt.date:
        """Time had been granted; the schedule was broken and the termination took effect."""
        assert self.judgment is not None
        broken = self._after(max(t, self.judgment + _days(60)), 5, 30)
        self.judgment_outcome = JudgmentOutcome.TERMINATION
        return self._fact(broken, E.SCHEDULE_BROKEN, Src.LANDLORD)

    def _time_to_pay(self, t: dt.date, settle: dt.date) -> dt.date:
        if self.judgment is None:
            t = self._judge(t, JudgmentOutcome.TIME_TO_PAY)
        elif self.judgment_outcome != JudgmentOutcome.TIME_TO_PAY:
            return self._protocol(t, settle)
        assert self.served is not None
        respected = working(max(self.served + _days(90), settle - _days(self._u(0, 30)), t))
        self._fact(respected, E.SCHEDULE_RESPECTED, Src.LANDLORD)
        return respected + _days(self._u(3, 20))

    def _protocol(self, t: dt.date, settle: dt.date) -> dt.date:
        if self.judgment is None:
            t = self._judge(t, JudgmentOutcome.TERMINATION)
        elif self.judgment_outcome == JudgmentOutcome.TIME_TO_PAY:
            t = self._schedule_broken(t)
        signed = self._after(max(t, self.identified_on), 15, 60)
        if self.due_soon == DueSoon.PROTOCOL:
            return self._protocol_until_due(signed)
        room = (settle.year - signed.year) * 12 + settle.month - signed.month - 2
        months = max(6, min(24, room))
        self._fact(signed, E.PROTOCOL_SIGNED, Src.LANDLORD, amount=True, details={"months": months})
        respected = working(add_months(signed, months))
        self._fact(respected, E.PROTOCOL_RESPECTED, Src.LANDLORD)
        lease = self._fact(self._after(respected, 15, 75), E.NEW_LEASE_SIGNED, Src.LANDLORD)
        return lease + _days(self._u(3, 20))

    def _protocol_until_due(self, signed: dt.date) -> dt.date:
        """A protocol respected about three months ago: the new lease is due within weeks."""
        due = self.today + _days(self._u(5, 25))
        respected = working_back(add_months(due, -3))
        months = 24
        self._fact(signed, E.PROTOCOL_SIGNED, Src.LANDLORD, amount=True, details={"months": months})
        end = add_months(signed, months)
        if end < respected:
            gap = (respected.year - end.year) * 12 + respected.month - end.month + 1
            extended = working_back(end - _days(self._u(10, 40)))
            self._fact(
                extended, E.PROTOCOL_EXTENDED, Src.LANDLORD, details={"months": min(gap, 36)}
            )
        self._fact(respected, E.PROTOCOL_RESPECTED, Src.LANDLORD)
        return respected

    def _termination_end(self, t: dt.date, *, left: bool) -> dt.date:
        """Termination, order to leave and then the eviction (or the household leaves)."""
        if self.judgment is None:
            t = self._judge(t, JudgmentOutcome.TERMINATION)
        elif self.judgment_outcome == JudgmentOutcome.TIME_TO_PAY:
            t = self._schedule_broken(t)
        if self.order_to_leave is None:
            self.order_to_leave = self._after(max(t, self.served or t), 30, 90)
            self._fact(self.order_to_leave, E.ORDER_TO_LEAVE, Src.BAILIFF)
        order = self.order_to_leave
        if left:
            gone = self._after(max(order, self.identified_on), 20, 80)
            self._fact(gone, E.LEFT_BEFORE_EVICTION, Src.LANDLORD)
            return gone + _days(self._u(3, 20))
        earliest = add_months(order, 2)
        if self.rng.random() < 0.25:
            delay_on = self._after(order, 20, 50)
            until = self._after(earliest, 30, 120)
            self._fact(delay_on, E.ENFORCEMENT_JUDGE_DELAY, Src.COURT, details={"until": until})
            earliest = until + _days(1)
        requested = self._after(max(earliest, self.identified_on), 0, 45)
        self._fact(requested, E.POLICE_REQUESTED, Src.BAILIFF)
        granted = self._fact(self._after(requested, 20, 55), E.POLICE_GRANTED, Src.PREFECTURE)
        evicted = no_eviction_before(max(granted, earliest) + _days(self._u(7, 40)))
        self._fact(evicted, E.EVICTION_CARRIED_OUT, Src.BAILIFF)
        return evicted + _days(self._u(3, 25))

    def _stalled(self, t: dt.date, until: dt.date, steps: int) -> None:
        """A few more steps of the procedure, then nothing decided before ``until`` (later
        facts are dropped)."""
        for _ in range(steps):
            if t > until:
                return
            if self.commandement is None:
                clause = self.rng.choice([LeaseClause.TWO_MONTHS, LeaseClause.SIX_WEEKS])
                t = self._commandement(self._after(t, 30, 120), clause)
            elif self.summons is None:
                self._ensure_summons(t)
                assert self.summons is not None
                t = self.summons
            elif self.judgment is None:
                outcome = self.rng.choice(
                    [JudgmentOutcome.TIME_TO_PAY, JudgmentOutcome.TERMINATION]
                )
                t = self._judge(t, outcome)
            elif (
                self.order_to_leave is None and self.judgment_outcome == JudgmentOutcome.TERMINATION
            ):
                self.order_to_leave = self._after(max(t, self.identified_on), 30, 90)
                t = self._fact(self.order_to_leave, E.ORDER_TO_LEAVE, Src.BAILIFF)
            else:
                t = self._fact(self._after(t, 20, 60), E.REMINDER, Src.LANDLORD)

    def _fsl(self, start: dt.date) -> None:
        """An FSL application (help to stay), decided weeks later; a CAF repayment plan when
        the threshold was reached."""
        rng = self.rng
        if rng.random() < 0.65:
            applied = self._after(start, 10, 60)
            asked = money(min(float(self.curve.at(applied)), 2500.0) * rng.uniform(0.5, 1.0))
            self._fact(applied, E.FSL_APPLICATION, Src.PROFESSIONAL, value=asked)
            decided = self._after(applied, 20, 60)
            decision = rng.choices(
                [Decision.GRANTED, Decision.PARTIAL, Decision.REFUSED], weights=[70, 15, 15]
            )[0]
            if decision == Decision.REFUSED:
                self._fact(decided, E.FSL_DECISION, Src.FSL, details={"decision": decision})
                aid = AidPlan(AidKind.FSL_MAINTIEN, applied, asked, decided, AidStatus.REFUSED)
            else:
                granted = money(float(asked) * (1.0 if decision == Decision.GRANTED else 0.5))
                self._fact(
                    decided, E.FSL_DECISION, Src.FSL, value=granted, details={"decision": decision}
                )
                paid = self._after(decided, 10, 40)
                aid = AidPlan(
                    AidKind.FSL_MAINTIEN, applied, asked, decided, AidStatus.PAID, granted, paid
                )
            self.aids.append(aid)
        if self.threshold is not None and rng.random() < 0.6:
            planned = self._after(max(self.threshold, start), 30, 90)
            amount = self.curve.at(planned)
            self._fact(planned, E.CAF_PLAN, Src.CAF, amount=True)
            if rng.random() < 0.4:
                self._fact(self._after(planned, 5, 20), E.BENEFIT_KEPT, Src.CAF)
            requested = working_back(planned - _days(self._u(10, 30)))
            self.aids.append(
                AidPlan(
                    AidKind.CAF_PLAN,
                    max(requested, self.identified_on),
                    amount,
                    planned,
                    AidStatus.GRANTED,
                    amount,
                )
            )

    # --- The episode that puts a deadline within 30 days of today ------------------------

    def _episode(self, kind: DueSoon, *, after: dt.date) -> None:
        today, rng, rent = self.today, self.rng, float(self.rent)
        if kind == DueSoon.PROTOCOL:
            self.curve.add(today, money(rent * rng.uniform(0.0, 0.4)))
            return
        due = today + _days(self._u(5, 25))
        lead = {DueSoon.CAF: 150, DueSoon.COMMANDEMENT: 200, DueSoon.HEARING: 330}[kind]
        observed = working_back(max(after + _days(30), today - _days(lead + self._u(0, 30))))
        reached = working_back(add_months(due, -2))
        if kind != DueSoon.CAF:
            reached = self._after(observed, 40, 70)
        observed = min(observed, working_back(reached - _days(20)))
        self.curve.add(observed, money(rent * rng.uniform(0.8, 1.2)))
        self.curve.add(reached, money(rent * 2.05))
        self.curve.add(today, money(rent * rng.uniform(2.6, 3.6)))
        self._fact(observed, E.ARREARS_OBSERVED, Src.LANDLORD, amount=True)
        reminder = self._after(observed, 10, 18)
        if reminder < reached:
            self._fact(reminder, E.REMINDER, Src.LANDLORD)
        self._fact(reached, E.BENEFIT_THRESHOLD, Src.LANDLORD, amount=True)
        if kind == DueSoon.CAF:
            return  # …and the report to the CAF is due within weeks.
        self._fact(self._after(reached, 10, 45), E.CAF_REPORTED, Src.LANDLORD, amount=True)
        if kind == DueSoon.COMMANDEMENT:
            # The household has six weeks (lease date not recorded: the earlier date).
            clause = rng.choice([LeaseClause.SIX_WEEKS, LeaseClause.UNKNOWN])
            self._commandement(working_back(due - _days(42)), clause)
            return
        # A summons served a few weeks ago: the préfet must have it 6 weeks before the hearing.
        summons = working_back(today - _days(self._u(15, 45)))
        order = working_back(summons - _days(self._u(100, 130)))
        referral = working_back(min(order + _days(self._u(10, 30)), add_months(summons, -2)))
        self._commandement(order, LeaseClause.SIX_WEEKS)
        self._fact(referral, E.CCAPEX_REFERRAL, Src.LANDLORD, amount=True)
        hearing = working(due + _days(42))
        self._fact(summons, E.SUMMONS, Src.BAILIFF, amount=True, details={"hearing_on": hearing})

    # --- Balances ------------------------------------------------------------------------

    def _balances(self, end: dt.date, *, include_end: bool) -> list[Balance]:
        """The balance every three or four months after the identification (less often once
        the debt has settled), and on the debt curve's turning points, until ``end``."""
        rng, ident = self.rng, self.identified_on
        days: set[dt.date] = set()
        t = ident
        quiet = max((d for d, _v in self.curve.points if d <= end), default=end)
        while True:
            # Every two to four months; less often once the debt has settled.
            t = self._after(t, 75, 135) if t < quiet else self._after(t, 150, 240)
            if t >= end:
                break
            days.add(t)
        anchors = {p[0] for p in self.curve.points}
        days |= {d for d in anchors if ident < d < end}
        if include_end:
            days.add(end)
        balances = []
        for day in sorted(d for d in days if d <= self.today):
            amount = self.curve.at(day)
            if day not in anchors:  # a little noise between the anchor points
                amount = money(float(amount) * rng.uniform(0.97, 1.03))
            balances.append(Balance(day, amount))
        return balances


#: Neighbourhood and squalor facts of the demo (domain.md §4), by difficulty.
def neighbourhood_facts(
    rng: random.Random, *, identified_on: dt.date, squalor: bool, until: dt.date, settled: bool
) -> list[Fact]:
    """A complaint before the identification, a reminder of the lease rules, then mediation
    (or, for squalor, a home visit, a report and a clean-up when things settled)."""
    track = Track.NEIGHBOURHOOD
    facts = [
        Fact(
            working_back(identified_on - _days(rng.randint(10, 60))),
            E.COMPLAINT,
            Src.LANDLORD,
            track=track,
        )
    ]
    t = working(identified_on + _days(rng.randint(5, 30)))
    if squalor:
        steps = [(E.HOME_VISIT, Src.PROFESSIONAL)]
        if rng.random() < 0.5:
            steps.append((E.HYGIENE_REPORT, Src.OTHER))
        if settled:
            steps.append((E.CLEAN_UP, Src.LANDLORD))
    else:
        steps = [(E.LEASE_RULES_REMINDER, Src.LANDLORD)]
        if settled or rng.random() < 0.5:
            steps.append((E.MEDIATION, Src.PROFESSIONAL))
    for kind, source in steps:
        if t > until:
            break
        facts.append(Fact(t, kind, source, track=track))
        t = working(t + _days(rng.randint(20, 60)))
    return facts


__all__ = [
    "LANDLORD_SOURCES",
    "AidPlan",
    "ArrearsTrack",
    "Balance",
    "Continuation",
    "DueSoon",
    "Ending",
    "Fact",
    "money",
    "neighbourhood_facts",
    "no_eviction_before",
    "working",
    "working_back",
]
