"""Who is told what — the one place that decides the recipients of a notification and builds
its text. Called after the commit of the service that did the work (see
:mod:`etage.notifications.receivers`) and by ``etage_notify_due``.

Every notification goes through :func:`deliver`, which, for each recipient: applies their
preference (off → nothing), checks with ``situations_visible_to(recipient, action)`` that they
may see the situation with the access its link needs (else nothing: a notification never
reveals a situation outside someone's scope), creates it once per key (a repeated run creates
nothing), and e-mails the immediate ones after the commit.

Texts are built from translated templates with the situation's **reference**, codes, labels of
closed lists and dates only — never a household's name, a note, a free-text wording or a
sensitive difficulty — because they travel by e-mail.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from etage.accounts.models import User
from etage.accounts.roles import Role
from etage.notifications.models import (
    DEFAULT_DELIVERY,
    Delivery,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from etage.notifications.selectors import REQUIRED_ACTION
from etage.situations.choices import OPEN_STATUSES, LegalBasis, Level, Orientation, Status
from etage.situations.models import PathwayEvent, Share, Situation
from etage.situations.permissions import situations_visible_to

logger = logging.getLogger(__name__)

#: "The organisation's professionals": the people of an organisation who work on situations.
PROFESSIONAL_ROLES = frozenset({Role.PROFESSIONAL, Role.COORDINATOR})
#: Roles that receive notifications (rent-recovery officers: procedure deadlines;
#: data-protection officers: administrators' emergency accesses).
NOTIFIED_ROLES = frozenset({*PROFESSIONAL_ROLES, Role.RENT_RECOVERY, Role.DPO})
#: Reviews are announced this many days ahead (as "My work" counts them due).
REVIEW_NOTICE_DAYS = 7

_suppressed: ContextVar[bool] = ContextVar("etage_notifications_suppressed", default=False)


@contextmanager
def suppressed() -> Iterator[None]:
    """No notification for what happens inside (the demo history replays years of work)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def is_suppressed() -> bool:
    return _suppressed.get()


def _date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


# --- Delivery ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    recipient: User
    kind: str
    situation: Situation
    text: str
    url: str
    key: str


def deliver(drafts: Iterable[Draft]) -> list[Notification]:
    """Create what preferences and scope allow, once per (recipient, key); e-mail the
    immediate ones after the commit. Returns the notifications created."""
    by_recipient: dict[int, list[Draft]] = defaultdict(list)
    recipients: dict[int, User] = {}
    for draft in drafts:
        by_recipient[draft.recipient.pk].append(draft)
        recipients[draft.recipient.pk] = draft.recipient
    if not by_recipient:
        return []
    chosen = {
        (user_id, kind): delivery
        for user_id, kind, delivery in NotificationPreference.objects.filter(
            user_id__in=list(by_recipient)
        ).values_list("user_id", "kind", "delivery")
    }
    created: list[Notification] = []
    with transaction.atomic():
        for user_id, items in by_recipient.items():
            recipient = recipients[user_id]
            if not recipient.is_active:
                continue
            wanted = [(d, chosen.get((user_id, d.kind), DEFAULT_DELIVERY[d.kind])) for d in items]
            wanted = [(d, delivery) for d, delivery in wanted if delivery != Delivery.OFF]
            visible = _visible(recipient, [d for d, _delivery in wanted])
            existing = set(
                Notification.objects.filter(
                    recipient=recipient, key__in=[d.key for d, _delivery in wanted]
                ).values_list("key", flat=True)
            )
            for draft, delivery in wanted:
                if (draft.kind, draft.situation.pk) not in visible or draft.key in existing:
                    continue
                notification, is_new = Notification.objects.get_or_create(
                    recipient=recipient,
                    key=draft.key,
                    defaults={
                        "kind": draft.kind,
                        "situation": draft.situation,
                        "text": draft.text[:300],
                        "url": draft.url,
                        "delivery": delivery,
                    },
                )
                existing.add(draft.key)
                if is_new:
                    created.append(notification)
        immediate = [n.pk for n in created if n.delivery == Delivery.IMMEDIATE]
        if immediate:
            from etage.notifications.emails import send_immediate

            transaction.on_commit(partial(send_immediate, immediate), robust=True)
    return created


def _visible(recipient: User, drafts: list[Draft]) -> set[tuple[str, int]]:
    """(kind, situation id) of the drafts whose situation ``recipient`` may see with the
    access the kind needs — one query per access needed."""
    ids_by_action: dict[Any, set[int]] = defaultdict(set)
    for draft in drafts:
        ids_by_action[REQUIRED_ACTION[draft.kind]].add(draft.situation.pk)
    allowed: dict[Any, set[int]] = {
        action: set(
            situations_visible_to(recipient, action)
            .filter(pk__in=sorted(ids))
            .values_list("pk", flat=True)
        )
        for action, ids in ids_by_action.items()
    }
    return {
        (d.kind, d.situation.pk)
        for d in drafts
        if d.situation.pk in allowed[REQUIRED_ACTION[d.kind]]
    }


