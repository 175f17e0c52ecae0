"""Writes of the rights of the person: check → execute → record.

Every service checks that the user is a data-protection officer, changes state (with an
optimistic version check on access requests: no lost update), and records what it did in the
access log — in one transaction.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from etage.core.models import AccessAction
from etage.core.services import access_log_record
from etage.households.models import Household
from etage.privacy.anonymise import anonymise_household
from etage.privacy.models import (
    AccessRequest,
    Erasure,
    LegalHold,
    Objection,
    RequestChannel,
    RequestKind,
    RequestStatus,
)
from etage.privacy.permissions import is_dpo
from etage.privacy.storage import answer_storage
from etage.situations.models import Situation
from etage.support.storage import random_name


class PrivacyRefused(Exception):
    """A refusal with a message for the person (French through gettext)."""

    def __init__(self, message: str) -> None:
        self.messages = [message]
        super().__init__(message)


class StaleRequest(PrivacyRefused):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else changed this request while you were editing it. Nothing was "
                "saved: check the request as it is now, then make your change again."
            )
        )


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later, on the same day or the last day of a shorter month
    (31 January + 1 month = 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(received_on: dt.date) -> dt.date:
    """The answer is due one month after receipt (GDPR article 12.3)."""
    return add_months(received_on, 1)


def _check(user: Any) -> None:
    if not is_dpo(user):
        raise PrivacyRefused(_("Only a data-protection officer may do this."))


def _text(value: str, *, max_length: int, label: str, required: bool = False) -> str:
    from django.core.exceptions import ValidationError

    from etage.households.validators import reject_national_identifier

    value = (value or "").strip()
    if required and not value:
        raise PrivacyRefused(_("%(label)s is required.") % {"label": label})
    if len(value) > max_length:
        raise PrivacyRefused(
            _("%(label)s is too long (%(max)s characters at most).")
            % {"label": label, "max": max_length}
        )
    try:
        reject_national_identifier(value)
    except ValidationError as exc:
        raise PrivacyRefused(" ".join(exc.messages)) from None
    return value


# --- The register ----------------------------------------------------------------------------


def _next_number(year: int) -> str:
    prefix = f"DA-{year}-"
    last = (
        AccessRequest.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    following = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{following:04d}"


@transaction.atomic
def access_request_create(
    *,
    user: Any,
    person_name: str,
    kind: str,
    channel: str,
    received_on: dt.date,
    notes: str = "",
    today: dt.date | None = None,
) -> AccessRequest:
    """Register a request; its answer is due one month after receipt."""
    _check(user)
    today = today or timezone.localdate()
    person_name = _text(
        person_name, max_length=150, label=_("The name of the person"), required=True
    )
    notes = _text(notes, max_length=2000, label=_("The notes"))
    if kind not in RequestKind.values:
        raise PrivacyRefused(_("Choose the right the person exercises."))
    if channel not in RequestChannel.values:
        raise PrivacyRefused(_("Choose how the request was received."))
    if received_on > today:
        raise PrivacyRefused(_("The date of receipt cannot be in the future."))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                request = AccessRequest.objects.create(
                    number=_next_number(received_on.year),
                    person_name=person_name,
                    kind=kind,
                    channel=channel,
                    received_on=received_on,
                    due_on=due_date(received_on),
                    notes=notes,
                    handled_by=user,
                )
            break
        except IntegrityError:  # another officer took the number at the same moment
            continue
    else:  # pragma: no cover — five collisions in a row
        raise PrivacyRefused(_("The register is busy: try again."))
    access_log_record(user=user, action=AccessAction.CHANGE, obj=request)
    return request


@transaction.atomic
def access_request_update(
    *,
    user: Any,
    request_id: int,
    expected_version: int,
    status: str,
    refusal_reason: str = "",
    answered_on: dt.date | None = None,
    notes: str = "",
    answer: UploadedFile[bytes] | None = None,
    today: dt.date | None = None,
) -> AccessRequest:
    """Change the status of a request, its notes and its answer file (checked as documents
    are: size, type, real content). A request is answered or refused with its date; a
    refusal needs its reason."""
    from etage.support.services import ServiceError, check_upload

    _check(user)
    today = today or timezone.localdate()
    request = AccessRequest.objects.filter(pk=request_id).first()
    if request is None:
        raise PrivacyRefused(_("This request does not exist."))
    if request.version != expected_version:
        raise StaleRequest()
    if status not in RequestStatus.values:
        raise PrivacyRefused(_("Choose the status of the request."))
    refusal_reason = _text(refusal_reason, max_length=500, label=_("The reason for refusing"))
    notes = _text(notes, max_length=2000, label=_("The notes"))
    if status == RequestStatus.REFUSED and not refusal_reason:
        raise PrivacyRefused(_("Say why the request is refused."))
    if status in (RequestStatus.ANSWERED, RequestStatus.REFUSED):
        answered_on = answered_on or today
        if answered_on > today or answered_on < request.received_on:
            raise PrivacyRefused(
                _("The date of the answer must be between the date of receipt and today.")
            )
    else:
        answered_on = None
    changes: dict[str, Any] = {
        "status": status,
        "refusal_reason": refusal_reason if status == RequestStatus.REFUSED else "",
        "answered_on": answered_on,
        "notes": notes,
        "handled_by": user,
    }
    stored = None
    if answer is not None:
        try:
            name, kind = check_upload(answer)
        except ServiceError as exc:
            raise PrivacyRefused(" ".join(exc.messages)) from None
        answer.seek(0)
        stored = answer_storage().save(random_name(None, name), answer)
        changes |= {
            "answer_file": stored,
            "answer_file_name": name,
            "answer_content_type": kind.content_type,
        }
    try:
        updated = AccessRequest.objects.filter(pk=request.pk, version=expected_version).update(
            **changes, version=F("version") + 1, updated_at=timezone.now()
        )
        if not updated:
            raise StaleRequest()
    except BaseException:
        if stored:
            answer_storage().delete(stored)
        raise
    if stored and request.answer_file:
        old = str(request.answer_file.name)
        transaction.on_commit(lambda: answer_storage().delete(old))
    request.refresh_from_db()
    access_log_record(user=user, action=AccessAction.CHANGE, obj=request)
    return request


# --- Reading a person's data -----------------------------------------------------------------


def _reason(reason: str) -> str:
    return _text(reason, max_length=250, label=_("The reason"), required=True)


def person_search_record(*, user: Any, households: list[Household], reason: str) -> None:
    """Log the households a search showed (one entry each, with the reason)."""
    _check(user)
    reason = _reason(reason)
    for household in households:
        access_log_record(user=user, action=AccessAction.READ, obj=household, reason=reason)


@transaction.atomic
def person_file_record(*, user: Any, household: Household, reason: str) -> None:
    """Log a production of a person's file: the household, and each of its situations."""
    _check(user)
    reason = _reason(reason)
    access_log_record(user=user, action=AccessAction.EXPORT, obj=household, reason=reason)
    for situation in Situation.objects.filter(household=household):
        access_log_record(
            user=user,
            action=AccessAction.EXPORT,
            obj=situation,
            situation_id=situation.pk,
            reason=reason,
        )


