"""Reads of procedure events, balances and aids, and the deadlines computed from them. Every
function takes a situation already fetched through the scoping door
(:func:`etage.situations.permissions.get_situation_for_user`) and the person's actions on it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etage.procedures import deadlines
from etage.procedures.chart import Chart, balance_chart
from etage.procedures.choices import (
    DETAIL_FIELDS,
    Decision,
    EventKind,
    JudgmentOutcome,
    LeaseClause,
    ProtectionMeasure,
    Right,
    Track,
)
from etage.procedures.models import Aid, ArrearsBalance, ProcedureEvent
from etage.procedures.permissions import (
    can_read_aids,
    can_record_aids,
    can_record_balance,
    readable_tracks,
    recordable_tracks,
)
from etage.situations.models import Situation
from etage.situations.permissions_matrix import Action

# --- Rules -------------------------------------------------------------------------------


def rules_from_settings(overrides: Mapping[str, Any] | None = None) -> deadlines.Rules:
    """:class:`deadlines.Rules` with ``settings.ETAGE_PROCEDURE_RULES`` applied. Dates may be
    given as ISO strings; an unknown name is a configuration error (raised, not ignored)."""
    values = dict(
        getattr(settings, "ETAGE_PROCEDURE_RULES", {}) if overrides is None else overrides
    )
    known = {f.name: f for f in dataclasses.fields(deadlines.Rules)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ValueError(f"ETAGE_PROCEDURE_RULES: unknown rule(s) {', '.join(unknown)}")

    def as_date(value: Any) -> dt.date:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))

    if "lease_reform_on" in values:
        values["lease_reform_on"] = as_date(values["lease_reform_on"])
    if "truce_end_overrides" in values:
        values["truce_end_overrides"] = tuple(as_date(v) for v in values["truce_end_overrides"])
    for name in ("truce_starts", "truce_ends"):
        if name in values:
            values[name] = tuple(int(v) for v in values[name])
    if "benefit_threshold_rents" in values:
        values["benefit_threshold_rents"] = Decimal(str(values["benefit_threshold_rents"]))
    return deadlines.Rules(**values)


# --- Events as they stand after corrections ----------------------------------------------


class Correctable(Protocol):
    """What :func:`effective_events` reads: an event instance, or the batch's column row."""

    @property
    def pk(self) -> Any: ...
    @property
    def corrects_id(self) -> int | None: ...
    @property
    def is_void(self) -> bool: ...


class Recorded(Protocol):
    """What :func:`latest_balances` reads: a balance instance, or the batch's column row."""

    @property
    def pk(self) -> Any: ...
    @property
    def on(self) -> dt.date: ...
    @property
    def recorded_at(self) -> dt.datetime: ...


EventT = TypeVar("EventT", bound=Correctable)
BalanceT = TypeVar("BalanceT", bound=Recorded)


def effective_events(events: Iterable[EventT]) -> list[EventT]:
    """The events that count: neither corrected by a later one nor void. ``events`` must hold
    every event of the situation (a correction and what it corrects)."""
    events = list(events)
    corrected = {e.corrects_id for e in events if e.corrects_id is not None}
    return [e for e in events if e.pk not in corrected and not e.is_void]


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def fact_of(event: ProcedureEvent) -> deadlines.Fact:
    return fact_from(event.kind, event.occurred_on, event.details)


def fact_from(kind: str, occurred_on: dt.date, details: Mapping[str, Any] | None) -> deadlines.Fact:
    """The fact an event's columns state (the batch reads them as rows, not instances)."""
    d = details or {}
    months = d.get("months")
    return deadlines.Fact(
        kind=kind,
        on=occurred_on,
        hearing_on=_date(d.get("hearing_on")),
        adjourned_to=_date(d.get("adjourned_to")),
        until=_date(d.get("until")),
        months=int(months) if isinstance(months, int | str) and str(months).isdigit() else None,
        lease_clause=str(d.get("lease_clause", "")),
    )


def latest_balances(balances: Iterable[BalanceT]) -> list[BalanceT]:
    """One balance per date: the last one recorded for it."""
    by_date: dict[dt.date, BalanceT] = {}
    for balance in sorted(balances, key=lambda b: (b.on, b.recorded_at, b.pk)):
        by_date[balance.on] = balance
    return [by_date[day] for day in sorted(by_date)]


def case_of(
    situation: Situation,
    events: Iterable[ProcedureEvent],
    balances: Iterable[ArrearsBalance],
) -> deadlines.Case:
    tenancy = situation.tenancy
    return deadlines.Case(
        facts=tuple(fact_of(e) for e in events),
        balances=tuple(
            deadlines.Balance(b.on, b.amount, b.monthly_rent) for b in latest_balances(balances)
        ),
        lease_signed_on=tenancy.lease_signed_on,
        monthly_rent=tenancy.monthly_rent,
    )


# --- What the situation page shows -------------------------------------------------------

