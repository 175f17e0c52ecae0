"""Every write that matters on a situation: check → execute → record.

Each service checks the permission (through the permission matrix) and the workflow table,
changes state with an optimistic version check (no lost update), and appends the pathway
event — in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from etage.organisations.models import Organisation
from etage.situations import signals, workflow
from etage.situations.choices import (
    ContactOutcome,
    LegalBasis,
    Orientation,
    Outcome,
    Status,
)
from etage.situations.models import Consent, PathwayEvent, Share, Situation
from etage.situations.permissions import can, get_situation_for_user
from etage.situations.permissions_matrix import Action


class ServiceError(Exception):
    """A refusal with a message for the person (French through gettext)."""

    def __init__(self, message: str | list[str]) -> None:
        self.messages = [message] if isinstance(message, str) else list(message)
        super().__init__(" ".join(self.messages))


class TransitionRefused(ServiceError):
    pass


class StaleVersion(ServiceError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else changed this situation while you were entering your step. "
                "Nothing was saved: check the situation as it is now, then record your step "
                "again if it is still needed."
            )
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def facts_of(situation: Situation) -> workflow.Facts:
    done = {
        int(a.rsplit("_", 1)[1])
        for a in situation.events.filter(action__in=("follow_up_6", "follow_up_12")).values_list(
            "action", flat=True
        )
    }
    return workflow.Facts(
        status=situation.status,
        information_recorded=situation.information_recorded,
        level=situation.level,
        identified_on=situation.identified_on,
        closed_on=situation.closed_on,
        follow_ups_done=frozenset(done),
    )


#: Events that are not a contact or an action with the household: they do not restart the
#: retention clock (``last_activity_on``, data-protection.md #12).
NOT_ACTIVITY = frozenset({"archive", "anonymised", "landlord_follow_up_erased"})


def situation_touch(*, situation: Situation, on: dt.date) -> None:
    """Push the situation's last contact or action forward to ``on`` (never back): the clock
    of its retention. Not a change of state: no version bump, so that a note written during a
    visit never makes a colleague's open step form stale. Called for every pathway event (by
    :func:`append_event`) and every procedure event, balance and aid."""
    Situation.objects.filter(pk=situation.pk, last_activity_on__lt=on).update(last_activity_on=on)
    if situation.last_activity_on is None or situation.last_activity_on < on:
        situation.last_activity_on = on


def append_event(
    *,
    situation: Situation,
    action: str,
    occurred_on: dt.date,
    user: Any,
    payload: Mapping[str, Any] | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    corrects: PathwayEvent | None = None,
) -> PathwayEvent:
    """Append one pathway event; unless it is in :data:`NOT_ACTIVITY`, it also pushes the
    situation's last activity forward (the single place every pathway, plan, journal, review
    and sharing write goes through)."""
    if action not in NOT_ACTIVITY:
        situation_touch(situation=situation, on=occurred_on)
    return PathwayEvent.objects.create(
        situation=situation,
        action=action,
        from_status=from_status if from_status is not None else situation.status,
        to_status=to_status if to_status is not None else situation.status,
        occurred_on=occurred_on,
        actor=user if getattr(user, "pk", None) else None,
        organisation_id=getattr(user, "organisation_id", None),
        payload=_jsonable(dict(payload or {})),
        corrects=corrects,
    )


# --- What each move changes on the situation ----------------------------------------------

Apply = Callable[[Situation, Mapping[str, Any], dt.date], dict[str, Any]]


def _add_months(day: dt.date, months: int) -> dt.date:
    return workflow._months_after(day, months)


def _apply_inform(s: Situation, p: Mapping[str, Any], on: dt.date) -> dict[str, Any]:
    return {"informed_on": on, "information_method": p["method"]}


def _apply_contact(outcome: str) -> Apply:
    def apply(s: Situation, p: Mapping[str, Any], on: dt.date) -> dict[str, Any]:
        changes: dict[str, Any] = {"contact_outcome": outcome}
        if outcome != ContactOutcome.UNREACHABLE and s.first_contact_on is None:
            changes["first_contact_on"] = on
        if outcome == ContactOutcome.REFUSED:
            changes |= {"closed_on": on, "outcome": Outcome.REFUSED}
        return changes

    return apply


def _apply_assess(s: Situation, p: Mapping[str, Any], on: dt.date) -> dict[str, Any]:
    return {"assessed_on": on}


def _apply_orient(s: Situation, p: Mapping[str, Any], on: dt.date) -> dict[str, Any]:
    orientation = p["orientation"]
    is_level = workflow.orientation_is_level(orientation)
    return {
        "orientation": orientation,
        "level": orientation if is_level else "",
        "oriented_on": on,
        "lead_professional_id": p.get("lead_professional_id"),
        "referent_organisation_id": p.get("referent_organisation_id"),
    }


def _apply_start_support(s: Situation, p: Mapping[str, Any], on: dt.date) -> dict[str, Any]:
    interval = s.platform.review_interval_months
    return {
        "support_started_on": on,
        "next_review_on": p.get("next_review_on") or _add_months(on, interval),
    }


def _apply_change_level(s: Situation, p: Mapping[str, Any], on: dt.date) -> dict[str, Any]:
    return {
        "level": p["level"],
        "lead_professional_id": p.get("lead_professional_id") or s.lead_professional_id,
        "referent_organisation_id": p.get("referent_organisation_id") or s.referent_organisation_id,
    }


def _apply_suspend(s: Situation, p: Mapping[str, Any], on: dt.date) -> dict[str, Any]:
    return {"suspension_reason": p["reason"]}


def _apply_resume(s: Situation, p: Mapping[str, Any], on: dt.date) -> dict[str, Any]:
    return {"suspension_reason": ""}


def _apply_close(s: Situation, p: Mapping[str, Any], on: dt.date) -> dict[str, Any]:
    return {
        "closed_on": on,
        "outcome": p["outcome"],
        "exit_debt": p["exit_debt"],
        "housing_status": p.get("housing_status", ""),
        "next_review_on": None,
    }


def _apply_nothing(s: Situation, p: Mapping[str, Any], on: dt.date) -> dict[str, Any]:
    return {}


def _apply_archive(s: Situation, p: Mapping[str, Any], on: dt.date) -> dict[str, Any]:
    return {"archived_on": on}


APPLY: dict[str, Apply] = {
    "inform": _apply_inform,
    "contact_reached": _apply_contact(ContactOutcome.REACHED),
    "contact_unreachable": _apply_contact(ContactOutcome.UNREACHABLE),
    "contact_refused": _apply_contact(ContactOutcome.REFUSED),
    "assess": _apply_assess,
    "orient": _apply_orient,
    "start_support": _apply_start_support,
    "change_level": _apply_change_level,
    "suspend": _apply_suspend,
    "resume": _apply_resume,
    "close": _apply_close,
    "follow_up_6": _apply_nothing,
    "follow_up_12": _apply_nothing,
    "archive": _apply_archive,
}


@transaction.atomic
def situation_transition(
    *,
    user: Any,
    situation_id: int,
    action: str,
    expected_version: int,
    occurred_on: dt.date,
    payload: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
) -> PathwayEvent:
    """Move a situation along its pathway.

    Preconditions: ``user`` may see the situation (else 404); the move exists from the current
    status; the user holds the move's permission; ``expected_version`` is the version the user
    saw. Raises :class:`TransitionRefused` or :class:`StaleVersion` and changes nothing then.
    """
    payload = dict(payload or {})
    today = today or timezone.localdate()
    situation = get_situation_for_user(user, situation_id)
    # The version first: if the situation moved since the person saw it, that is what they
    # need to hear, not that their step no longer fits.
    if situation.version != expected_version:
        raise StaleVersion()
    transition = workflow.transition_for(action, situation.status)
    if transition is None:
        raise TransitionRefused(
            _("This step is not possible while the situation is “%(status)s”.")
            % {"status": situation.get_status_display()}
        )
    if not can(user, situation, transition.permission):
        raise TransitionRefused(_("Your role does not allow you to record this step."))
    if occurred_on > today:
        raise TransitionRefused(_("The date of the fact cannot be in the future."))
    reasons = workflow.check(transition, facts_of(situation), payload, occurred_on)
    if reasons:
        raise TransitionRefused(reasons)

    changes = APPLY[action](situation, payload, occurred_on)
    changes |= {
        "status": transition.target,
        "last_activity_on": max(occurred_on, situation.last_activity_on),
        "updated_at": timezone.now(),
    }
    # The version check and the write are one statement, so two concurrent moves cannot both
    # pass it: the loser updates no row (on PostgreSQL it waits for the winner's row lock and
    # then re-reads the version; on SQLite, IMMEDIATE transactions serialise the writers).
    updated = Situation.objects.filter(pk=situation.pk, version=expected_version).update(
        version=F("version") + 1, **changes
    )
    if updated != 1:
        raise StaleVersion()
    from_status = situation.status
    situation.refresh_from_db()
    event = append_event(
        situation=situation,
        action=action,
        occurred_on=occurred_on,
        user=user,
        payload=payload,
        from_status=from_status,
        to_status=transition.target,
    )
    if action in ("orient", "change_level") and situation.referent_organisation_id:
        _share_with_referent(situation, user, occurred_on)
    signals.pathway_step_recorded.send(sender=PathwayEvent, event=event, actor=user)
    return event


def _share_with_referent(situation: Situation, user: Any, on: dt.date) -> None:
    """The referent organisation named by the platform joins the sharing group: on the
    household's consent when it covers that organisation, else on shared professional secrecy
    (CASF L.121-6-2), which the platform's decision documents."""
    org_id = situation.referent_organisation_id
    if org_id is None:
        return
    if situation.shares.filter(organisation_id=org_id, is_active=True).exists():
        return
    _refuse_if_objection(situation)
    consent = (
        situation.consents.filter(withdrawn_on__isnull=True, scope__id=org_id)
        .order_by("-given_on")
        .first()
    )
    basis = LegalBasis.CONSENT if consent else LegalBasis.CASF
    share = Share.objects.create(
        situation=situation,
        organisation_id=org_id,
        legal_basis=basis,
        consent=consent,
        granted_by=user,
    )
    append_event(
        situation=situation,
        action="share_granted",
        occurred_on=on,
        user=user,
        payload={"organisation": share.organisation.code, "legal_basis": basis},
    )
    signals.share_granted.send(sender=Share, share=share, actor=user)


