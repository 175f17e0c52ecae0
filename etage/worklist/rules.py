"""What is waiting for a person, as filters on situations. Each rule narrows the person's
scoped queryset (it is handed ``situations_visible_to(user)`` through ``search_situations``)
and first intersects it with the scope of the action the work needs — ``view_social`` for the
shared plan and reviews, ``record_step`` for contacts and follow-ups, ``manage_sharing`` for
consent, ``view_milestones`` for procedure deadlines, ``decide`` for platform decisions — so
that nothing reaches a person who could not act on it.

The same rules feed the situation list (``?review_due=on``…, registered in
``situations.selectors.WORK_FILTERS``), the counts of "My work" and of the home page, and
their rows: a count and the list it links to cannot disagree.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from etage.accounts.roles import Role
from etage.meetings.models import SituationFlag
from etage.procedures.batch import SituationDeadline, upcoming_deadlines
from etage.situations.choices import Status
from etage.situations.models import Consent, PathwayEvent, SituationQuerySet
from etage.situations.permissions import (
    scope_situations,
    situations_visible_to,
    territory_platform_ids,
)
from etage.situations.permissions_matrix import Action
from etage.situations.workflow import FOLLOW_UP_TOLERANCE_DAYS
from etage.support.choices import OPEN_ACTION_STATUSES
from etage.support.models import PlanAction

#: Plan actions and reviews due within this many days count as due (overdue ones too).
DUE_WITHIN_DAYS = 7
#: The shared plan is worked on from orientation until closure (as in ``support.services``).
PLAN_STATUSES = (Status.ORIENTED, Status.IN_SUPPORT, Status.SUSPENDED)
#: First steps of the identifying organisation: reach the household.
TO_CONTACT_STATUSES = (Status.IDENTIFIED, Status.INFORMED, Status.UNREACHABLE)
#: Informed or reached, and the consent to share is still to be collected.
CONSENT_STATUSES = (Status.INFORMED, Status.CONTACTED)
#: Waiting for the platform: to assess (contact made) or to orient (assessed).
DECISION_STATUSES = (Status.CONTACTED, Status.ASSESSED)


def on_my_territories(user: Any, prefix: str = "") -> Q:
    """Situations of the platforms of the person's territories. What is waiting for "my
    organisation" is counted only there: an association serving every platform shares
    situations everywhere, but its T2 referent has nothing to do with a T1 situation (as
    notifications, ``notifications.dispatch._professionals_of``). The platforms' keys as a
    literal list (read once per user object): PostgreSQL then estimates the branch, even
    inside an OR, and reads it from the (platform, status) index."""
    return Q(**{f"{prefix}platform_id__in": territory_platform_ids(user)})


def _within(queryset: SituationQuerySet, user: Any, action: Action) -> SituationQuerySet:
    """``queryset`` narrowed to the situations on which ``user`` may perform ``action``: the
    action's scope conditions added to the same query (not a second scoped query joined on
    the key, which made every count of "My work" read the person's situations twice)."""
    return scope_situations(queryset, user, action)


def due_limit(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=DUE_WITHIN_DAYS)


# --- Shared plan ------------------------------------------------------------------------------


def my_actions_q(user: Any, today: dt.date) -> Q:
    """Open plan actions given to ``user``, or to their organisation with no one named (on
    their territories), due within a week or late, in a plan still worked on."""
    mine = Q(owner_person_id=user.pk)
    if user.organisation_id is not None:
        mine |= Q(
            on_my_territories(user, "objective__situation__"),
            owner_organisation_id=user.organisation_id,
            owner_person__isnull=True,
        )
    return mine & Q(
        status__in=OPEN_ACTION_STATUSES,
        due_on__lte=due_limit(today),
        objective__situation__status__in=PLAN_STATUSES,
    )


def action_due(user: Any, queryset: SituationQuerySet, today: dt.date) -> SituationQuerySet:
    actions = PlanAction.objects.filter(my_actions_q(user, today))
    return _within(queryset, user, Action.VIEW_SOCIAL).filter(
        pk__in=actions.values("objective__situation_id")
    )


# --- Reviews ----------------------------------------------------------------------------------


def review_due(user: Any, queryset: SituationQuerySet, today: dt.date) -> SituationQuerySet:
    """In support, next review within a week or late, where ``user`` is the lead
    professional or coordinates the platform."""
    concerned = Q(lead_professional_id=user.pk)
    if user.role == Role.COORDINATOR:
        concerned |= on_my_territories(user)
    return _within(queryset, user, Action.VIEW_SOCIAL).filter(
        concerned, status=Status.IN_SUPPORT, next_review_on__lte=due_limit(today)
    )


# --- Follow-ups at +6 / +12 months ------------------------------------------------------------


