""" "My work": what each person has to do today, built from :mod:`etage.worklist.rules`.

Each kind of work is one filter of the situation list; its count is the total of that list
(``search_situations`` → ``situations_visible_to``) and links to it. Rows show what to do
with the reference, never the household's name: the page is a to-do list, the situation page
is one click away. A fixed number of queries whatever the volume (two per kind of work, four
for the procedure deadlines, three more per 10,000 situations in the person's scope).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from etage.accounts.roles import Role
from etage.core.home import NextStep, next_steps
from etage.intake.models import Referral, ReferralStatus, referral_status_of
from etage.procedures.batch import SituationDeadline
from etage.situations.choices import Status, Urgency
from etage.situations.models import Situation, SituationQuerySet
from etage.situations.permissions import situations_visible_to
from etage.situations.permissions_matrix import Action
from etage.situations.selectors import SituationFilters, WorkFilter, search_situations
from etage.situations.workflow import ACTION_LABELS, follow_up_due_on
from etage.support.models import PlanAction
from etage.worklist import rules

StrOrPromise = str | Promise
#: Rows shown per kind of work; the count links to all of them.
ROW_LIMIT = 10

#: Roles that work on situations and get the full page.
CASE_ROLES = frozenset({Role.PROFESSIONAL, Role.COORDINATOR, Role.RENT_RECOVERY})


@dataclass(frozen=True)
class WorkRow:
    situation_id: int
    reference: str
    #: Where to act (the plan action, the reviews, the step, the sharing page…).
    url: str
    what: StrOrPromise
    on: dt.date | None = None
    late: bool = False
    urgent: bool = False


@dataclass
class WorkSection:
    name: str
    label: StrOrPromise
    help: StrOrPromise
    count: int
    #: The situation list filtered on this kind of work: its total is ``count``.
    url: str
    rows: list[WorkRow] = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        return len(self.rows) >= ROW_LIMIT


@dataclass
class WorkGroup:
    key: str
    title: StrOrPromise
    sections: list[WorkSection]


@dataclass(frozen=True)
class ReferralCount:
    status: ReferralStatus
    count: int
    url: str


@dataclass
class MyWork:
    today: dt.date
    groups: list[WorkGroup] = field(default_factory=list)
    #: Signallers: their referrals by status.
    referrals: list[ReferralCount] = field(default_factory=list)
    referrals_total: int = 0
    #: Roles without case work: what their role does here and where to go.
    guide: StrOrPromise = ""
    links: list[NextStep] = field(default_factory=list)

    @property
    def sections(self) -> list[WorkSection]:
        return [s for g in self.groups for s in g.sections]

    @property
    def has_case_work(self) -> bool:
        return bool(self.groups)

    @property
    def waiting(self) -> list[WorkSection]:
        """The kinds of work with something waiting (the home page lists only those)."""
        return [s for s in self.sections if s.count]


# --- The kinds of work ------------------------------------------------------------------------

Rows = Callable[[Any, QuerySet[Situation], dt.date], list[WorkRow]]


@dataclass(frozen=True)
class WorkKind:
    name: str
    label: StrOrPromise
    help: StrOrPromise
    narrow: Callable[[Any, SituationQuerySet, dt.date], SituationQuerySet]
    rows: Rows
    include_closed: bool = False

    def as_filter(self) -> WorkFilter:
        return WorkFilter(self.name, self.label, self.narrow, self.include_closed)


def list_url(name: str) -> str:
    return f"{reverse('situations:list')}?{urlencode({name: 'on'})}"


def _situations(queryset: QuerySet[Situation]) -> QuerySet[Situation]:
    """The narrowed list without what the list page prefetches (names are not shown here)."""
    return queryset.select_related(None).prefetch_related(None)


def _action_rows(user: Any, queryset: QuerySet[Situation], today: dt.date) -> list[WorkRow]:
    actions = (
        PlanAction.objects.filter(
            rules.my_actions_q(user, today), objective__situation__in=queryset.values("pk")
        )
        .select_related("objective__situation")
        .order_by("due_on", "pk")[:ROW_LIMIT]
    )
    return [
        WorkRow(
            a.objective.situation_id,
            a.objective.situation.reference or "",
            reverse("support:action_detail", args=[a.objective.situation_id, a.pk]),
            a.title,
            a.due_on,
            late=bool(a.due_on and a.due_on < today),
        )
        for a in actions
    ]


def _review_rows(user: Any, queryset: QuerySet[Situation], today: dt.date) -> list[WorkRow]:
    return [
        WorkRow(
            s.pk,
            s.reference or "",
            reverse("support:reviews", args=[s.pk]),
            _("Review the support"),
            s.next_review_on,
            late=bool(s.next_review_on and s.next_review_on < today),
        )
        for s in _situations(queryset).order_by("next_review_on", "pk")[:ROW_LIMIT]
    ]


def _follow_up_rows(user: Any, queryset: QuerySet[Situation], today: dt.date) -> list[WorkRow]:
    rows = []
    situations = (
        _situations(queryset).annotate(**rules.follow_ups_done()).order_by("closed_on", "pk")
    )
    for s in situations[:ROW_LIMIT]:
        assert s.closed_on is not None  # closed situations only
        # The 12-month follow-up falls due after the 6-month one: while the latter is not
        # recorded, it is the one to do.
        months = 12 if s.done_6 else 6  # type: ignore[attr-defined]
        due = follow_up_due_on(s.closed_on, months)
        rows.append(
            WorkRow(
                s.pk,
                s.reference or "",
                reverse("situations:step", args=[s.pk, f"follow_up_{months}"]),
                ACTION_LABELS[f"follow_up_{months}"],
                due,
                late=due < today,
            )
        )
    return rows


def _contact_rows(user: Any, queryset: QuerySet[Situation], today: dt.date) -> list[WorkRow]:
    situations = _situations(queryset).order_by("-urgency", "identified_on", "pk")[:ROW_LIMIT]
    return [
        WorkRow(
            s.pk,
            s.reference or "",
            reverse("situations:detail", args=[s.pk]),
            _("Try again to reach the household")
            if s.status == Status.UNREACHABLE
            else _("Reach the household"),
            s.identified_on,
            urgent=s.urgency == Urgency.URGENT,
        )
        for s in situations
    ]


def _consent_rows(user: Any, queryset: QuerySet[Situation], today: dt.date) -> list[WorkRow]:
    return [
        WorkRow(
            s.pk,
            s.reference or "",
            reverse("situations:sharing", args=[s.pk]),
            _("Record the household's consent to share"),
            s.informed_on,
        )
        for s in _situations(queryset).order_by("informed_on", "pk")[:ROW_LIMIT]
    ]


def _decision_rows(user: Any, queryset: QuerySet[Situation], today: dt.date) -> list[WorkRow]:
    situations = _situations(queryset)
    if user.role == Role.COORDINATOR:
        return [
            WorkRow(
                s.pk,
                s.reference or "",
                reverse("situations:detail", args=[s.pk]),
                ACTION_LABELS["orient"] if s.status == Status.ASSESSED else ACTION_LABELS["assess"],
                s.assessed_on or s.first_contact_on,
            )
            for s in situations.order_by("status", "first_contact_on", "pk")[:ROW_LIMIT]
        ]
    flagged_at = Subquery(
        rules.flagged_by(user).filter(situation=OuterRef("pk")).values("created_at")[:1]
    )
    return [
        WorkRow(
            s.pk,
            s.reference or "",
            reverse("situations:detail", args=[s.pk]),
            _("Flagged by your organisation for the next platform meeting"),
            timezone.localdate(s.flagged_at) if s.flagged_at else None,
        )
        for s in situations.annotate(flagged_at=flagged_at).order_by("flagged_at", "pk")[:ROW_LIMIT]
    ]


def _deadline_rows(deadlines: list[SituationDeadline]) -> list[WorkRow]:
    return [
        WorkRow(
            d.situation.pk,
            d.situation.reference or "",
            reverse("situations:detail", args=[d.situation.pk]) + "#procedure",
            d.item.label,
            d.item.due_on,
        )
        for d in deadlines[:ROW_LIMIT]
    ]


def _no_rows(user: Any, queryset: QuerySet[Situation], today: dt.date) -> list[WorkRow]:
    return []  # pragma: no cover — deadline rows come from the batch (``_deadline_rows``)


ACTION_DUE = WorkKind(
    "action_due",
    _("Plan actions due"),
    _(
        "Actions of a shared plan given to you, or to your organisation with no one named on "
        "your territories, due within 7 days or late."
    ),
    rules.action_due,
    _action_rows,
)
REVIEW_DUE = WorkKind(
    "review_due",
    _("Reviews due"),
    _(
        "Situations in support whose review falls within 7 days or is late, where you are "
        "the lead professional or coordinate the platform."
    ),
    rules.review_due,
    _review_rows,
)
FOLLOW_UP_DUE = WorkKind(
    "follow_up_due",
    _("Follow-ups at 6 and 12 months"),
    _(
        "Closed situations whose follow-up can be recorded, for their lead professional and, "
        "on their territories, the organisations that identified or led them."
    ),
    rules.follow_up_due,
    _follow_up_rows,
    include_closed=True,
)
TO_CONTACT = WorkKind(
    "to_contact",
    _("Households to contact"),
    _(
        "Situations of your territories identified by your organisation where the household "
        "has not been reached."
    ),
    rules.to_contact,
    _contact_rows,
)
CONSENT_MISSING = WorkKind(
    "consent_missing",
    _("Consent to collect"),
    _("Households of your territories informed or reached, with no consent to share recorded."),
    rules.consent_missing,
    _consent_rows,
)
DEADLINE_SOON = WorkKind(
    "deadline_soon",
    _("Procedure deadlines in the next 30 days"),
    _(
        "Legal deadlines and earliest dates of the arrears and eviction procedures, computed "
        "from the procedure events recorded."
    ),
    rules.deadline_soon,
    _no_rows,
)
AWAITING_DECISION = WorkKind(
    "awaiting_decision",
    _("Waiting for a platform decision"),
    _("Situations of your territories flagged by your organisation for the next platform meeting."),
    rules.awaiting_decision,
    _decision_rows,
)
AWAITING_DECISION_HELP_COORDINATOR = _(
    "Situations of your platforms where contact was made (to assess) or that were assessed "
    "(to orient)."
)

#: Every kind, in the order the situation list shows its filters.
KINDS: tuple[WorkKind, ...] = (
    ACTION_DUE,
    REVIEW_DUE,
    FOLLOW_UP_DUE,
    TO_CONTACT,
    CONSENT_MISSING,
    DEADLINE_SOON,
    AWAITING_DECISION,
)
TO_DO = (ACTION_DUE, REVIEW_DUE, FOLLOW_UP_DUE, TO_CONTACT, CONSENT_MISSING)

#: What each role's page holds, by group. Rent-recovery officers read milestones, never the
#: plan or the reviews (data-protection.md #4), and take no first step.
GROUPS_BY_ROLE: dict[str, tuple[tuple[str, tuple[WorkKind, ...]], ...]] = {
    Role.PROFESSIONAL: (
        ("to_do", TO_DO),
        ("deadlines", (DEADLINE_SOON,)),
        ("decisions", (AWAITING_DECISION,)),
    ),
    Role.COORDINATOR: (
        ("decisions", (AWAITING_DECISION,)),
        ("to_do", TO_DO),
        ("deadlines", (DEADLINE_SOON,)),
    ),
    Role.RENT_RECOVERY: (
        ("deadlines", (DEADLINE_SOON,)),
        ("decisions", (AWAITING_DECISION,)),
    ),
}
GROUP_TITLES: dict[str, StrOrPromise] = {
    "to_do": _("Things to do"),
    "deadlines": _("Deadlines in the next 30 days"),
    "decisions": _("Waiting for a decision"),
}


# --- Roles without case work ------------------------------------------------------------------

GUIDES: dict[str, StrOrPromise] = {
    Role.STEERING: _(
        "Steering follows the platforms through aggregated indicators: ETAGE never shows you a "
        "household's situation, and counts under 5 are hidden. You have no case work here; "
        "what your role can open is listed below."
    ),
    Role.EVALUATOR: _(
        "Evaluation works on pseudonymised data only (pathways, case studies, interviews, "
        "workshops, scenarios): ETAGE never shows you a household's situation by name. You have "
        "no case work here; what your role can open is listed below."
    ),
    Role.DPO: _(
        "As data-protection officer you watch over the access log, the access requests of the "
        "people concerned, retention and purges. You read no situation here; what your role can "
        "open is listed below."
    ),
    Role.ADMIN: _(
        "Administrators configure ETAGE — territories, organisations, accounts and reference "
        "lists — in the back-office, and never read situations. Your work is there:"
    ),
}


# --- Building the page ------------------------------------------------------------------------


def _count(user: Any, kind: WorkKind, today: dt.date) -> tuple[int, QuerySet[Situation]]:
    queryset = search_situations(user, SituationFilters(work=(kind.name,)), today=today)
    return queryset.count(), queryset


def _section(
    user: Any,
    kind: WorkKind,
    today: dt.date,
    *,
    with_rows: bool,
    deadlines: list[SituationDeadline] | None,
) -> WorkSection:
    help_text = kind.help
    if kind is AWAITING_DECISION and user.role == Role.COORDINATOR:
        help_text = AWAITING_DECISION_HELP_COORDINATOR
    if kind is DEADLINE_SOON:
        # One batch serves the count and the rows; the list's filter recomputes the same set.
        found = deadlines if deadlines is not None else rules.deadlines_for(user, today)
        count = len({d.situation.pk for d in found})
        rows = _deadline_rows(found) if with_rows else []
    else:
        count, queryset = _count(user, kind, today)
        # Rows are read even when the count is 0: a fixed number of queries per page.
        rows = kind.rows(user, queryset, today) if with_rows else []
    return WorkSection(kind.name, kind.label, help_text, count, list_url(kind.name), rows)


def referral_counts(user: Any) -> tuple[list[ReferralCount], int]:
    """The person's referrals by coarse status (what a signaller may know), one query."""
    own = Referral.objects.filter(
        submitted_by=user,
        situation__in=situations_visible_to(user, Action.VIEW_REFERRAL_STATUS).values("pk"),
    )
    by_status: dict[ReferralStatus, int] = dict.fromkeys(ReferralStatus, 0)
    for row in own.values("situation__status").annotate(n=Count("pk")).order_by():
        by_status[referral_status_of(row["situation__status"])] += row["n"]
    base = reverse("intake:my_referrals")
    counts = [
        ReferralCount(status, count, f"{base}?{urlencode({'status': status.value})}")
        for status, count in by_status.items()
    ]
    return counts, sum(by_status.values())


def my_work(user: Any, *, today: dt.date | None = None, with_rows: bool = True) -> MyWork:
    """Everything "My work" shows ``user`` (``with_rows=False``: the counts of the home page).

    Case roles get their kinds of work by group; signallers their referrals by status;
    the other roles what their role does here and the pages that exist for them."""
    today = today or timezone.localdate()
    work = MyWork(today=today)
    groups = GROUPS_BY_ROLE.get(user.role)
    if groups is not None and user.is_active:
        needs_deadlines = any(DEADLINE_SOON in kinds for _key, kinds in groups)
        deadlines = rules.deadlines_for(user, today) if needs_deadlines else None
        work.groups = [
            WorkGroup(
                key,
                GROUP_TITLES[key],
                [
                    _section(user, kind, today, with_rows=with_rows, deadlines=deadlines)
                    for kind in kinds
                ],
            )
            for key, kinds in groups
        ]
    elif user.role == Role.SIGNALLER:
        work.referrals, work.referrals_total = referral_counts(user)
    else:
        work.guide = GUIDES.get(user.role, "")
        work.links = next_steps(user)
    return work


def register_list_filters(registry: dict[str, WorkFilter]) -> None:
    for kind in KINDS:
        registry[kind.name] = kind.as_filter()
