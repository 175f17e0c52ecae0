"""Legal deadlines and warnings of the rent-arrears and eviction procedures (domain.md §4),
computed from dated procedure events. Every rule lives here, in one place.

Pure: dataclasses in (:class:`Case`), dataclasses out (:class:`Item`); no ORM, no settings.
Values that the law or a prefectoral decision may change come in through :class:`Rules`
(the defaults are the law as of 2025); ``etage.procedures.selectors.rules_from_settings``
builds it from ``settings.ETAGE_PROCEDURE_RULES``.

Date arithmetic, as the courts count:

- "*n* months after D" is the same day *n* calendar months later, clamped to the last day of
  a shorter month (31 January + 1 month = 28 February, or 29 in a leap year);
- "6 weeks" is 42 days;
- an *earliest-possible* date is the first day on which the act may take place; a *deadline*
  is the last day on which the act may (or must) take place.

Where the input leaves a doubt (lease date unknown, lease clause not checked), the rule takes
the **earlier** date and adds a warning: the point is that nobody misses the day after which
a summons or an eviction becomes possible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

StrOrPromise = str | Promise


class K:
    """Codes of the procedure events the rules read (a subset of
    :class:`etage.procedures.choices.EventKind`; a test checks they exist there)."""

    BENEFIT_THRESHOLD = "benefit_threshold"
    CAF_REPORTED = "caf_reported"
    CCAPEX_REFERRAL = "ccapex_referral"
    COMMANDEMENT = "commandement_de_payer"
    SUMMONS = "summons"
    PREFECT_NOTIFIED = "prefect_notified"
    HEARING = "hearing"
    JUDGMENT_SERVED = "judgment_served"
    APPEAL = "appeal"
    ORDER_TO_LEAVE = "order_to_leave"
    ENFORCEMENT_JUDGE_DELAY = "enforcement_judge_delay"
    POLICE_REQUESTED = "police_requested"
    POLICE_GRANTED = "police_granted"
    POLICE_REFUSED = "police_refused"
    EVICTION_CARRIED_OUT = "eviction_carried_out"
    LEFT_BEFORE_EVICTION = "left_before_eviction"
    PROTOCOL_SIGNED = "protocol_signed"
    PROTOCOL_EXTENDED = "protocol_extended"
    PROTOCOL_RESPECTED = "protocol_respected"
    PROTOCOL_BROKEN = "protocol_broken"
    NEW_LEASE_SIGNED = "new_lease_signed"

    @classmethod
    def all(cls) -> frozenset[str]:
        return frozenset(v for k, v in vars(cls).items() if k.isupper())


#: Value of the ``lease_clause`` detail of a formal order to pay that keeps the 2-month period.
CLAUSE_TWO_MONTHS = "two_months"


@dataclass(frozen=True)
class Rules:
    """The configurable values of the rules. Change one through
    ``settings.ETAGE_PROCEDURE_RULES`` (see docs/architecture.md, "Procedures and deadlines")."""

    #: Housing-benefit arrears are constituted at this many months of rent (CCH R. 824-1)…
    benefit_threshold_rents: Decimal = Decimal(2)
    #: …and the landlord reports them to the CAF within this many months (CCH R. 824-4).
    caf_report_months: int = 2
    #: Period given by a formal order to pay (law 89-462, art. 24, since law 2023-668).
    commandement_days: int = 42
    #: Period kept by leases signed before ``lease_reform_on`` whose clause says so.
    commandement_old_lease_months: int = 2
    lease_reform_on: dt.date = dt.date(2023, 7, 29)
    #: A social landlord summons no earlier than this many months after the CCAPEX referral.
    ccapex_months_before_summons: int = 2
    #: The summons reaches the préfet at least this many days before the hearing.
    prefect_days_before_hearing: int = 42
    #: Appeal: this many months from service of the judgment (CPC art. 538).
    appeal_months: int = 1
    #: No eviction before this many months after the formal order to leave (CPCE L. 412-1).
    order_to_leave_months: int = 2
    #: The préfet's silence on a request for police assistance is a refusal after this many
    #: months (CPCE R. 153-1).
    police_answer_months: int = 2
    #: Winter truce (CPCE L. 412-6): (month, day) of its first and last day.
    truce_starts: tuple[int, int] = (11, 1)
    truce_ends: tuple[int, int] = (3, 31)
    #: A truce extended (or shortened) for one winter: the new last day, in the year the truce
    #: ends. ``(date(2026, 4, 15),)`` extends the 2025–2026 truce to 15 April 2026.
    truce_end_overrides: tuple[dt.date, ...] = ()
    #: Social cohesion protocol (CCH L. 353-15-2, L. 442-6-5): at most this many months…
    protocol_max_months: int = 24
    #: …extendable by amendments adding at most this many months in all…
    protocol_extension_max_months: int = 36
    #: …and, once respected, a new lease within this many months.
    new_lease_months: int = 3
    #: A date within this many days of today is "soon".
    soon_days: int = 30


DEFAULT_RULES = Rules()


# --- Inputs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """One procedure event as it stands after corrections."""

    kind: str
    on: dt.date
    #: Summons: date of the hearing.
    hearing_on: dt.date | None = None
    #: Hearing: adjourned to this date.
    adjourned_to: dt.date | None = None
    #: Extra time from the enforcement judge: last day granted.
    until: dt.date | None = None
    #: Protocol signed: its duration; protocol extended: the months added.
    months: int | None = None
    #: Formal order to pay: what the lease clause gives (``two_months``, ``six_weeks``,
    #: ``unknown`` or empty).
    lease_clause: str = ""


@dataclass(frozen=True)
class Balance:
    """The arrears balance on a date, and the monthly rent it is measured against (gross
    rent and charges, or net of housing benefit when the benefit is paid to the landlord)."""

    on: dt.date
    amount: Decimal
    monthly_rent: Decimal | None = None


@dataclass(frozen=True)
class Case:
    facts: tuple[Fact, ...] = ()
    balances: tuple[Balance, ...] = ()
    lease_signed_on: dt.date | None = None
    #: Used for a balance that does not give its own rent.
    monthly_rent: Decimal | None = None


# --- Outputs -----------------------------------------------------------------------------


class ItemKind(StrEnum):
    #: The last day on which something may or must be done.
    DEADLINE = "deadline"
    #: The first day on which something becomes possible.
    EARLIEST = "earliest"
    #: Something to check.
    WARNING = "warning"


class ItemState(StrEnum):
    PAST = "past"
    SOON = "soon"  # today or within ``Rules.soon_days``
    LATER = "later"


@dataclass(frozen=True)
class Item:
    code: str
    label: StrOrPromise
    due_on: dt.date
    kind: ItemKind
    reference: StrOrPromise
    state: ItemState
    #: How the date was obtained, in words.
    basis: str = ""
    #: When what the item asks for happened (report made, summons served, appeal lodged…).
    met_on: dt.date | None = None

    @property
    def is_met(self) -> bool:
        return self.met_on is not None

    @property
    def is_upcoming(self) -> bool:
        """Not met, and not in the past: what the people on the case watch."""
        return self.met_on is None and self.state is not ItemState.PAST

    @property
    def is_overdue(self) -> bool:
        return (
            self.kind is ItemKind.DEADLINE
            and self.met_on is None
            and self.state is (ItemState.PAST)
        )


# --- Date arithmetic ---------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` calendar months later (or earlier), clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        if candidate <= day.day:
            try:
                return dt.date(year, month, candidate)
            except ValueError:
                continue
    raise ValueError(day)  # pragma: no cover — every month has a 28th


def add_days(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days)


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def truce_last_day(year: int, rules: Rules = DEFAULT_RULES) -> dt.date:
    """Last day of the winter truce that ends in ``year``."""
    for day in rules.truce_end_overrides:
        if day.year == year:
            return day
    return dt.date(year, *rules.truce_ends)


def truce_containing(day: dt.date, rules: Rules = DEFAULT_RULES) -> tuple[dt.date, dt.date] | None:
    """(first day, last day) of the winter truce that ``day`` falls in, if any."""
    for start_year in (day.year - 1, day.year):
        first = dt.date(start_year, *rules.truce_starts)
        last = truce_last_day(start_year + 1, rules)
        if first <= day <= last:
            return first, last
    return None


def out_of_truce(day: dt.date, rules: Rules = DEFAULT_RULES) -> dt.date:
    """``day``, or the day after the truce it falls in."""
    truce = truce_containing(day, rules)
    return add_days(truce[1], 1) if truce else day


def state_of(due_on: dt.date, today: dt.date, rules: Rules = DEFAULT_RULES) -> ItemState:
    if due_on < today:
        return ItemState.PAST
    if (due_on - today).days <= rules.soon_days:
        return ItemState.SOON
    return ItemState.LATER


# --- Reading the facts -------------------------------------------------------------------


class _Facts:
    def __init__(self, facts: Iterable[Fact]) -> None:
        self.facts = sorted(facts, key=lambda f: f.on)

    def of(self, *kinds: str, since: dt.date | None = None) -> list[Fact]:
        return [f for f in self.facts if f.kind in kinds and (since is None or f.on >= since)]

    def latest(self, *kinds: str, since: dt.date | None = None) -> Fact | None:
        found = self.of(*kinds, since=since)
        return found[-1] if found else None

    def first(self, *kinds: str, since: dt.date | None = None) -> Fact | None:
        found = self.of(*kinds, since=since)
        return found[0] if found else None


class _Out:
    def __init__(self, today: dt.date, rules: Rules) -> None:
        self.today, self.rules, self.items = today, rules, list[Item]()

    def add(
        self,
        code: str,
        label: StrOrPromise,
        due_on: dt.date,
        kind: ItemKind,
        reference: StrOrPromise,
        basis: StrOrPromise = "",
        met_on: dt.date | None = None,
    ) -> None:
        self.items.append(
            Item(
                code=code,
                label=label,
                due_on=due_on,
                kind=kind,
                reference=reference,
                state=state_of(due_on, self.today, self.rules),
                basis=str(basis),
                met_on=met_on,
            )
        )


# --- The rules ---------------------------------------------------------------------------


def _threshold_from_balances(case: Case, rules: Rules) -> dt.date | None:
    """The last day the balance went from below to at least the threshold."""
    crossing, below = None, True
    for balance in sorted(case.balances, key=lambda b: b.on):
        rent = balance.monthly_rent or case.monthly_rent
        if not rent:
            continue
        reached = balance.amount >= rules.benefit_threshold_rents * rent
        if reached and below:
            crossing = balance.on
        below = not reached
    return crossing


def _caf_report(case: Case, facts: _Facts, out: _Out) -> None:
    rules = out.rules
    event = facts.latest(K.BENEFIT_THRESHOLD)
    if event is not None:
        reached_on = event.on
        basis = _("threshold recorded on %(date)s") % {"date": _fmt(reached_on)}
    else:
        found = _threshold_from_balances(case, rules)
        if found is None:
            return
        reached_on = found
        basis = _("balance of %(date)s at least %(n)s months of rent") % {
            "date": _fmt(reached_on),
            "n": rules.benefit_threshold_rents.normalize(),
        }
    due = add_months(reached_on, rules.caf_report_months)
    report = facts.first(K.CAF_REPORTED, since=reached_on)
    met_on = report.on if report else None
    if met_on is None:
        cleared = [
            b.on for b in case.balances if reached_on <= b.on <= due and b.amount <= Decimal(0)
        ]
        met_on = min(cleared) if cleared else None
    out.add(
        "caf_report",
        _("Report the arrears to the CAF"),
        due,
        ItemKind.DEADLINE,
        _("Construction and Housing Code, art. R. 824-1 and R. 824-4"),
        _("%(basis)s + %(m)s months") % {"basis": basis, "m": rules.caf_report_months},
        met_on,
    )


def _commandement(case: Case, facts: _Facts, out: _Out) -> None:
    rules = out.rules
    order = facts.latest(K.COMMANDEMENT)
    if order is None:
        return
    lease = case.lease_signed_on
    old_lease = lease is not None and lease < rules.lease_reform_on
    if old_lease and order.lease_clause == CLAUSE_TWO_MONTHS:
        period_end = add_months(order.on, rules.commandement_old_lease_months)
        basis = _(
            "formal order to pay of %(date)s + %(m)s months (lease signed before %(reform)s "
            "whose clause gives two months)"
        ) % {
            "date": _fmt(order.on),
            "m": rules.commandement_old_lease_months,
            "reform": _fmt(rules.lease_reform_on),
        }
    else:
        period_end = add_days(order.on, rules.commandement_days)
        basis = _("formal order to pay of %(date)s + %(d)s days (6 weeks)") % {
            "date": _fmt(order.on),
            "d": rules.commandement_days,
        }
    reference = _(
        "Law 89-462 of 6 July 1989, art. 24 I (law 2023-668); Court of cassation, opinion of "
        "13 June 2024, for earlier leases"
    )
    out.add(
        "commandement_period_end",
        _("End of the period to pay the formal order"),
        period_end,
        ItemKind.DEADLINE,
        reference,
        basis,
    )
    if lease is None:
        out.add(
            "lease_date_unknown",
            _("Lease signing date unknown: 6 weeks assumed"),
            period_end,
            ItemKind.WARNING,
            reference,
            _("a lease signed before %(reform)s may give two months if its clause says so")
            % {"reform": _fmt(rules.lease_reform_on)},
        )
    elif old_lease and order.lease_clause not in (CLAUSE_TWO_MONTHS, "six_weeks"):
        out.add(
            "lease_clause_unknown",
            _("Check the lease clause: 6 weeks assumed"),
            period_end,
            ItemKind.WARNING,
            reference,
            _("the lease was signed on %(date)s: two months if its clause says so")
            % {"date": _fmt(lease)},
        )

    # Earliest summons: after the period, and two months after the CCAPEX referral.
    candidates: list[tuple[dt.date, StrOrPromise]] = [(period_end, basis)]
    referral = facts.latest(K.CCAPEX_REFERRAL)
    if referral is not None:
        candidates.append(
            (
                add_months(referral.on, rules.ccapex_months_before_summons),
                _("CCAPEX referral of %(date)s + %(m)s months")
                % {"date": _fmt(referral.on), "m": rules.ccapex_months_before_summons},
            )
        )
    earliest, why = max(candidates, key=lambda c: c[0])
    summons = facts.first(K.SUMMONS, since=order.on)
    summons_reference = _("Law 89-462 of 6 July 1989, art. 24 I and II")
    out.add(
        "summons_earliest",
        _("Summons possible from"),
        earliest,
        ItemKind.EARLIEST,
        summons_reference,
        why,
        summons.on if summons else None,
    )
    if referral is None and summons is None:
        out.add(
            "ccapex_referral_missing",
            _("No CCAPEX referral recorded"),
            period_end,
            ItemKind.WARNING,
            summons_reference,
            _(
                "a social landlord summons no earlier than %(m)s months after referring the "
                "case to the CCAPEX"
            )
            % {"m": rules.ccapex_months_before_summons},
        )
    if summons is not None and summons.on < earliest:
        out.add(
            "summons_too_early",
            _("Summons served before the earliest date: it may be inadmissible"),
            summons.on,
            ItemKind.WARNING,
            summons_reference,
            _("served on %(served)s, possible from %(earliest)s")
            % {"served": _fmt(summons.on), "earliest": _fmt(earliest)},
        )


def _prefect(case: Case, facts: _Facts, out: _Out) -> None:
    rules = out.rules
    summons = facts.latest(K.SUMMONS)
    if summons is None:
        return
    hearings = [summons.hearing_on] if summons.hearing_on else []
    for hearing in facts.of(K.HEARING, since=summons.on):
        hearings.append(hearing.on)
        if hearing.adjourned_to:
            hearings.append(hearing.adjourned_to)
    reference = _("Law 89-462 of 6 July 1989, art. 24 III")
    if not hearings:
        out.add(
            "hearing_date_missing",
            _("Hearing date not recorded"),
            summons.on,
            ItemKind.WARNING,
            reference,
            _("record the hearing date given in the summons"),
        )
        return
    hearing_on = max(hearings)
    latest_on = add_days(hearing_on, -rules.prefect_days_before_hearing)
    notified = [f.on for f in facts.of(K.PREFECT_NOTIFIED, since=summons.on)]
    in_time = [day for day in notified if day <= latest_on]
    out.add(
        "prefect_notification",
        _("Summons to reach the préfet no later than"),
        latest_on,
        ItemKind.DEADLINE,
        reference,
        _("hearing of %(date)s − %(d)s days (6 weeks)")
        % {"date": _fmt(hearing_on), "d": rules.prefect_days_before_hearing},
        max(in_time) if in_time else None,
    )
    if notified and not in_time:
        out.add(
            "prefect_notified_late",
            _("Préfet notified less than 6 weeks before the hearing"),
            min(notified),
            ItemKind.WARNING,
            reference,
            _("notified on %(date)s: the claim may be inadmissible")
            % {"date": _fmt(min(notified))},
        )


def _appeal(case: Case, facts: _Facts, out: _Out) -> None:
    served = facts.latest(K.JUDGMENT_SERVED)
    if served is None:
        return
    appeal = facts.first(K.APPEAL, since=served.on)
    out.add(
        "appeal_window_end",
        _("Last day to appeal the judgment"),
        add_months(served.on, out.rules.appeal_months),
        ItemKind.DEADLINE,
        _("Code of civil procedure, art. 528 and 538"),
        _("judgment served on %(date)s + %(m)s month")
        % {"date": _fmt(served.on), "m": out.rules.appeal_months},
        appeal.on if appeal else None,
    )


def _eviction(case: Case, facts: _Facts, out: _Out) -> None:
    rules = out.rules
    police_reference = _("Code of civil enforcement procedures, art. R. 153-1")
    request = facts.latest(K.POLICE_REQUESTED)
    answer = None
    if request is not None:
        answer = facts.first(K.POLICE_GRANTED, K.POLICE_REFUSED, since=request.on)
        deemed_on = add_months(request.on, rules.police_answer_months)
        out.add(
            "police_answer",
            _("Préfet's answer on police assistance (silence means refusal)"),
            deemed_on,
            ItemKind.DEADLINE,
            police_reference,
            _("request of %(date)s + %(m)s months")
            % {"date": _fmt(request.on), "m": rules.police_answer_months},
            answer.on if answer else None,
        )
        if answer is None and deemed_on < out.today:
            out.add(
                "police_deemed_refused",
                _("No answer from the préfet: police assistance deemed refused"),
                deemed_on,
                ItemKind.WARNING,
                police_reference,
            )

    order = facts.latest(K.ORDER_TO_LEAVE)
    if order is None:
        return
    reference = _("Code of civil enforcement procedures, art. L. 412-1 to L. 412-6")
    period_end = add_months(order.on, rules.order_to_leave_months)
    out.add(
        "order_to_leave_period_end",
        _("End of the two-month period after the order to leave"),
        period_end,
        ItemKind.EARLIEST,
        _("Code of civil enforcement procedures, art. L. 412-1"),
        _("order to leave of %(date)s + %(m)s months")
        % {"date": _fmt(order.on), "m": rules.order_to_leave_months},
    )
    ended = facts.first(K.EVICTION_CARRIED_OUT, K.LEFT_BEFORE_EVICTION, since=order.on)
    protocol = facts.latest(K.PROTOCOL_SIGNED, since=order.on)
    if protocol is not None and not facts.of(K.PROTOCOL_BROKEN, since=protocol.on):
        return  # The landlord renounces the eviction while the protocol runs.
    if answer is not None and answer.kind == K.POLICE_REFUSED and ended is None:
        out.add(
            "police_refused",
            _("Police assistance refused: no forced eviction without a new request"),
            answer.on,
            ItemKind.WARNING,
            police_reference,
        )
        return

    candidates: list[tuple[dt.date, StrOrPromise]] = [
        (period_end, _("end of the two-month period"))
    ]
    delay = facts.latest(K.ENFORCEMENT_JUDGE_DELAY, since=order.on)
    if delay is not None and delay.until is not None:
        candidates.append(
            (
                add_days(delay.until, 1),
                _("extra time granted until %(date)s") % {"date": _fmt(delay.until)},
            )
        )
    if request is not None and request.on >= order.on:
        if answer is not None:
            candidates.append(
                (answer.on, _("police assistance granted on %(date)s") % {"date": _fmt(answer.on)})
            )
        else:
            deemed_on = add_months(request.on, rules.police_answer_months)
            candidates.append(
                (deemed_on, _("préfet's answer due on %(date)s") % {"date": _fmt(deemed_on)})
            )
    unpushed, why = max(candidates, key=lambda c: c[0])
    earliest = out_of_truce(unpushed, rules)
    truce = truce_containing(unpushed, rules)
    if truce is not None:
        why = _("%(why)s, then the winter truce until %(date)s") % {
            "why": why,
            "date": _fmt(truce[1]),
        }
    out.add(
        "eviction_earliest",
        _("Eviction possible from"),
        earliest,
        ItemKind.EARLIEST,
        reference,
        why,
        ended.on if ended else None,
    )
    current = truce_containing(out.today, rules)
    if ended is None and current is not None and unpushed <= current[1]:
        out.add(
            "winter_truce",
            _("Winter truce: no eviction until the end of the truce"),
            current[1],
            ItemKind.WARNING,
            _("Code of civil enforcement procedures, art. L. 412-6"),
            _("truce from %(first)s to %(last)s")
            % {"first": _fmt(current[0]), "last": _fmt(current[1])},
        )


def protocol_extension_left(case: Case, rules: Rules = DEFAULT_RULES) -> int:
    """Months by which the current protocol may still be extended."""
    facts = _Facts(case.facts)
    signed = facts.latest(K.PROTOCOL_SIGNED)
    if signed is None:
        return 0
    used = sum(f.months or 0 for f in facts.of(K.PROTOCOL_EXTENDED, since=signed.on))
    return max(rules.protocol_extension_max_months - used, 0)


def _protocol(case: Case, facts: _Facts, out: _Out) -> None:
    rules = out.rules
    reference = _("Construction and Housing Code, art. L. 353-15-2 and L. 442-6-5")
    signed = facts.latest(K.PROTOCOL_SIGNED)
    if signed is not None:
        months = min(signed.months or rules.protocol_max_months, rules.protocol_max_months)
        extensions = facts.of(K.PROTOCOL_EXTENDED, since=signed.on)
        added = min(sum(f.months or 0 for f in extensions), rules.protocol_extension_max_months)
        basis = _("signed on %(date)s for %(m)s months") % {"date": _fmt(signed.on), "m": months}
        if added:
            basis = _("%(basis)s, extended by %(n)s months") % {"basis": basis, "n": added}
        closed = facts.first(K.PROTOCOL_RESPECTED, K.PROTOCOL_BROKEN, since=signed.on)
        out.add(
            "protocol_end",
            _("End of the social cohesion protocol"),
            add_months(signed.on, months + added),
            ItemKind.DEADLINE,
            reference,
            basis,
            closed.on if closed else None,
        )
        if closed is not None and closed.kind == K.PROTOCOL_BROKEN:
            out.add(
                "protocol_broken",
                _("Protocol broken: the landlord may enforce the judgment again"),
                closed.on,
                ItemKind.WARNING,
                reference,
            )
    respected = facts.latest(K.PROTOCOL_RESPECTED)
    if respected is not None:
        lease = facts.first(K.NEW_LEASE_SIGNED, since=respected.on)
        out.add(
            "new_lease_due",
            _("New lease to be signed no later than"),
            add_months(respected.on, rules.new_lease_months),
            ItemKind.DEADLINE,
            _("Construction and Housing Code, art. L. 442-6-5"),
            _("protocol respected on %(date)s + %(m)s months")
            % {"date": _fmt(respected.on), "m": rules.new_lease_months},
            lease.on if lease else None,
        )


RULES = (_caf_report, _commandement, _prefect, _appeal, _eviction, _protocol)


def compute(case: Case, *, today: dt.date, rules: Rules = DEFAULT_RULES) -> list[Item]:
    """Every deadline, earliest-possible date and warning that the facts give, by date."""
    facts, out = _Facts(case.facts), _Out(today, rules)
    for rule in RULES:
        rule(case, facts, out)
    return sorted(out.items, key=lambda i: (i.due_on, i.code))


def upcoming(items: Iterable[Item]) -> list[Item]:
    """What still lies ahead and is not done, soonest first."""
    return [i for i in items if i.is_upcoming]