# --- Consent and sharing -------------------------------------------------------------------


def _refuse_if_objection(situation: Situation) -> None:
    """The person objected (data-protection.md #14): no new share until the data-protection
    officer lifts the objection."""
    from etage.privacy.selectors import objection_active

    if objection_active(situation.pk):
        raise TransitionRefused(
            _(
                "The household objects to the processing of its data: no new organisation can "
                "join the situation. Ask your data-protection officer."
            )
        )


def _check_can_share(user: Any, situation: Situation) -> None:
    if not can(user, situation, Action.MANAGE_SHARING):
        raise TransitionRefused(_("Your role does not allow you to manage sharing."))
    _refuse_if_objection(situation)
    if not situation.information_recorded:
        raise TransitionRefused(
            _(
                "Nothing can be shared before the household has been informed (or a "
                "documented emergency exception recorded)."
            )
        )


@transaction.atomic
def consent_record(
    *,
    user: Any,
    situation_id: int,
    given_on: dt.date,
    organisation_ids: Iterable[int],
    note: str = "",
    keep_landlord_history: bool = False,
) -> Consent:
    """Record the household's consent and share with the organisations it covers; with
    ``keep_landlord_history``, the household also agrees that the landlord keeps its own
    follow-up after closure (data-protection.md #13)."""
    situation = get_situation_for_user(user, situation_id)
    _check_can_share(user, situation)
    if given_on > timezone.localdate():
        raise TransitionRefused(_("The date of the fact cannot be in the future."))
    organisations = list(Organisation.objects.filter(pk__in=list(organisation_ids), is_active=True))
    if not organisations:
        raise TransitionRefused(_("Choose at least one organisation covered by the consent."))
    consent = Consent.objects.create(
        situation=situation,
        given_on=given_on,
        recorded_by=user,
        recorded_by_organisation_id=user.organisation_id,
        note=note,
        keep_landlord_history=keep_landlord_history,
    )
    consent.scope.set(organisations)
    append_event(
        situation=situation,
        action="consent_recorded",
        occurred_on=given_on,
        user=user,
        payload={
            "organisations": sorted(o.code for o in organisations),
            **({"keep_landlord_history": True} if keep_landlord_history else {}),
        },
    )
    for organisation in organisations:
        if not situation.shares.filter(organisation=organisation, is_active=True).exists():
            share = Share.objects.create(
                situation=situation,
                organisation=organisation,
                legal_basis=LegalBasis.CONSENT,
                consent=consent,
                granted_by=user,
            )
            append_event(
                situation=situation,
                action="share_granted",
                occurred_on=given_on,
                user=user,
                payload={"organisation": organisation.code, "legal_basis": LegalBasis.CONSENT},
            )
            signals.share_granted.send(sender=Share, share=share, actor=user)
    return consent


