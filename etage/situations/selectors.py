"""Reads of situations for pages, exports and dashboards. Every function starts from the
scoping door :func:`situations_visible_to`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etage.accounts.roles import Role
from etage.households.models import Person
from etage.households.text import fold
from etage.situations import workflow
from etage.situations.choices import (
    PRE_ORIENTATION_STATUSES,
    SENSITIVE_DIFFICULTIES,
    Difficulty,
    Status,
)
from etage.situations.models import (
    PathwayEvent,
    Situation,
    SituationDifficulty,
    SituationQuerySet,
)
from etage.situations.permissions import (
    allowed_actions,
    situations_visible_to,
    territory_platform_ids,
)
from etage.situations.permissions_matrix import Action

#: Reference pathway rule: oriented within 30 days of identification.
ORIENTATION_DELAY_DAYS = 30


def overdue_q(today: dt.date) -> Q:
    return Q(
        status__in=PRE_ORIENTATION_STATUSES,
        identified_on__lt=today - dt.timedelta(days=ORIENTATION_DELAY_DAYS),
    ) | Q(status=Status.IN_SUPPORT, next_review_on__lt=today)


def needs_action_q(user: Any) -> Q:
    """What is waiting for this person: platform decisions for coordinators; first steps for
    the identifying organisation; support for the lead professional."""
    q = Q(pk__in=[])
    if user.role == Role.COORDINATOR:
        q |= Q(
            status__in=[Status.CONTACTED, Status.ASSESSED],
            platform_id__in=territory_platform_ids(user),
        )
    if user.role in (Role.PROFESSIONAL, Role.COORDINATOR) and user.organisation_id:
        q |= Q(
            origin_organisation_id=user.organisation_id,
            status__in=[Status.IDENTIFIED, Status.INFORMED, Status.UNREACHABLE],
        )
        q |= Q(
            lead_professional=user,
            status__in=[Status.ORIENTED, Status.IN_SUPPORT, Status.SUSPENDED],
        )
    return q


@dataclass(frozen=True)
class WorkFilter:
    """A "what is waiting for me" filter of the situation list (``?review_due=on``), added by
    another app (``etage.worklist``) in its ``ready()``. ``narrow(user, queryset, today)``
    receives the person's scoped queryset and may only narrow it; ``include_closed`` says the
    filter is about closed situations (follow-ups), so the list does not leave them out."""

    name: str
    label: Any
    narrow: Callable[[Any, SituationQuerySet, dt.date], SituationQuerySet]
    include_closed: bool = False


#: Work filters by query-parameter name, in the order the list shows them.
WORK_FILTERS: dict[str, WorkFilter] = {}


@dataclass
class SituationFilters:
    q: str = ""
    territory: int | None = None
    status: str = ""
    level: str = ""
    landlord: int | None = None
    difficulty: str = ""
    mine: bool = False
    overdue: bool = False
    include_closed: bool = False
    #: Names of :data:`WORK_FILTERS` to apply (all of them).
    work: tuple[str, ...] = field(default_factory=tuple)


def search_situations(
    user: Any, f: SituationFilters, *, today: dt.date | None = None
) -> QuerySet[Situation]:
    today = today or timezone.localdate()
    qs = situations_visible_to(user)
    work = [WORK_FILTERS[name] for name in f.work if name in WORK_FILTERS]
    if not (f.include_closed or f.status or any(w.include_closed for w in work)):
        qs = qs.exclude(status__in=[Status.CLOSED, Status.ARCHIVED])
    if f.territory:
        qs = qs.filter(platform__territory_id=f.territory)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.level:
        qs = qs.filter(level=f.level)
    if f.landlord:
        qs = qs.filter(landlord_id=f.landlord)
    if f.difficulty:
        # Filtering on a sensitive difficulty would reveal it: only where the person may read it.
        base = (
            situations_visible_to(user, Action.VIEW_SENSITIVE)
            if f.difficulty in SENSITIVE_DIFFICULTIES
            else qs
        )
        qs = qs.filter(
            pk__in=base.filter(
                Exists(
                    SituationDifficulty.objects.filter(situation=OuterRef("pk"), code=f.difficulty)
                )
            ).values("pk")
        )
    if f.mine:
        qs = qs.filter(needs_action_q(user))
    if f.overdue:
        qs = qs.filter(overdue_q(today))
    for work_filter in work:
        qs = work_filter.narrow(user, qs, today)
    if f.q.strip():
        term = f.q.strip()
        key = fold(term)
        # EXISTS rather than a join on the people: no duplicate rows, so no DISTINCT over
        # every column of the page and of its count. One EXISTS for both names: PostgreSQL
        # reads the household's people once, not once per name.
        people = Person.objects.filter(
            Q(last_name_key__contains=key) | Q(first_name__icontains=term),
            household=OuterRef("household"),
        )
        qs = qs.filter(
            Q(reference__iexact=term)
            | Q(tenancy__lease_reference__iexact=term)
            | Q(tenancy__address_key__contains=key)
            | Q(Exists(people))
        )
    return (
        qs.select_related(
            "platform__territory", "landlord", "tenancy__commune", "lead_professional"
        )
        .prefetch_related(Prefetch("household__people", queryset=Person.objects.order_by("id")))
        .order_by("-identified_on", "-id")
    )


@dataclass(frozen=True)
class TimelineEntry:
    event: PathwayEvent
    label: str
    details: list[tuple[str, str]]
    #: The date of the fact after correction, when a correction event references this one.
    corrected_on: dt.date | None = None
    correctable: bool = False

    @property
    def effective_on(self) -> dt.date:
        return self.corrected_on or self.event.occurred_on


#: Labels of the events other apps append (support, procedures…), filled in their ``ready()``.
EVENT_LABELS: dict[str, Any] = {}
#: Events that belong to the social side of the support (reviews…): shown in the timeline only
#: to people who may read social notes (data-protection.md #4).
SOCIAL_EVENTS: set[str] = set()
#: Events logged for the evaluation but shown in their own section, under that section's own
#: visibility rule (plan, journal, documents), never in the pathway timeline.
TIMELINE_HIDDEN_EVENTS: set[str] = set()


#: How a pathway move reads once done (the buttons say what to do, the timeline what happened).
PATHWAY_EVENT_LABELS: dict[str, Any] = {
    "identify": _("Situation identified"),
    "inform": _("Household informed"),
    "contact_reached": _("Household reached"),
    "contact_unreachable": _("Household could not be reached"),
    "contact_refused": _("Household refused support"),
    "assess": _("Assessed at the platform"),
    "orient": _("Orientation decided"),
    "start_support": _("Support started"),
    "change_level": _("Support level changed"),
    "suspend": _("Support suspended"),
    "resume": _("Support resumed"),
    "close": _("Situation closed"),
    "follow_up_6": _("Follow-up at 6 months recorded"),
    "follow_up_12": _("Follow-up at 12 months recorded"),
    "archive": _("Situation archived"),
}


def _label(action: str) -> str:
    labels: dict[str, Any] = {
        **EVENT_LABELS,
        **workflow.ACTION_LABELS,
        **PATHWAY_EVENT_LABELS,
        "referral_added": _("New referral for this household"),
        "consent_recorded": _("Consent recorded"),
        "consent_withdrawn": _("Consent withdrawn"),
        "share_granted": _("Shared with an organisation"),
        "share_revoked": _("Sharing ended"),
        "correction": _("Date corrected"),
        "household_updated": _("Household details updated"),
    }
    return str(labels.get(action, action))


def _details(event: PathwayEvent, actions: frozenset[Action]) -> list[tuple[str, str]]:
    from etage.situations import choices as c

    p = event.payload or {}
    out: list[tuple[str, str]] = []
    pairs: list[tuple[str, Any, Any]] = [
        ("orientation", _("Orientation"), c.Orientation),
        ("level", _("Level"), c.Level),
        ("method", _("Information"), c.InformationMethod),
        ("reason", _("Reason"), c.SuspensionReason),
        ("outcome", _("Outcome"), c.Outcome),
        ("housing_status", _("Housing"), c.HousingStatus),
        ("legal_basis", _("Legal basis"), c.LegalBasis),
        ("source", _("Source"), c.Source),
        ("urgency", _("Urgency"), c.Urgency),
    ]
    for key, label, enum in pairs:
        value = p.get(key)
        if value and value in enum.values:
            out.append((str(label), str(enum(value).label)))
    if p.get("organisation"):
        out.append((str(_("Organisation")), str(p["organisation"])))
    if p.get("organisations"):
        out.append((str(_("Organisations")), ", ".join(p["organisations"])))
    if p.get("exit_debt") is not None:
        out.append((str(_("Debt at exit")), f"{p['exit_debt']} €"))
    if p.get("difficulties"):
        shown = [
            str(Difficulty(d).label)
            for d in p["difficulties"]
            if d in Difficulty.values
            and (d not in SENSITIVE_DIFFICULTIES or Action.VIEW_SENSITIVE in actions)
        ]
        if shown:
            out.append((str(_("Difficulties")), ", ".join(shown)))
    for key, label in (
        ("still_housed", _("Still housed")),
        ("arrears_over_3_months", _("Arrears over 3 months")),
    ):
        if p.get(key):
            out.append(
                (str(label), str({"yes": _("yes"), "no": _("no")}.get(p[key], _("unknown"))))
            )
    if event.action == "correction":
        out.append(
            (
                str(_("Corrected date")),
                f"{dt.date.fromisoformat(p['from']):%d/%m/%Y} → "
                f"{dt.date.fromisoformat(p['to']):%d/%m/%Y}",
            )
        )
        if Action.VIEW_SOCIAL in actions:
            out.append((str(_("Reason")), str(p.get("reason", ""))))
    if p.get("emergency_reason") and Action.VIEW_SOCIAL in actions:
        out.append((str(_("Emergency exception")), str(p["emergency_reason"])))
    return out


def timeline(situation: Situation, actions: frozenset[Action]) -> list[TimelineEntry]:
    """The pathway as it reads today: each step at its (corrected) date of the fact, and the
    corrections themselves, so that nothing is hidden."""
    from etage.situations.services import CORRECTABLE

    queryset = (
        situation.events.select_related("organisation", "actor")
        .exclude(action__in=TIMELINE_HIDDEN_EVENTS)
        .order_by("occurred_on", "id")
    )
    if Action.VIEW_SOCIAL not in actions:
        queryset = queryset.exclude(action__in=SOCIAL_EVENTS)
    events = list(queryset)
    corrected: dict[int, dt.date] = {}
    for event in events:
        if event.action == "correction" and event.corrects_id is not None:
            corrected[event.corrects_id] = dt.date.fromisoformat(event.payload["to"])
    can_correct = Action.RECORD_STEP in actions
    entries = [
        TimelineEntry(
            event,
            _label(event.action),
            _details(event, actions),
            corrected_on=corrected.get(event.pk),
            correctable=can_correct and event.action in CORRECTABLE and event.pk not in corrected,
        )
        for event in events
    ]
    return sorted(entries, key=lambda e: (e.effective_on, e.event.pk))


def visible_difficulties(situation: Situation, actions: frozenset[Action]) -> list[str]:
    codes = [d.code for d in situation.difficulties.all()]
    return [
        str(Difficulty(code).label)
        for code in codes
        if code in Difficulty.values
        and (code not in SENSITIVE_DIFFICULTIES or Action.VIEW_SENSITIVE in actions)
    ]


def next_steps(user: Any, situation: Situation) -> list[tuple[str, str]]:
    """(action, label) of the moves this person may try from the current status."""
    actions = allowed_actions(user, situation)
    return [
        (t.action, str(workflow.ACTION_LABELS[t.action]))
        for t in workflow.actions_from(situation.status)
        if t.permission in actions
    ]
