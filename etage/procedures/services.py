"""Every write of the procedure tracker: check → execute → record.

Each service fetches the situation through the scoping door (404 outside the person's scope),
checks the permission and the input — a bad input is refused with a French message and
changes nothing — writes, and appends an access-log entry (data-protection.md #10).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from etage.core.models import AccessAction
from etage.core.services import access_log_record
from etage.procedures import deadlines
from etage.procedures.choices import (
    AMOUNT_KINDS,
    DETAIL_FIELDS,
    TRACKS_OF,
    AidKind,
    AidStatus,
    Decision,
    EventKind,
    JudgmentOutcome,
    LeaseClause,
    ProtectionMeasure,
    Right,
    Source,
)
from etage.procedures.models import Aid, ArrearsBalance, ProcedureEvent
from etage.procedures.permissions import can_record_aids, can_record_balance, recordable_tracks
from etage.procedures.selectors import case_of, effective_events, rules_from_settings
from etage.situations.choices import Status
from etage.situations.models import Situation
from etage.situations.permissions import allowed_actions, get_situation_for_user
from etage.situations.services import ServiceError, situation_touch


class ProcedureRefused(ServiceError):
    pass


class StaleAid(ServiceError):
    def __init__(self, aid: Aid) -> None:
        granted = euros_or_none(aid.granted_amount)
        super().__init__(
            _(
                "Someone else changed this aid while you were editing it. Nothing was saved. "
                "It now reads: %(status)s, amount granted %(granted)s. Check it, then enter "
                "your change again if it is still needed."
            )
            % {"status": aid.get_status_display(), "granted": granted}
        )


def euros_or_none(amount: Decimal | None) -> str:
    return pgettext("amount", "none") if amount is None else f"{amount} €"


#: How far back a procedure fact may be dated before identification: the procedure often
#: started before the platform heard of the household (the "stage at entry"), but not decades
#: before.
HISTORY_YEARS = 10
#: Largest amount accepted (the model's 10 digits with 2 decimals).
MAX_AMOUNT = Decimal("99999999.99")
MAX_MONTHS_OF_RENT = Decimal("999.9")
#: How far ahead a detail date (hearing, extra time) may lie.
DETAIL_DATE_YEARS = 5

_DETAIL_CHOICES: dict[str, Any] = {
    "lease_clause": LeaseClause,
    "judgment_outcome": JudgmentOutcome,
    "decision": Decision,
    "right": Right,
    "measure": ProtectionMeasure,
}
_DETAIL_DATES = frozenset({"hearing_on", "adjourned_to", "until"})


# --- Shared checks -----------------------------------------------------------------------


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _check_open(situation: Situation) -> None:
    if situation.status == Status.ARCHIVED:
        raise ProcedureRefused(_("This situation is archived: nothing more can be recorded."))


def _check_date(situation: Situation, day: Any, today: dt.date) -> dt.date:
    if not isinstance(day, dt.date):
        raise ProcedureRefused(_("Give a valid date."))
    if day > today:
        raise ProcedureRefused(_("The date of the fact cannot be in the future."))
    lease = situation.tenancy.lease_signed_on
    if lease is not None and day < lease:
        raise ProcedureRefused(
            _("The date cannot be before the lease was signed (%(d)s).") % {"d": _fmt(lease)}
        )
    floor = deadlines.add_months(situation.identified_on, -12 * HISTORY_YEARS)
    if day < floor:
        raise ProcedureRefused(
            _("The date cannot be more than %(n)s years before the identification (%(d)s).")
            % {"n": HISTORY_YEARS, "d": _fmt(situation.identified_on)}
        )
    return day


def _amount(value: Any, label: str, *, positive: bool = False) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ProcedureRefused(_("%(field)s: give a number.") % {"field": label}) from None
    if not amount.is_finite():
        raise ProcedureRefused(_("%(field)s: give a number.") % {"field": label})
    if amount < 0 or (positive and amount == 0):
        raise ProcedureRefused(
            (
                _("%(field)s must be more than zero.")
                if positive
                else _("%(field)s cannot be negative.")
            )
            % {"field": label}
        )
    if amount > MAX_AMOUNT:
        raise ProcedureRefused(_("%(field)s is too large.") % {"field": label})
    return amount.quantize(Decimal("0.01"))


def _record_access(user: Any, obj: Any, situation: Situation) -> None:
    access_log_record(user=user, action=AccessAction.CHANGE, obj=obj, situation_id=situation.pk)


# --- Procedure events --------------------------------------------------------------------


def _clean_details(
    kind: str,
    details: Mapping[str, Any],
    occurred_on: dt.date,
    situation: Situation,
    events: list[ProcedureEvent],
) -> dict[str, Any]:
    allowed = DETAIL_FIELDS.get(kind, ())
    cleaned: dict[str, Any] = {}
    for key, value in details.items():
        if value in (None, ""):
            continue
        if key not in allowed:
            raise ProcedureRefused(_("This detail does not apply to this kind of event."))
        if key in _DETAIL_DATES:
            if not isinstance(value, dt.date):
                raise ProcedureRefused(_("Give a valid date."))
            if value < occurred_on:
                raise ProcedureRefused(
                    _("The hearing or end date cannot be before the date of the fact.")
                )
            if value > deadlines.add_months(occurred_on, 12 * DETAIL_DATE_YEARS):
                raise ProcedureRefused(
                    _("The hearing or end date is more than %(n)s years away: check it.")
                    % {"n": DETAIL_DATE_YEARS}
                )
            cleaned[key] = value.isoformat()
        elif key == "months":
            cleaned[key] = _protocol_months(kind, value, situation, events)
        else:
            enum = _DETAIL_CHOICES[key]
            if value not in enum.values:
                raise ProcedureRefused(_("Choose a value from the list."))
            cleaned[key] = value
    return cleaned


def _protocol_months(
    kind: str, value: Any, situation: Situation, events: list[ProcedureEvent]
) -> int:
    try:
        months = int(value)
    except (TypeError, ValueError):
        raise ProcedureRefused(_("Give a whole number of months.")) from None
    rules = rules_from_settings()
    if kind == EventKind.PROTOCOL_SIGNED:
        if not 1 <= months <= rules.protocol_max_months:
            raise ProcedureRefused(
                _("A social cohesion protocol lasts from 1 to %(n)s months.")
                % {"n": rules.protocol_max_months}
            )
        return months
    left = deadlines.protocol_extension_left(case_of(situation, events, []), rules)
    if left == 0 and not any(e.kind == EventKind.PROTOCOL_SIGNED for e in events):
        raise ProcedureRefused(_("No social cohesion protocol is recorded: record it first."))
    if not 1 <= months <= left:
        raise ProcedureRefused(
            _(
                "The protocol can be extended by %(left)s more months at most "
                "(%(max)s months in all)."
            )
            % {"left": left, "max": rules.protocol_extension_max_months}
        )
    return months


@transaction.atomic
def procedure_event_record(
    *,
    user: Any,
    situation_id: int,
    kind: str,
    occurred_on: dt.date | None,
    source: str,
    track: str = "",
    amount: Any = None,
    months_of_rent: Any = None,
    details: Mapping[str, Any] | None = None,
    corrects_id: int | None = None,
    is_void: bool = False,
    today: dt.date | None = None,
) -> ProcedureEvent:
    """Record one dated procedure event (or a correction of one: ``corrects_id``; with
    ``is_void`` the original is declared recorded in error and the other fields are ignored).

    Preconditions: the person may see the situation (else 404) and record events of the
    track. Raises :class:`ProcedureRefused` and changes nothing on bad input.
    """
    today = today or timezone.localdate()
    situation = get_situation_for_user(user, situation_id)
    actions = allowed_actions(user, situation)
    recordable = recordable_tracks(actions)
    if not recordable:
        raise ProcedureRefused(_("Your role does not allow you to record procedure events."))
    _check_open(situation)
    original = None
    if corrects_id is not None:
        original = (
            ProcedureEvent.objects.select_for_update()
            .filter(situation=situation, pk=corrects_id)
            .first()
        )
        if original is None or original.track not in recordable:
            raise Http404
        if original.corrections.exists():
            raise ProcedureRefused(
                _("This event has already been corrected: correct the correction.")
            )
        if original.is_void:
            raise ProcedureRefused(_("This entry was declared recorded in error."))
        if is_void:
            kind, track, occurred_on = original.kind, original.track, original.occurred_on
            amount = months_of_rent = None
            details = {}
            source = original.source
    if kind not in EventKind.values:
        raise ProcedureRefused(_("Choose a kind of event from the list."))
    tracks = TRACKS_OF[kind]
    track = track or tracks[0]
    if track not in tracks:
        raise ProcedureRefused(_("This event does not belong to the chosen procedure."))
    if track not in recordable:
        raise ProcedureRefused(_("Your role does not allow you to record this kind of event."))
    if source not in Source.values:
        raise ProcedureRefused(_("Say who reported the fact."))
    occurred_on = _check_date(situation, occurred_on, today)
    amount_value = _amount(amount, _("The amount"))
    months_value = _amount(months_of_rent, _("The number of months of rent"))
    if (amount_value is not None or months_value is not None) and kind not in AMOUNT_KINDS:
        raise ProcedureRefused(_("No amount is recorded for this kind of event."))
    if months_value is not None and months_value > MAX_MONTHS_OF_RENT:
        raise ProcedureRefused(_("The number of months of rent is too large."))
    # What stands today, without the event being corrected.
    events = [
        e
        for e in effective_events(ProcedureEvent.objects.filter(situation=situation))
        if original is None or e.pk != original.pk
    ]
    cleaned = _clean_details(kind, details or {}, occurred_on, situation, events)

    event = ProcedureEvent.objects.create(
        situation=situation,
        track=track,
        kind=kind,
        occurred_on=occurred_on,
        amount=amount_value,
        months_of_rent=months_value.quantize(Decimal("0.1")) if months_value is not None else None,
        details=cleaned,
        source=source,
        recorded_by=user if getattr(user, "pk", None) else None,
        organisation_id=getattr(user, "organisation_id", None),
        corrects=original,
        is_void=is_void and original is not None,
    )
    situation_touch(situation=situation, on=occurred_on)
    _record_access(user, event, situation)
    return event


# --- Arrears balance ---------------------------------------------------------------------


@transaction.atomic
def arrears_balance_record(
    *,
    user: Any,
    situation_id: int,
    on: dt.date | None,
    amount: Any,
    source: str,
    monthly_rent: Any = None,
    today: dt.date | None = None,
) -> ArrearsBalance:
    """Record the arrears balance on a date (a new balance for the same date supersedes the
    earlier one). The monthly rent defaults to the tenancy's; the months of rent follow."""
    today = today or timezone.localdate()
    situation = get_situation_for_user(user, situation_id)
    if not can_record_balance(allowed_actions(user, situation)):
        raise ProcedureRefused(_("Your role does not allow you to record the arrears balance."))
    _check_open(situation)
    if source not in Source.values:
        raise ProcedureRefused(_("Say who reported the fact."))
    day = _check_date(situation, on, today)
    value = _amount(amount, _("The arrears"))
    if value is None:
        raise ProcedureRefused(_("Give the amount of the arrears (0 if none)."))
    rent = _amount(monthly_rent, _("The monthly rent"), positive=True)
    rent = rent or situation.tenancy.monthly_rent
    months = (value / rent).quantize(Decimal("0.1")) if rent else None
    if months is not None and months > MAX_MONTHS_OF_RENT:
        raise ProcedureRefused(_("The number of months of rent is too large."))
    balance = ArrearsBalance.objects.create(
        situation=situation,
        on=day,
        amount=value,
        monthly_rent=rent,
        months=months,
        source=source,
        recorded_by=user if getattr(user, "pk", None) else None,
    )
    situation_touch(situation=situation, on=day)
    _record_access(user, balance, situation)
    return balance