def latest_closure_due(today: dt.date, months: int) -> dt.date:
    """The last closing date whose follow-up at ``months`` months may be recorded ``today``:
    the workflow accepts it from ``FOLLOW_UP_TOLERANCE_DAYS`` before its due date
    (``workflow.follow_up_due_on``: calendar months, clamped to the month's last day)."""
    limit = today + dt.timedelta(days=FOLLOW_UP_TOLERANCE_DAYS)
    year, month0 = divmod(limit.year * 12 + limit.month - 1 - months, 12)
    month = month0 + 1
    last_day = calendar.monthrange(year, month)[1]
    if limit.day == calendar.monthrange(limit.year, limit.month)[1]:
        # The limit is a month's last day: every later day of the earlier month clamps to it.
        return dt.date(year, month, last_day)
    return dt.date(year, month, min(limit.day, last_day))


def follow_ups_done() -> dict[str, Exists]:
    return {
        f"done_{months}": Exists(
            PathwayEvent.objects.filter(situation=OuterRef("pk"), action=f"follow_up_{months}")
        )
        for months in (6, 12)
    }


def follow_up_due(user: Any, queryset: SituationQuerySet, today: dt.date) -> SituationQuerySet:
    """Closed situations whose follow-up at +6 or +12 months may be recorded and is not,
    for their lead professional and the organisations that referred or led them."""
    concerned = Q(lead_professional_id=user.pk)
    if user.organisation_id is not None:
        concerned |= on_my_territories(user) & (
            Q(referent_organisation_id=user.organisation_id)
            | Q(origin_organisation_id=user.organisation_id)
        )
    done = follow_ups_done()
    due_6 = (
        Q(closed_on__lte=latest_closure_due(today, 6)) & ~Q(done["done_6"]) & ~Q(done["done_12"])
    )
    due_12 = Q(closed_on__lte=latest_closure_due(today, 12)) & ~Q(done["done_12"])
    return (
        _within(queryset, user, Action.RECORD_STEP)
        .filter(concerned, status=Status.CLOSED)
        .filter(due_6 | due_12)
    )


# --- First contact and consent ----------------------------------------------------------------


def to_contact(user: Any, queryset: SituationQuerySet, today: dt.date) -> SituationQuerySet:
    """Identified by the person's organisation, on their territories, not reached yet."""
    if user.organisation_id is None:
        return queryset.none()
    return _within(queryset, user, Action.RECORD_STEP).filter(
        on_my_territories(user),
        origin_organisation_id=user.organisation_id,
        status__in=TO_CONTACT_STATUSES,
    )


def consent_missing(user: Any, queryset: SituationQuerySet, today: dt.date) -> SituationQuerySet:
    """Informed or reached, on the person's territories, with no active consent recorded."""
    active = Consent.objects.filter(situation=OuterRef("pk"), withdrawn_on__isnull=True)
    return (
        _within(queryset, user, Action.MANAGE_SHARING)
        .filter(on_my_territories(user), status__in=CONSENT_STATUSES)
        .exclude(Exists(active))
    )


# --- Procedure deadlines ----------------------------------------------------------------------


def deadlines_for(user: Any, today: dt.date) -> list[SituationDeadline]:
    """Procedure deadlines in the next 30 days of the open situations whose milestones
    ``user`` may read (rent-recovery officers included), on their territories or that they
    lead, computed in one batch."""
    return upcoming_deadlines(
        situations_visible_to(user, Action.VIEW_MILESTONES)
        .open()
        .filter(on_my_territories(user) | Q(lead_professional_id=user.pk)),
        today=today,
    )


def deadline_soon(user: Any, queryset: SituationQuerySet, today: dt.date) -> SituationQuerySet:
    ids = {d.situation.pk for d in deadlines_for(user, today)}
    return queryset.filter(pk__in=sorted(ids))


# --- Platform decisions -----------------------------------------------------------------------


def flagged_by(user: Any) -> QuerySet[SituationFlag]:
    return SituationFlag.objects.unresolved().filter(organisation_id=user.organisation_id)


def awaiting_decision(user: Any, queryset: SituationQuerySet, today: dt.date) -> SituationQuerySet:
    """Coordinators: contact made or assessed, in the platforms they coordinate (``decide``).
    Everyone else: flagged by their organisation for the next meeting and not decided yet
    (a decision resolves the flag)."""
    if user.role == Role.COORDINATOR:
        return _within(queryset, user, Action.DECIDE).filter(status__in=DECISION_STATUSES)
    if user.organisation_id is None:
        return queryset.none()
    return queryset.filter(
        on_my_territories(user), Exists(flagged_by(user).filter(situation=OuterRef("pk")))
    )