# --- Objection and legal hold ---------------------------------------------------------------


def _open_request(request_id: int, kinds: tuple[str, ...]) -> AccessRequest:
    request = AccessRequest.objects.filter(pk=request_id).first()
    if request is None or not request.is_open or request.kind not in kinds:
        raise PrivacyRefused(
            _("Choose an open request of the register for this right (%(kinds)s).")
            % {"kinds": ", ".join(str(RequestKind(k).label) for k in kinds)}
        )
    return request


@transaction.atomic
def objection_record(
    *, user: Any, situation_id: int, request_id: int, on: dt.date | None = None
) -> Objection:
    """The person objects: no new share of the situation from now on (the sharing services
    refuse), and the organisations already sharing it are told (after the commit)."""
    _check(user)
    on = on or timezone.localdate()
    situation = Situation.objects.select_for_update().filter(pk=situation_id).first()
    if situation is None:
        raise PrivacyRefused(_("This situation does not exist."))
    request = _open_request(request_id, (RequestKind.OBJECTION, RequestKind.RESTRICTION))
    if situation.objections.filter(lifted_on__isnull=True).exists():
        raise PrivacyRefused(_("An objection is already recorded for this situation."))
    objection = Objection.objects.create(
        situation=situation, access_request=request, recorded_on=on, recorded_by=user
    )
    access_log_record(
        user=user, action=AccessAction.CHANGE, obj=objection, situation_id=situation.pk
    )
    from etage.privacy.notify import objection_recorded

    transaction.on_commit(lambda: objection_recorded(objection.pk), robust=True)
    return objection