@transaction.atomic
def consent_withdraw(
    *, user: Any, situation_id: int, consent_id: int, withdrawn_on: dt.date
) -> int:
    """Withdraw a consent; every share resting on it ends in the same transaction
    (data-protection.md #2). Returns how many shares ended."""
    situation = get_situation_for_user(user, situation_id)
    if not can(user, situation, Action.MANAGE_SHARING):
        raise TransitionRefused(_("Your role does not allow you to manage sharing."))
    consent = situation.consents.select_for_update().filter(pk=consent_id).first()
    if consent is None or not consent.is_active:
        raise TransitionRefused(_("This consent is not active."))
    if withdrawn_on > timezone.localdate() or withdrawn_on < consent.given_on:
        raise TransitionRefused(
            _("The withdrawal date must be between the consent date and today.")
        )
    consent.withdrawn_on = withdrawn_on
    consent.withdrawn_by = user
    consent.save(update_fields=["withdrawn_on", "withdrawn_by"])
    shares = list(consent.shares.filter(is_active=True).select_related("organisation"))
    now = timezone.now()
    for share in shares:
        share.is_active = False
        share.revoked_at = now
        share.revoked_by = user
        share.revocation_reason = str(_("Consent withdrawn"))
        share.save(update_fields=["is_active", "revoked_at", "revoked_by", "revocation_reason"])
    append_event(
        situation=situation,
        action="consent_withdrawn",
        occurred_on=withdrawn_on,
        user=user,
        payload={"shares_ended": sorted(s.organisation.code for s in shares)},
    )
    return len(shares)