# --- Aids --------------------------------------------------------------------------------

_AID_FIELDS = (
    "kind",
    "status",
    "requested_amount",
    "granted_amount",
    "requested_on",
    "decision_on",
    "paid_on",
)


def _clean_aid(situation: Situation, values: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    kind, status = values.get("kind"), values.get("status") or AidStatus.REQUESTED
    if kind not in AidKind.values:
        raise ProcedureRefused(_("Choose the kind of aid from the list."))
    if status not in AidStatus.values:
        raise ProcedureRefused(_("Choose the status of the aid from the list."))
    requested_on = _check_date(situation, values.get("requested_on"), today)
    decision_on, paid_on = values.get("decision_on"), values.get("paid_on")
    if decision_on is not None:
        _check_date(situation, decision_on, today)
        if decision_on < requested_on:
            raise ProcedureRefused(_("The decision cannot come before the request."))
    if paid_on is not None:
        _check_date(situation, paid_on, today)
        if paid_on < (decision_on or requested_on):
            raise ProcedureRefused(_("The payment cannot come before the decision."))
    requested = _amount(values.get("requested_amount"), _("The amount requested"))
    granted = _amount(values.get("granted_amount"), _("The amount granted"))
    decided = status in (AidStatus.GRANTED, AidStatus.REFUSED, AidStatus.PAID)
    if decided and decision_on is None:
        raise ProcedureRefused(_("Give the date of the decision."))
    if status == AidStatus.REQUESTED and (decision_on or paid_on or granted):
        raise ProcedureRefused(
            _("An aid still waiting for a decision has no decision, payment or amount granted.")
        )
    if status in (AidStatus.GRANTED, AidStatus.PAID) and not granted:
        raise ProcedureRefused(_("Give the amount granted."))
    if status == AidStatus.REFUSED and (granted or paid_on):
        raise ProcedureRefused(_("A refused aid has no amount granted and no payment."))
    if status == AidStatus.PAID and paid_on is None:
        raise ProcedureRefused(_("Give the date of the payment."))
    if status == AidStatus.GRANTED and paid_on is not None:
        raise ProcedureRefused(_("An aid that has been paid has the status “Paid”."))
    return {
        "kind": kind,
        "status": status,
        "requested_amount": requested,
        "granted_amount": granted,
        "requested_on": requested_on,
        "decision_on": decision_on,
        "paid_on": paid_on,
    }


def _aid_situation(user: Any, situation_id: int) -> Situation:
    situation = get_situation_for_user(user, situation_id)
    if not can_record_aids(allowed_actions(user, situation)):
        raise ProcedureRefused(_("Your role does not allow you to record aids."))
    _check_open(situation)
    return situation


@transaction.atomic
def aid_create(
    *,
    user: Any,
    situation_id: int,
    kind: str,
    requested_on: dt.date | None,
    requested_amount: Any = None,
    status: str = AidStatus.REQUESTED,
    granted_amount: Any = None,
    decision_on: dt.date | None = None,
    paid_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Aid:
    """Record an aid requested for the household."""
    today = today or timezone.localdate()
    situation = _aid_situation(user, situation_id)
    values = _clean_aid(
        situation,
        {
            "kind": kind,
            "status": status,
            "requested_amount": requested_amount,
            "granted_amount": granted_amount,
            "requested_on": requested_on,
            "decision_on": decision_on,
            "paid_on": paid_on,
        },
        today,
    )
    aid = Aid.objects.create(
        situation=situation,
        created_by=user if getattr(user, "pk", None) else None,
        updated_by=user if getattr(user, "pk", None) else None,
        organisation_id=getattr(user, "organisation_id", None),
        **values,
    )
    situation_touch(situation=situation, on=today)
    _record_access(user, aid, situation)
    return aid


@transaction.atomic
def aid_update(
    *,
    user: Any,
    situation_id: int,
    aid_id: int,
    expected_version: int,
    changes: Mapping[str, Any],
    today: dt.date | None = None,
) -> Aid:
    """Change an aid (status, amounts, dates). ``expected_version`` is the version the person
    saw: if someone changed the aid since, :class:`StaleAid` says what it now reads and nothing
    is saved."""
    today = today or timezone.localdate()
    situation = _aid_situation(user, situation_id)
    aid = Aid.objects.filter(situation=situation, pk=aid_id).first()
    if aid is None:
        raise Http404
    if aid.version != expected_version:
        raise StaleAid(aid)
    unknown = set(changes) - set(_AID_FIELDS)
    if unknown:
        raise ProcedureRefused(_("Only the kind, status, amounts and dates of an aid change."))
    merged = {f: getattr(aid, f) for f in _AID_FIELDS} | dict(changes)
    values = _clean_aid(situation, merged, today)
    # The version check and the write are one statement: two concurrent saves cannot both
    # pass it (see situations.services.situation_transition).
    updated = Aid.objects.filter(pk=aid.pk, version=expected_version).update(
        version=F("version") + 1, updated_by=user, updated_at=timezone.now(), **values
    )
    if updated != 1:
        aid.refresh_from_db()
        raise StaleAid(aid)
    aid.refresh_from_db()
    situation_touch(situation=situation, on=today)
    _record_access(user, aid, situation)
    return aid


__all__ = [
    "ProcedureRefused",
    "StaleAid",
    "aid_create",
    "aid_update",
    "arrears_balance_record",
    "procedure_event_record",
]