# --- Who -------------------------------------------------------------------------------------


def _professionals_of(
    organisation_ids: Iterable[int | None], situation: Situation
) -> QuerySet[User]:
    """The professionals of these organisations who work on the situation's territory (an
    association serving every platform has people on each; only those of this one are
    concerned)."""
    ids = [i for i in organisation_ids if i is not None]
    return User.objects.filter(
        organisation_id__in=ids,
        is_active=True,
        role__in=PROFESSIONAL_ROLES,
        territories=situation.platform.territory_id,
    )


def _concerned_by_decision(situation: Situation) -> list[User]:
    """The lead professional and the professionals of the referent organisation."""
    people = {u.pk: u for u in _professionals_of([situation.referent_organisation_id], situation)}
    lead = situation.lead_professional
    if lead is not None and lead.is_active:
        people[lead.pk] = lead
    return list(people.values())


def _others(people: Iterable[User], actor_id: int | None) -> list[User]:
    """Nobody is told what they did themselves."""
    return [p for p in people if p.pk != actor_id]


def _situation_url(situation: Situation) -> str:
    return reverse("situations:detail", args=[situation.pk])


# --- What the services announced --------------------------------------------------------------


def share_granted(share_id: int, actor_id: int | None) -> list[Notification]:
    """A new situation shared with an organisation: its professionals are told."""
    share = Share.objects.select_related("situation").filter(pk=share_id, is_active=True).first()
    if share is None:
        return []
    situation = share.situation
    with translation.override(settings.LANGUAGE_CODE):
        if share.legal_basis == LegalBasis.ORIGIN:
            text = _("New situation %(ref)s identified by your organisation.")
        else:
            text = _("Situation %(ref)s is now shared with your organisation.")
        text %= {"ref": situation.reference}
    url, key = _situation_url(situation), f"share:{share.pk}"
    return deliver(
        Draft(person, NotificationKind.SHARE, situation, text, url, key)
        for person in _others(_professionals_of([share.organisation_id], situation), actor_id)
    )


def _orientation_text(situation: Situation, orientation: str) -> str:
    label = Orientation(orientation).label if orientation in Orientation.values else orientation
    return _("Platform decision on situation %(ref)s: orientation — %(label)s.") % {
        "ref": situation.reference,
        "label": label,
    }


def _level_text(situation: Situation, level: str) -> str:
    label = Level(level).label if level in Level.values else level
    return _("Platform decision on situation %(ref)s: support level changed to %(label)s.") % {
        "ref": situation.reference,
        "label": label,
    }


def pathway_step_recorded(event_id: int, actor_id: int | None) -> list[Notification]:
    """An orientation or a change of level (at a meeting or on the situation page): the lead
    professional and the referent organisation are told."""
    event = (
        PathwayEvent.objects.select_related("situation__lead_professional", "situation__platform")
        .filter(pk=event_id, action__in=("orient", "change_level"))
        .first()
    )
    if event is None:
        return []
    situation = event.situation
    payload = event.payload or {}
    with translation.override(settings.LANGUAGE_CODE):
        if event.action == "orient":
            text = _orientation_text(situation, str(payload.get("orientation", "")))
        else:
            text = _level_text(situation, str(payload.get("level", "")))
    return _decision_drafts(situation, text, f"decision:event:{event.pk}", actor_id)


def _decision_drafts(
    situation: Situation, text: str, key: str, actor_id: int | None
) -> list[Notification]:
    return deliver(
        Draft(person, NotificationKind.DECISION, situation, text, _situation_url(situation), key)
        for person in _others(_concerned_by_decision(situation), actor_id)
    )