@transaction.atomic
def objection_lift(*, user: Any, objection_id: int, on: dt.date | None = None) -> Objection:
    _check(user)
    objection = Objection.objects.select_for_update().filter(pk=objection_id).first()
    if objection is None or objection.lifted_on is not None:
        raise PrivacyRefused(_("This objection is not active."))
    objection.lifted_on = on or timezone.localdate()
    objection.lifted_by = user
    objection.save(update_fields=["lifted_on", "lifted_by"])
    access_log_record(
        user=user, action=AccessAction.CHANGE, obj=objection, situation_id=objection.situation_id
    )
    return objection


@transaction.atomic
def legal_hold_set(
    *, user: Any, situation_id: int, reason: str, on: dt.date | None = None
) -> LegalHold:
    """Keep a situation from erasure and purge (a dispute, a court case), saying why."""
    _check(user)
    reason = _text(reason, max_length=300, label=_("The reason"), required=True)
    situation = Situation.objects.select_for_update().filter(pk=situation_id).first()
    if situation is None:
        raise PrivacyRefused(_("This situation does not exist."))
    if situation.legal_holds.filter(lifted_on__isnull=True).exists():
        raise PrivacyRefused(_("A legal hold is already set on this situation."))
    hold = LegalHold.objects.create(
        situation=situation, reason=reason, set_on=on or timezone.localdate(), set_by=user
    )
    access_log_record(user=user, action=AccessAction.CHANGE, obj=hold, situation_id=situation.pk)
    return hold


@transaction.atomic
def legal_hold_lift(*, user: Any, hold_id: int, on: dt.date | None = None) -> LegalHold:
    _check(user)
    hold = LegalHold.objects.select_for_update().filter(pk=hold_id).first()
    if hold is None or hold.lifted_on is not None:
        raise PrivacyRefused(_("This legal hold is not active."))
    hold.lifted_on = on or timezone.localdate()
    hold.lifted_by = user
    hold.save(update_fields=["lifted_on", "lifted_by"])
    access_log_record(
        user=user, action=AccessAction.CHANGE, obj=hold, situation_id=hold.situation_id
    )
    return hold


# --- Erasure ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureOutcome:
    erased: bool
    reason: str = ""
    counts: dict[str, int] = field(default_factory=dict)


@transaction.atomic
def household_erase(
    *, user: Any, household_id: int, request_id: int, today: dt.date | None = None
) -> ErasureOutcome:
    """Erase a household on request: refused — and the request refused with the reason
    recorded — only while a legal hold is set on one of its situations; otherwise its
    nominative data is deleted and its case data anonymised
    (:func:`etage.privacy.anonymise.anonymise_household`), and the request answered."""
    _check(user)
    today = today or timezone.localdate()
    household = Household.objects.select_for_update().filter(pk=household_id).first()
    if household is None:
        raise PrivacyRefused(_("This household does not exist."))
    request = _open_request(request_id, (RequestKind.ERASURE,))
    hold = (
        LegalHold.objects.filter(situation__household=household, lifted_on__isnull=True)
        .select_related("situation")
        .order_by("set_on", "pk")
        .first()
    )
    if hold is not None:
        reason = _("Legal hold on situation %(ref)s: %(reason)s") % {
            "ref": hold.situation.reference,
            "reason": hold.reason,
        }
        AccessRequest.objects.filter(pk=request.pk).update(
            status=RequestStatus.REFUSED,
            refusal_reason=reason[:500],
            answered_on=today,
            handled_by=user,
            version=F("version") + 1,
        )
        access_log_record(
            user=user, action=AccessAction.CHANGE, obj=request, reason=str(_("erasure refused"))
        )
        return ErasureOutcome(erased=False, reason=reason)
    access_log_record(user=user, action=AccessAction.CHANGE, obj=household, reason=request.number)
    counts = anonymise_household(household)
    Erasure.objects.create(
        access_request=request,
        household_id=household.pk,
        erased_on=today,
        erased_by=user,
        counts=counts,
    )
    AccessRequest.objects.filter(pk=request.pk).update(
        status=RequestStatus.ANSWERED,
        answered_on=today,
        handled_by=user,
        version=F("version") + 1,
    )
    return ErasureOutcome(erased=True, counts=counts)
