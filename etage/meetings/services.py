"""Every write on platform meetings: check → execute → record.

Decisions move situations only through :func:`etage.situations.services.situation_transition`
(and the support app's services for the shared plan and reviews): the meeting keeps a link to
the pathway event each decision produced, never a second path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from etage.households.validators import reject_national_identifier
from etage.meetings import integrations, selectors, signals
from etage.meetings.choices import (
    AgendaReason,
    DecisionKind,
    ItemState,
    MeetingStatus,
    PostponementReason,
)
from etage.meetings.models import AgendaItem, Decision, Meeting, MeetingAttendance, SituationFlag
from etage.meetings.permissions import get_meeting_for_user, get_platform_for_user
from etage.situations.choices import Level, Orientation, Status
from etage.situations.models import PathwayEvent, Situation
from etage.situations.permissions import get_situation_for_user, relations_of
from etage.situations.permissions_matrix import Action, Relation, allowed
from etage.situations.services import ServiceError, StaleVersion, situation_transition
from etage.territories.models import PlatformMembership


class MeetingRefused(ServiceError):
    pass


class StaleMeeting(ServiceError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else changed this meeting while you were editing it. Nothing was "
                "saved: check the meeting as it is now, then make your change again."
            )
        )


# --- Meetings --------------------------------------------------------------------------------


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime | None) -> None:
    if ends_at is not None and ends_at <= starts_at:
        raise MeetingRefused(_("The end of the meeting must come after its start."))


@transaction.atomic
def meeting_create(
    *,
    user: Any,
    platform_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    place: str = "",
    video_link: str = "",
) -> Meeting:
    """Plan a meeting of a platform the user coordinates (else 404). The platform's active
    member organisations are invited, and the agenda is built from what is waiting."""
    platform = get_platform_for_user(user, platform_id, manage=True)
    _check_times(starts_at, ends_at)
    if not place.strip() and not video_link.strip():
        raise MeetingRefused(_("Give the place of the meeting or its video link."))
    meeting = Meeting.objects.create(
        platform=platform,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        video_link=video_link.strip(),
        created_by=user,
    )
    members = PlatformMembership.objects.filter(
        platform=platform, is_active=True, organisation__is_active=True
    ).values_list("organisation_id", flat=True)
    MeetingAttendance.objects.bulk_create(
        MeetingAttendance(meeting=meeting, organisation_id=org_id, invited=True)
        for org_id in members
    )
    _agenda_fill(user, meeting)
    return meeting


@transaction.atomic
def meeting_update(
    *,
    user: Any,
    meeting_id: int,
    expected_version: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None,
    place: str,
    video_link: str,
    status: str,
) -> Meeting:
    meeting = get_meeting_for_user(user, meeting_id, manage=True)
    if meeting.version != expected_version:
        raise StaleMeeting()
    _check_times(starts_at, ends_at)
    if status not in MeetingStatus.values:
        raise MeetingRefused(_("Choose the status of the meeting."))
    if not place.strip() and not video_link.strip():
        raise MeetingRefused(_("Give the place of the meeting or its video link."))
    if status == MeetingStatus.CANCELLED and meeting.items.filter(state=ItemState.DECIDED).exists():
        raise MeetingRefused(_("A meeting where decisions were recorded cannot be cancelled."))
    _bump(
        meeting,
        expected_version,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        video_link=video_link.strip(),
        status=status,
    )
    return meeting


def _bump(meeting: Meeting, expected_version: int, **changes: Any) -> None:
    """Write ``changes`` and the next version in one conditional UPDATE (no lost update)."""
    updated = Meeting.objects.filter(pk=meeting.pk, version=expected_version).update(
        version=F("version") + 1, **changes
    )
    if updated != 1:
        raise StaleMeeting()
    meeting.refresh_from_db()


@transaction.atomic
def attendance_record(
    *, user: Any, meeting_id: int, expected_version: int, present_organisation_ids: Iterable[int]
) -> Meeting:
    """Record which invited organisations were present (the others were absent)."""
    meeting = get_meeting_for_user(user, meeting_id, manage=True)
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingRefused(_("This meeting was cancelled."))
    if meeting.version != expected_version:
        raise StaleMeeting()
    present = set(present_organisation_ids)
    rows = list(meeting.attendances.all())
    unknown = present - {row.organisation_id for row in rows}
    if unknown:
        raise MeetingRefused(_("Only the organisations invited to the meeting can be present."))
    for row in rows:
        is_present = row.organisation_id in present
        if row.present != is_present:
            row.present = is_present
            row.save(update_fields=["present"])
    _bump(meeting, expected_version)
    return meeting


# --- Agenda ----------------------------------------------------------------------------------


def _check_agenda_open(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.PLANNED:
        raise MeetingRefused(_("The agenda can be changed only while the meeting is planned."))


def _next_slot(meeting: Meeting) -> tuple[int, int]:
    """The next order and alias of the agenda. Locks the meeting's row first, so that two
    coordinators adding at once queue instead of drawing the same alias (on PostgreSQL;
    SQLite's IMMEDIATE transactions already serialise writers)."""
    Meeting.objects.select_for_update().filter(pk=meeting.pk).values_list("pk").first()
    agg = meeting.items.aggregate(order=Max("order"), alias=Max("alias_number"))
    return (agg["order"] or 0) + 1, (agg["alias"] or 0) + 1


def _agenda_fill(user: Any, meeting: Meeting) -> list[AgendaItem]:
    added = []
    for candidate in selectors.agenda_candidates(user, meeting):
        order, alias = _next_slot(meeting)
        added.append(
            AgendaItem.objects.create(
                meeting=meeting,
                situation_id=candidate.situation_id,
                reason=candidate.reason,
                order=order,
                alias_number=alias,
                carried_from_id=candidate.carried_from_id,
                added_by=user,
            )
        )
    return added


@transaction.atomic
def agenda_refresh(*, user: Any, meeting_id: int) -> list[AgendaItem]:
    """Add what has started waiting since the agenda was built; leaves the rest as it is."""
    meeting = get_meeting_for_user(user, meeting_id, manage=True)
    _check_agenda_open(meeting)
    return _agenda_fill(user, meeting)


@transaction.atomic
def agenda_add(*, user: Any, meeting_id: int, reference: str) -> AgendaItem:
    """Put a situation on the agenda by its reference — only one of this platform that the
    coordinator may decide on; any other reference gets the same answer."""
    meeting = get_meeting_for_user(user, meeting_id, manage=True)
    _check_agenda_open(meeting)
    situation = selectors.find_situation_for_agenda(user, meeting, reference)
    if situation is None:
        raise MeetingRefused(
            _("No open situation of this platform within your reach has this reference.")
        )
    item = meeting.items.filter(situation=situation).first()
    if item is not None:
        if item.state != ItemState.WITHDRAWN:
            raise MeetingRefused(_("This situation is already on the agenda."))
        order, _alias = _next_slot(meeting)
        item.state, item.order = ItemState.PENDING, order
        item.save(update_fields=["state", "order"])
        return item
    order, alias = _next_slot(meeting)
    return AgendaItem.objects.create(
        meeting=meeting,
        situation=situation,
        reason=AgendaReason.ADDED,
        order=order,
        alias_number=alias,
        added_by=user,
    )


def _item_of(user: Any, meeting_id: int, item_id: int) -> tuple[Meeting, AgendaItem]:
    meeting = get_meeting_for_user(user, meeting_id, manage=True)
    item = meeting.items.select_for_update().filter(pk=item_id).first()
    if item is None:
        raise MeetingRefused(_("This item is no longer on the agenda."))
    return meeting, item


@transaction.atomic
def agenda_withdraw(*, user: Any, meeting_id: int, item_id: int) -> AgendaItem:
    meeting, item = _item_of(user, meeting_id, item_id)
    _check_agenda_open(meeting)
    if item.state != ItemState.PENDING:
        raise MeetingRefused(_("Only an item still to be discussed can be withdrawn."))
    item.state = ItemState.WITHDRAWN
    item.save(update_fields=["state"])
    return item


@transaction.atomic
def agenda_move(*, user: Any, meeting_id: int, item_id: int, direction: str) -> AgendaItem:
    """Swap the item with its neighbour above (``up``) or below (``down``)."""
    meeting, item = _item_of(user, meeting_id, item_id)
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingRefused(_("This meeting was cancelled."))
    if direction not in ("up", "down"):
        raise MeetingRefused(_("Unknown direction."))
    items = list(meeting.items.order_by("order", "id"))
    # Renumber first, so that two items never share an order.
    for index, row in enumerate(items, start=1):
        if row.order != index:
            AgendaItem.objects.filter(pk=row.pk).update(order=index)
            row.order = index
    position = next(i for i, row in enumerate(items) if row.pk == item.pk)
    other = position - 1 if direction == "up" else position + 1
    if 0 <= other < len(items):
        a, b = items[position], items[other]
        AgendaItem.objects.filter(pk=a.pk).update(order=b.order)
        AgendaItem.objects.filter(pk=b.pk).update(order=a.order)
    item.refresh_from_db()
    return item


# --- Decisions -------------------------------------------------------------------------------


NOTE_MAX_LENGTH = 300


@dataclass
class DecisionInput:
    """What the coordinator records for one agenda item. Identifiers and codes only, plus the
    short decision note."""

    kind: str
    expected_version: int
    orientation: str = ""
    level: str = ""
    lead_professional_id: int | None = None
    referent_organisation_id: int | None = None
    next_review_on: dt.date | None = None
    postponement_reason: str = ""
    note: str = ""
    actions: list[integrations.DecidedAction] = field(default_factory=list)


def _lead_payload(data: DecisionInput) -> dict[str, Any]:
    return {
        "lead_professional_id": data.lead_professional_id,
        "referent_organisation_id": data.referent_organisation_id,
    }


@transaction.atomic
def meeting_record_decision(
    *,
    user: Any,
    meeting_id: int,
    item_id: int,
    data: DecisionInput,
    today: dt.date | None = None,
) -> Decision:
    """Record the platform's decision on one agenda item.

    Preconditions: ``user`` coordinates the meeting's platform (else 404) and may decide on
    the situation; the meeting is not cancelled and has begun (its day is today or past); the
    item is still to be discussed; ``data.expected_version`` is the situation's version the
    coordinator saw (else :class:`StaleVersion`, nothing recorded).

    Orientation and level changes go through ``situation_transition`` — an orientation of a
    situation still at "contact made" is assessed first, as the platform assesses it in
    session. "Support continues" (and a level change given a next review date) is a review
    recorded through the support app's ``review_record``; actions decided go into the shared
    plan through its ``objective_create``/``action_create``. The decision links the main
    pathway event produced. A postponement carries the item to the platform's next planned
    meeting. Any refusal along the way undoes everything (one transaction).
    """
    today = today or timezone.localdate()
    meeting, item = _item_of(user, meeting_id, item_id)
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingRefused(_("This meeting was cancelled."))
    if meeting.day > today:
        raise MeetingRefused(
            _("Decisions are recorded on the day of the meeting or after it (%(day)s).")
            % {"day": meeting.day.strftime("%d/%m/%Y")}
        )
    if item.state != ItemState.PENDING:
        raise MeetingRefused(_("A decision has already been recorded for this item."))
    situation = get_situation_for_user(user, item.situation_id, Action.DECIDE)
    if situation.version != data.expected_version:
        raise StaleVersion()
    if data.kind not in DecisionKind.values:
        raise MeetingRefused(_("Choose the decision."))
    note = data.note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise MeetingRefused(
            _("The decision note is limited to %(n)s characters.") % {"n": NOTE_MAX_LENGTH}
        )
    try:
        reject_national_identifier(note)
    except ValidationError as exc:
        raise MeetingRefused(list(exc.messages)) from None

    event: PathwayEvent | None = None
    review: PathwayEvent | None = None
    details: dict[str, Any] = {}
    next_review_on: dt.date | None = None
    postponement_reason = ""
    common = {"meeting_id": meeting.pk}
    kind = data.kind
    if kind == DecisionKind.ORIENTATION:
        if data.orientation not in Orientation.values:
            raise MeetingRefused(_("Choose the orientation."))
        version = data.expected_version
        if situation.status == Status.CONTACTED:
            situation_transition(
                user=user,
                situation_id=situation.pk,
                action="assess",
                expected_version=version,
                occurred_on=meeting.day,
                payload=common,
                today=today,
            )
            version += 1
        event = situation_transition(
            user=user,
            situation_id=situation.pk,
            action="orient",
            expected_version=version,
            occurred_on=meeting.day,
            payload={**common, "orientation": data.orientation, **_lead_payload(data)},
            today=today,
        )
        details = {"orientation": data.orientation, **_lead_payload(data)}
    elif kind == DecisionKind.LEVEL_CHANGE:
        if data.level not in Level.values:
            raise MeetingRefused(_("Choose the new support level."))
        version = data.expected_version
        if data.next_review_on is not None:
            # A level changed at the platform is also a review of the support.
            review = _review(user, situation, meeting, data, "change_level", today)
            next_review_on = data.next_review_on
            version += 1
        event = situation_transition(
            user=user,
            situation_id=situation.pk,
            action="change_level",
            expected_version=version,
            occurred_on=meeting.day,
            payload={
                **common,
                "level": data.level,
                "previous_level": situation.level,
                **_lead_payload(data),
            },
            today=today,
        )
        details = {"level": data.level, "previous_level": situation.level, **_lead_payload(data)}
        if review is not None:
            details["review_event_id"] = review.pk
    elif kind == DecisionKind.CONTINUE:
        if situation.status != Status.IN_SUPPORT:
            raise MeetingRefused(_("Only a situation in support can continue as it is."))
        if data.next_review_on is None:
            raise MeetingRefused(_("Give the date of the next review, after the meeting."))
        event = _review(user, situation, meeting, data, "continue", today)
        next_review_on = data.next_review_on
    elif kind == DecisionKind.POSTPONEMENT:
        if data.postponement_reason not in PostponementReason.values:
            raise MeetingRefused(_("Give the reason for postponing."))
        postponement_reason = data.postponement_reason
    if data.actions:
        if kind not in (DecisionKind.ORIENTATION, DecisionKind.LEVEL_CHANGE, DecisionKind.CONTINUE):
            raise MeetingRefused(
                _("Actions are decided with an orientation, a change of level or a review.")
            )
        if not integrations.support_available():
            raise MeetingRefused(_("The shared plan is not available on this installation."))
        situation.refresh_from_db()
        details["actions"] = integrations.plan_actions_record(
            user=user, situation=situation, actions=data.actions
        )

    decision = Decision.objects.create(
        agenda_item=item,
        kind=kind,
        details=details,
        note=note,
        postponement_reason=postponement_reason,
        next_review_on=next_review_on,
        pathway_event=event,
        recorded_by=user,
    )
    item.state = ItemState.POSTPONED if kind == DecisionKind.POSTPONEMENT else ItemState.DECIDED
    item.save(update_fields=["state"])
    if meeting.status == MeetingStatus.PLANNED:
        Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD)
    # The flag has been heard: a postponed item is carried over on its own.
    SituationFlag.objects.unresolved().filter(situation=situation).update(
        resolved_at=timezone.now()
    )
    if kind == DecisionKind.POSTPONEMENT:
        _carry_over(user, meeting, item)
    signals.decision_recorded.send(sender=Decision, decision=decision, actor=user)
    return decision