def decision_recorded(decision_id: int, actor_id: int | None) -> list[Notification]:
    """A platform decision on an agenda item. An orientation or a level change has the key
    of the pathway step it produced, so that it is announced once."""
    from etage.meetings.choices import DecisionKind
    from etage.meetings.models import Decision

    decision = (
        Decision.objects.select_related(
            "agenda_item__situation__lead_professional", "agenda_item__situation__platform"
        )
        .filter(pk=decision_id)
        .first()
    )
    if decision is None:
        return []
    situation = decision.agenda_item.situation
    details = decision.details or {}
    with translation.override(settings.LANGUAGE_CODE):
        ref = {"ref": situation.reference}
        if decision.kind == DecisionKind.ORIENTATION:
            text = _orientation_text(situation, str(details.get("orientation", "")))
        elif decision.kind == DecisionKind.LEVEL_CHANGE:
            text = _level_text(situation, str(details.get("level", "")))
        elif decision.kind == DecisionKind.CONTINUE and decision.next_review_on:
            text = _(
                "Platform decision on situation %(ref)s: the support continues; next review "
                "on %(date)s."
            ) % {**ref, "date": _date(decision.next_review_on)}
        elif decision.kind == DecisionKind.POSTPONEMENT:
            text = _("Platform decision on situation %(ref)s: postponed to a later meeting.") % ref
        else:
            text = _("The platform recorded a decision on situation %(ref)s.") % ref
    key = (
        f"decision:event:{decision.pathway_event_id}"
        if decision.pathway_event_id
        else f"decision:item:{decision.agenda_item_id}"
    )
    return _decision_drafts(situation, text, key, actor_id)


def plan_action_assigned(action_id: int, actor_id: int | None) -> list[Notification]:
    """A plan action given to a person (told) or to an organisation with no one named (its
    professionals are told). The action's wording is free text: it is never in the text."""
    from etage.support.models import PlanAction

    action = (
        PlanAction.objects.select_related("objective__situation__platform", "owner_person")
        .filter(pk=action_id)
        .first()
    )
    if action is None:
        return []
    situation = action.objective.situation
    people: list[User]
    if action.owner_person is not None:
        people = [action.owner_person] if action.owner_person.is_active else []
    else:
        people = list(_professionals_of([action.owner_organisation_id], situation))
    with translation.override(settings.LANGUAGE_CODE):
        if action.due_on:
            text = _(
                "An action of the shared plan of situation %(ref)s is in your hands, due on "
                "%(date)s."
            ) % {"ref": situation.reference, "date": _date(action.due_on)}
        else:
            text = _("An action of the shared plan of situation %(ref)s is in your hands.") % {
                "ref": situation.reference
            }
    url = reverse("support:action_detail", args=[situation.pk, action.pk])
    key = f"action:{action.pk}:{action.owner_organisation_id}:{action.owner_person_id or '-'}"
    return deliver(
        Draft(person, NotificationKind.ACTION, situation, text, url, key)
        for person in _others(people, actor_id)
    )


# --- What the scheduled command computes ------------------------------------------------------


@dataclass(frozen=True)
class DueReport:
    deadlines: int
    reviews: int


def notify_due(today: dt.date) -> DueReport:
    """Deadline-approaching and review-due notifications for ``today``. Each deadline and each
    review date is announced once (keys hold the date), so running it again — the same day or
    the next — creates nothing new for what was already announced."""
    with translation.override(settings.LANGUAGE_CODE):
        deadlines = deliver(_deadline_drafts(today))
        reviews = deliver(_review_drafts(today))
    return DueReport(deadlines=len(deadlines), reviews=len(reviews))


def _deadline_drafts(today: dt.date) -> list[Draft]:
    """Procedure deadlines of the next 30 days, for the lead professional, the referent
    organisation's professionals and the rent-recovery officers of the sharing group — or,
    before orientation, the professionals of the organisation that identified the situation."""
    from etage.procedures.batch import upcoming_deadlines

    found = upcoming_deadlines(
        Situation.objects.filter(status__in=OPEN_STATUSES).select_related(
            "lead_professional", "platform"
        ),
        today=today,
    )
    if not found:
        return []
    situation_ids = {d.situation.pk for d in found}
    shares: dict[int, set[int]] = defaultdict(set)
    for situation_id, organisation_id in Share.objects.filter(
        situation_id__in=sorted(situation_ids), is_active=True
    ).values_list("situation_id", "organisation_id"):
        shares[situation_id].add(organisation_id)
    organisations = {o for orgs in shares.values() for o in orgs}
    people = User.objects.filter(
        organisation_id__in=sorted(organisations),
        is_active=True,
        role__in=[*PROFESSIONAL_ROLES, Role.RENT_RECOVERY],
    ).prefetch_related("territories")
    # (organisation, territory) → its people: only those working on the situation's territory.
    by_org: dict[tuple[int, int], list[User]] = defaultdict(list)
    for person in people:
        for territory in person.territories.all():
            if person.organisation_id is not None:
                by_org[(person.organisation_id, territory.pk)].append(person)
    drafts: list[Draft] = []
    for found_deadline in found:
        situation, item = found_deadline.situation, found_deadline.item
        # Professionals of the organisation in charge: the referent organisation, or before
        # orientation the one that identified the situation.
        in_charge = situation.referent_organisation_id or (
            None if situation.lead_professional_id else situation.origin_organisation_id
        )
        recipients: dict[int, User] = {
            person.pk: person
            for org_id in shares[situation.pk]
            for person in by_org[(org_id, situation.platform.territory_id)]
            if person.role == Role.RENT_RECOVERY or org_id == in_charge
        }
        lead = situation.lead_professional
        if lead is not None and lead.is_active:
            recipients[lead.pk] = lead
        text = _("Procedure deadline on %(date)s for situation %(ref)s.") % {
            "date": _date(item.due_on),
            "ref": situation.reference,
        }
        url = _situation_url(situation) + "#procedure"
        # One per situation and date: two rules may fall on the same day (the end of the
        # period to pay and the first day of a summons), and the text names neither.
        key = f"deadline:{situation.pk}:{item.due_on.isoformat()}"
        drafts += [
            Draft(person, NotificationKind.DEADLINE, situation, text, url, key)
            for person in recipients.values()
        ]
    return drafts


