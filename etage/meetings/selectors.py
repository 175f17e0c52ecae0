"""Reads of meetings and their agenda. Situations are reached only through
:func:`etage.situations.permissions.situations_visible_to`: an agenda never holds a situation
the coordinator could not open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from etage.households.models import Person
from etage.meetings import integrations
from etage.meetings.choices import AgendaReason, ItemState, MeetingStatus
from etage.meetings.models import AgendaItem, Meeting, MeetingAttendance, SituationFlag
from etage.meetings.permissions import member_platforms
from etage.situations.choices import Status
from etage.situations.models import Situation, SituationQuerySet
from etage.situations.permissions import situations_visible_to
from etage.situations.permissions_matrix import Action

#: Procedure deadlines this close to the meeting put the situation on its agenda.
DEADLINE_HORIZON_DAYS = 30


def decidable_situations(user: Any, meeting: Meeting) -> SituationQuerySet:
    """The situations of the meeting's platform on which ``user`` may take platform decisions:
    the only pool an agenda is built from."""
    return situations_visible_to(user, Action.DECIDE).filter(platform_id=meeting.platform_id)


@dataclass(frozen=True)
class Candidate:
    situation_id: int
    reason: AgendaReason
    carried_from_id: int | None = None


def agenda_candidates(
    user: Any, meeting: Meeting, *, today: dt.date | None = None
) -> list[Candidate]:
    """What should be on ``meeting``'s agenda and is not yet, each with the first reason that
    applies (postponed last time, waiting for orientation, review due, flagged, procedure
    deadline within 30 days).

    Situations already on this agenda (in any state) are left alone, so a withdrawn item is
    not added back; so are those waiting on another planned meeting of the platform.
    """
    today = today or timezone.localdate()
    day = meeting.day
    scope = decidable_situations(user, meeting).open()
    elsewhere = AgendaItem.objects.filter(
        state=ItemState.PENDING, meeting__status=MeetingStatus.PLANNED
    ).exclude(meeting=meeting)
    pool = scope.exclude(agenda_items__meeting=meeting).exclude(
        pk__in=elsewhere.values("situation_id")
    )
    found: dict[int, Candidate] = {}

    def add(ids: Iterable[int], reason: AgendaReason) -> None:
        for pk in ids:
            found.setdefault(pk, Candidate(pk, reason))

    carried = (
        AgendaItem.objects.filter(
            meeting__platform_id=meeting.platform_id,
            meeting__starts_at__lt=meeting.starts_at,
            state=ItemState.POSTPONED,
            carried_to__isnull=True,
            situation__in=pool,
        )
        .order_by("meeting__starts_at", "order")
        .values_list("pk", "situation_id")
    )
    for item_pk, situation_pk in carried:
        found.setdefault(situation_pk, Candidate(situation_pk, AgendaReason.CARRIED_OVER, item_pk))
    add(
        pool.filter(status=Status.ASSESSED)
        .order_by("assessed_on", "pk")
        .values_list("pk", flat=True),
        AgendaReason.AWAITING_ORIENTATION,
    )
    add(
        pool.filter(status=Status.IN_SUPPORT, next_review_on__lte=day)
        .order_by("next_review_on", "pk")
        .values_list("pk", flat=True),
        AgendaReason.REVIEW_DUE,
    )
    flagged = SituationFlag.objects.unresolved().filter(situation=OuterRef("pk"))
    add(
        pool.filter(Exists(flagged)).order_by("pk").values_list("pk", flat=True),
        AgendaReason.FLAGGED,
    )
    deadlines = integrations.situations_with_deadline_between(
        pool,
        min(today, day),
        day + dt.timedelta(days=DEADLINE_HORIZON_DAYS),
        today=today,
    )
    add(deadlines, AgendaReason.DEADLINE_SOON)
    return list(found.values())


def find_situation_for_agenda(user: Any, meeting: Meeting, reference: str) -> Situation | None:
    """The open situation of this platform with this reference, if ``user`` may decide on it;
    ``None`` otherwise — whether it does not exist or is out of reach is not told apart."""
    term = reference.strip()
    if not term:
        return None
    return decidable_situations(user, meeting).open().filter(reference__iexact=term).first()


def agenda(meeting: Meeting) -> QuerySet[AgendaItem]:
    """The agenda as the coordination works on it: every item, with what the page shows.

    Call only after :func:`etage.meetings.permissions.get_meeting_for_user` with ``manage``:
    coordinators of the platform see every situation of it."""
    people = Prefetch("situation__household__people", queryset=Person.objects.order_by("id"))
    flags = Prefetch(
        "situation__flags",
        queryset=SituationFlag.objects.unresolved().select_related("organisation"),
        to_attr="open_flags",
    )
    return (
        meeting.items.select_related(
            "situation__tenancy__commune",
            "situation__lead_professional__organisation",
            "situation__referent_organisation",
            "decision__recorded_by",
        )
        .prefetch_related(people, flags)
        .order_by("order", "id")
    )


def attendance(meeting: Meeting) -> QuerySet[MeetingAttendance]:
    return meeting.attendances.select_related("organisation").order_by("organisation__name")


def meetings_of(user: Any, platform_id: int) -> QuerySet[Meeting]:
    """Meetings of one platform that ``user`` may see (newest first)."""
    return Meeting.objects.filter(
        platform_id=platform_id, platform__in=member_platforms(user).values("pk")
    ).order_by("-starts_at", "-id")


def next_meeting_after(meeting: Meeting) -> Meeting | None:
    """The platform's next planned meeting: where a postponed item goes."""
    return (
        Meeting.objects.filter(
            platform_id=meeting.platform_id,
            status=MeetingStatus.PLANNED,
            starts_at__gt=meeting.starts_at,
        )
        .order_by("starts_at", "pk")
        .first()
    )


def open_flag(situation: Situation) -> SituationFlag | None:
    return SituationFlag.objects.unresolved().filter(situation=situation).first()