def _review(
    user: Any,
    situation: Situation,
    meeting: Meeting,
    data: DecisionInput,
    decision: str,
    today: dt.date,
) -> PathwayEvent:
    """The platform reviews the support in session: through the support app's review."""
    if not integrations.support_available():
        raise MeetingRefused(_("Reviews are not available on this installation."))
    if data.next_review_on is None or data.next_review_on <= meeting.day:
        raise MeetingRefused(_("Give the date of the next review, after the meeting."))
    return integrations.review_record(
        user=user,
        situation=situation,
        expected_version=data.expected_version,
        held_on=meeting.day,
        decision=decision,
        next_review_on=data.next_review_on,
        today=today,
    )


def _carry_over(user: Any, meeting: Meeting, item: AgendaItem) -> None:
    """Put a postponed item on the platform's next planned meeting, if one exists; otherwise
    the next meeting's agenda picks it up when it is built."""
    target = selectors.next_meeting_after(meeting)
    if target is None:
        return
    existing = target.items.filter(situation_id=item.situation_id).first()
    if existing is not None:
        if existing.carried_from_id is None and existing.state == ItemState.PENDING:
            existing.carried_from = item
            existing.reason = AgendaReason.CARRIED_OVER
            existing.save(update_fields=["carried_from", "reason"])
        return
    order, alias = _next_slot(target)
    AgendaItem.objects.create(
        meeting=target,
        situation_id=item.situation_id,
        reason=AgendaReason.CARRIED_OVER,
        order=order,
        alias_number=alias,
        carried_from=item,
        added_by=user,
    )