def _review_drafts(today: dt.date) -> list[Draft]:
    """Reviews due within 7 days (or late), for the lead professional and the coordinators of
    the platform — as "My work" counts them."""
    situations = list(
        Situation.objects.filter(
            status=Status.IN_SUPPORT,
            next_review_on__lte=today + dt.timedelta(days=REVIEW_NOTICE_DAYS),
        ).select_related("lead_professional", "platform")
    )
    if not situations:
        return []
    coordinators: dict[int, list[User]] = defaultdict(list)
    territories = {s.platform.territory_id for s in situations}
    for person in (
        User.objects.filter(
            role=Role.COORDINATOR, is_active=True, territories__in=sorted(territories)
        )
        .prefetch_related("territories")
        .distinct()
    ):
        for territory in person.territories.all():
            coordinators[territory.pk].append(person)
    drafts: list[Draft] = []
    for situation in situations:
        assert situation.next_review_on is not None
        recipients = {p.pk: p for p in coordinators[situation.platform.territory_id]}
        lead = situation.lead_professional
        if lead is not None and lead.is_active:
            recipients[lead.pk] = lead
        text = _("Review of the support of situation %(ref)s due on %(date)s.") % {
            "ref": situation.reference,
            "date": _date(situation.next_review_on),
        }
        url = reverse("support:reviews", args=[situation.pk])
        key = f"review:{situation.pk}:{situation.next_review_on.isoformat()}"
        drafts += [
            Draft(person, NotificationKind.REVIEW, situation, text, url, key)
            for person in recipients.values()
        ]
    return drafts


# --- For data-protection officers ------------------------------------------------------------


def break_glass_opened(grant_id: int) -> list[Notification]:
    """An administrator opened an emergency access: the data-protection officers of the
    situation's territory are told right away (all of them when none covers it). The
    notification links to their register, not to the situation, which they may not open."""
    from etage.breakglass.models import BreakGlassGrant

    grant = (
        BreakGlassGrant.objects.select_related("user", "situation__platform")
        .filter(pk=grant_id)
        .first()
    )
    if grant is None:
        return []
    officers = User.objects.filter(role=Role.DPO, is_active=True)
    if grant.situation is not None:
        local = officers.filter(territories=grant.situation.platform.territory_id)
        officers = local if local.exists() else officers
    chosen = dict(
        NotificationPreference.objects.filter(
            user__in=officers, kind=NotificationKind.BREAK_GLASS
        ).values_list("user_id", "delivery")
    )
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Emergency access to situation %(ref)s opened by %(who)s until %(time)s.") % {
            "ref": grant.situation_reference,
            "who": grant.user.username,
            "time": timezone.localtime(grant.expires_at).strftime("%H:%M"),
        }
    created: list[Notification] = []
    with transaction.atomic():
        for officer in officers.distinct():
            delivery = chosen.get(officer.pk, DEFAULT_DELIVERY[NotificationKind.BREAK_GLASS])
            if delivery == Delivery.OFF:
                continue
            notification, is_new = Notification.objects.get_or_create(
                recipient=officer,
                key=f"break_glass:{grant.pk}",
                defaults={
                    "kind": NotificationKind.BREAK_GLASS,
                    "situation": None,
                    "text": text[:300],
                    "url": reverse("breakglass:register"),
                    "delivery": delivery,
                },
            )
            if is_new:
                created.append(notification)
        immediate = [n.pk for n in created if n.delivery == Delivery.IMMEDIATE]
        if immediate:
            from etage.notifications.emails import send_immediate

            transaction.on_commit(partial(send_immediate, immediate), robust=True)
    return created