@transaction.atomic
def share_grant(
    *,
    user: Any,
    situation_id: int,
    organisation_id: int,
    legal_basis: str,
    on: dt.date | None = None,
) -> Share:
    situation = get_situation_for_user(user, situation_id)
    _check_can_share(user, situation)
    on = on or timezone.localdate()
    organisation = Organisation.objects.filter(pk=organisation_id, is_active=True).first()
    if organisation is None:
        raise TransitionRefused(_("Choose an active organisation."))
    if legal_basis not in LegalBasis.values or legal_basis == LegalBasis.ORIGIN:
        raise TransitionRefused(_("Choose the legal basis of this share."))
    if situation.shares.filter(organisation=organisation, is_active=True).exists():
        raise TransitionRefused(_("This organisation already takes part in the situation."))
    consent = None
    if legal_basis == LegalBasis.CONSENT:
        consent = (
            situation.consents.filter(withdrawn_on__isnull=True, scope=organisation)
            .order_by("-given_on")
            .first()
        )
        if consent is None:
            raise TransitionRefused(
                _("No active consent of the household covers %(org)s.") % {"org": organisation.name}
            )
    share = Share.objects.create(
        situation=situation,
        organisation=organisation,
        legal_basis=legal_basis,
        consent=consent,
        granted_by=user,
    )
    append_event(
        situation=situation,
        action="share_granted",
        occurred_on=on,
        user=user,
        payload={"organisation": organisation.code, "legal_basis": legal_basis},
    )
    signals.share_granted.send(sender=Share, share=share, actor=user)
    return share


@transaction.atomic
def share_revoke(*, user: Any, situation_id: int, share_id: int, reason: str) -> Share:
    situation = get_situation_for_user(user, situation_id)
    if not can(user, situation, Action.MANAGE_SHARING):
        raise TransitionRefused(_("Your role does not allow you to manage sharing."))
    share = (
        situation.shares.filter(pk=share_id, is_active=True).select_related("organisation").first()
    )
    if share is None:
        raise TransitionRefused(_("This share is no longer active."))
    if share.legal_basis == LegalBasis.ORIGIN:
        raise TransitionRefused(
            _("The organisation that identified the situation keeps access to it.")
        )
    if not reason.strip():
        raise TransitionRefused(_("Give the reason for ending this share."))
    share.is_active = False
    share.revoked_at = timezone.now()
    share.revoked_by = user
    share.revocation_reason = reason.strip()
    share.save(update_fields=["is_active", "revoked_at", "revoked_by", "revocation_reason"])
    append_event(
        situation=situation,
        action="share_revoked",
        occurred_on=timezone.localdate(),
        user=user,
        payload={"organisation": share.organisation.code, "reason": share.revocation_reason},
    )
    return share