_DETAIL_CHOICES: dict[str, Any] = {
    "lease_clause": LeaseClause,
    "judgment_outcome": JudgmentOutcome,
    "decision": Decision,
    "right": Right,
    "measure": ProtectionMeasure,
}
DETAIL_LABELS: dict[str, Any] = {
    "lease_clause": _("Lease clause"),
    "hearing_on": _("Hearing on"),
    "adjourned_to": _("Adjourned to"),
    "judgment_outcome": _("Decision"),
    "until": _("Until"),
    "decision": _("Decision"),
    "months": _("Months"),
    "right": _("Right"),
    "measure": _("Measure"),
}


def detail_pairs(event: ProcedureEvent) -> list[tuple[str, str]]:
    """The event's details, labelled for people."""
    out: list[tuple[str, str]] = []
    for key in DETAIL_FIELDS.get(event.kind, ()):
        value = (event.details or {}).get(key)
        if value in (None, ""):
            continue
        enum = _DETAIL_CHOICES.get(key)
        if enum is not None:
            text = str(enum(value).label) if value in enum.values else str(value)
        elif isinstance(value, str) and _date(value):
            text = f"{_date(value):%d/%m/%Y}"
        else:
            text = str(value)
        out.append((str(DETAIL_LABELS[key]), text))
    return out


@dataclass(frozen=True)
class Milestone:
    event: ProcedureEvent
    details: list[tuple[str, str]]
    #: The event this one corrects, when it is a correction.
    corrected: ProcedureEvent | None
    #: A later entry corrects or cancels this one: it no longer counts.
    superseded: bool
    correctable: bool


@dataclass(frozen=True)
class BalanceRow:
    balance: ArrearsBalance
    threshold_reached: bool


@dataclass
class Panel:
    items: list[deadlines.Item]
    upcoming: list[deadlines.Item]
    overdue: list[deadlines.Item]
    milestones: list[Milestone]
    balances: list[BalanceRow]
    chart: Chart | None
    aids: list[Aid]
    show_aids: bool
    can_record_event: bool
    can_record_balance: bool
    can_record_aid: bool
    today: dt.date

    @property
    def soon(self) -> list[deadlines.Item]:
        return [i for i in self.upcoming if i.state is deadlines.ItemState.SOON]


def panel(
    situation: Situation, actions: frozenset[Action], *, today: dt.date | None = None
) -> Panel | None:
    """Everything the "Procedure and deadlines" section shows, or ``None`` when the person
    may not read milestones. Three queries: events, balances, aids."""
    if Action.VIEW_MILESTONES not in actions:
        return None
    today = today or timezone.localdate()
    tracks = readable_tracks(actions)
    recordable = recordable_tracks(actions)
    every = list(
        ProcedureEvent.objects.filter(situation=situation)
        .select_related("organisation")
        .order_by("occurred_on", "id")
    )
    by_pk = {e.pk: e for e in every}
    visible = [e for e in every if e.track in tracks]
    effective = effective_events(visible)
    balances = list(ArrearsBalance.objects.filter(situation=situation).order_by("on", "id"))
    case = case_of(situation, effective, balances)
    rules = rules_from_settings()
    items = deadlines.compute(case, today=today, rules=rules)
    corrected_ids = {e.corrects_id for e in every if e.corrects_id is not None}
    milestones = [
        Milestone(
            event=e,
            details=detail_pairs(e),
            corrected=by_pk.get(e.corrects_id) if e.corrects_id else None,
            superseded=e.pk in corrected_ids,
            correctable=e.track in recordable and e.pk not in corrected_ids and not e.is_void,
        )
        for e in sorted(visible, key=lambda e: (e.occurred_on, e.pk))
    ]
    latest = latest_balances(balances)
    threshold = rules.benefit_threshold_rents
    rows = [
        BalanceRow(
            b,
            bool(
                (rent := b.monthly_rent or situation.tenancy.monthly_rent)
                and b.amount >= threshold * rent
            ),
        )
        for b in latest
    ]
    rent = situation.tenancy.monthly_rent or next(
        (b.monthly_rent for b in reversed(latest) if b.monthly_rent), None
    )
    show_aids = can_read_aids(actions)
    return Panel(
        items=items,
        upcoming=deadlines.upcoming(items),
        overdue=[i for i in items if i.is_overdue],
        milestones=milestones,
        balances=rows,
        chart=balance_chart(
            [(b.on, b.amount) for b in latest],
            threshold=threshold * rent if rent else None,
        ),
        aids=list(situation.aids.order_by("requested_on", "id")) if show_aids else [],
        show_aids=show_aids,
        can_record_event=bool(recordable),
        can_record_balance=can_record_balance(actions),
        can_record_aid=can_record_aids(actions),
        today=today,
    )


def events_for_user(situation: Situation, actions: frozenset[Action]) -> list[ProcedureEvent]:
    """Every event of the tracks the person may read (corrections included)."""
    return list(
        ProcedureEvent.objects.filter(situation=situation, track__in=readable_tracks(actions))
    )


__all__ = [
    "EventKind",
    "Panel",
    "Track",
    "case_of",
    "effective_events",
    "panel",
    "rules_from_settings",
]