# --- Flags -----------------------------------------------------------------------------------


def can_flag(user: Any, situation: Situation) -> bool:
    """Members of the sharing group who may see the situation may ask for it to be discussed."""
    relations = relations_of(user, situation)
    return Relation.SHARING_GROUP in relations and Action.VIEW in allowed(
        user.role, {Relation.SHARING_GROUP}
    )


@transaction.atomic
def situation_flag(*, user: Any, situation_id: int, reason: str) -> SituationFlag:
    situation = get_situation_for_user(user, situation_id)
    if not can_flag(user, situation):
        raise MeetingRefused(
            _("Only the organisations of the sharing group can flag this situation.")
        )
    if not situation.is_open:
        raise MeetingRefused(_("This situation is closed."))
    if not reason.strip():
        raise MeetingRefused(_("Say in a few words why the platform should discuss it."))
    if SituationFlag.objects.unresolved().filter(situation=situation).exists():
        raise MeetingRefused(_("This situation is already flagged for the next meeting."))
    flag = SituationFlag.objects.create(
        situation=situation,
        flagged_by=user,
        organisation_id=user.organisation_id,
        reason=reason.strip(),
    )
    return flag


__all__ = [
    "DecisionInput",
    "MeetingRefused",
    "ServiceError",
    "StaleMeeting",
    "StaleVersion",
    "agenda_add",
    "agenda_move",
    "agenda_refresh",
    "agenda_withdraw",
    "attendance_record",
    "meeting_create",
    "meeting_record_decision",
    "meeting_update",
    "situation_flag",
]