#: Which situation date each dated move sets, so that correcting the move's date corrects it.
DATE_FIELDS: dict[str, str] = {
    "identify": "identified_on",
    "inform": "informed_on",
    "assess": "assessed_on",
    "orient": "oriented_on",
    "start_support": "support_started_on",
    "close": "closed_on",
    "contact_refused": "closed_on",
}

#: Events whose date may be corrected: the pathway moves, not the records of sharing.
CORRECTABLE = frozenset(workflow.ACTION_LABELS)


@transaction.atomic
def event_correct_date(
    *,
    user: Any,
    situation_id: int,
    event_id: int,
    expected_version: int,
    occurred_on: dt.date,
    reason: str,
    today: dt.date | None = None,
) -> PathwayEvent:
    """Correct the date of the fact of a pathway event. The original stays; a ``correction``
    event references it, and the situation's matching date follows."""
    today = today or timezone.localdate()
    situation = get_situation_for_user(user, situation_id)
    if not can(user, situation, Action.RECORD_STEP):
        raise TransitionRefused(_("Your role does not allow you to record this step."))
    if situation.version != expected_version:
        raise StaleVersion()
    original = situation.events.filter(pk=event_id, action__in=CORRECTABLE).first()
    if original is None:
        raise TransitionRefused(_("Only the date of a pathway step can be corrected."))
    if original.corrections.exists():
        raise TransitionRefused(_("This step has already been corrected: correct the correction."))
    if not reason.strip():
        raise TransitionRefused(_("Give the reason for the correction."))
    if occurred_on > today:
        raise TransitionRefused(_("The date of the fact cannot be in the future."))
    later_identification = original.action != "identify" and occurred_on < situation.identified_on
    if later_identification:
        raise TransitionRefused(
            _("The date cannot be before the identification date (%(d)s).")
            % {"d": situation.identified_on.strftime("%d/%m/%Y")}
        )
    if original.action == "identify":
        first_other = situation.events.exclude(pk=original.pk).order_by("occurred_on").first()
        if first_other is not None and occurred_on > first_other.occurred_on:
            raise TransitionRefused(
                _("Identification cannot come after the first step recorded (%(d)s).")
                % {"d": first_other.occurred_on.strftime("%d/%m/%Y")}
            )
    changes: dict[str, Any] = {"updated_at": timezone.now()}
    field = DATE_FIELDS.get(original.action)
    if field is not None and getattr(situation, field) == original.occurred_on:
        changes[field] = occurred_on
    updated = Situation.objects.filter(pk=situation.pk, version=expected_version).update(
        version=F("version") + 1, **changes
    )
    if updated != 1:
        raise StaleVersion()
    return append_event(
        situation=situation,
        action="correction",
        occurred_on=today,
        user=user,
        corrects=original,
        payload={
            "field": "occurred_on",
            "from": original.occurred_on,
            "to": occurred_on,
            "reason": reason.strip(),
        },
    )


def assign_reference(situation: Situation) -> None:
    """Human reference such as ``T1-00042``: territory code and a zero-padded number."""
    reference = f"{situation.platform.territory.code}-{situation.pk:05d}"
    Situation.objects.filter(pk=situation.pk).update(reference=reference)
    situation.reference = reference


__all__ = [
    "Orientation",
    "ServiceError",
    "StaleVersion",
    "Status",
    "TransitionRefused",
    "consent_record",
    "consent_withdraw",
    "event_correct_date",
    "share_grant",
    "share_revoke",
    "situation_transition",
]


@transaction.atomic
def situation_archive_expired(*, situation_id: int, today: dt.date, cutoff: dt.date) -> bool:
    """The retention job's move of a closed situation without contact or action since before
    ``cutoff`` to the intermediate archive (data-protection.md #12): status ``archived``,
    ``archived_on`` today, an ``archive`` event without actor. The conditions are re-checked
    in the update itself, so a step recorded meanwhile keeps the situation active (and a
    concurrent archive counts once). Returns whether it was archived."""
    updated = Situation.objects.filter(
        pk=situation_id, status=Status.CLOSED, last_activity_on__lt=cutoff
    ).update(
        status=Status.ARCHIVED,
        archived_on=today,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if updated != 1:
        return False
    situation = Situation.objects.get(pk=situation_id)
    append_event(
        situation=situation,
        action="archive",
        occurred_on=today,
        user=None,
        payload={"by": "retention"},
        from_status=Status.CLOSED,
        to_status=Status.ARCHIVED,
    )
    return True
