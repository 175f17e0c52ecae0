"""A believable history for the demo territories (situations identified 2019-06 → 2022-12).

Everything is written **only through the product's services**, acting as the demo accounts,
so every row is one the product would have written (same actions, payloads, shares, checks):

- the pathway — ``referral_create_situation``, ``situation_transition``, ``consent_record``,
  ``consent_withdraw``, ``share_grant``, ``find_possible_duplicates``,
  ``referral_join_situation``;
- the procedures — ``procedure_event_record``, ``arrears_balance_record``, ``aid_create``,
  ``aid_update`` (what they say is planned by :mod:`etage.demo.arrears`);
- the support — ``objective_create``, ``action_create``, ``action_set_status``,
  ``objective_update``, ``journal_entry_add``, ``review_record``;
- the platform meetings — ``meeting_create`` (whose agenda builder picks what is waiting),
  ``agenda_add``, ``attendance_record``, ``meeting_record_decision`` (orientations, level
  changes, reviews in session, postponements), ``meeting_update``.

Deterministic for a seed: one ``random.Random(seed)`` drives every draw, in a fixed order, and
no draw depends on what the database returns (primary keys, row order). Situations are created
in order of identification, so on an empty table references follow the calendar.

Two phases:

1. **plan** — each situation's story in categories: territory, final status, route (refused at
   contact, unreachable, mainstream, no further action, support), level and level change,
   outcome, source, difficulties, suspension, consent and its withdrawal, identification date,
   and whether an open situation meets a legal deadline within 30 days of today (some in every
   territory). Coverage is guaranteed, not left to chance: every status, orientation, level,
   outcome, source and difficulty is allocated at least once before the proportional share.
2. **play** — every story is a generator that yields the date of its next step (or the
   meeting it waits for); :class:`_World` resumes them, and holds the platform meetings, in
   date order. So a meeting's agenda is built from what the database holds on its day, and a
   story waiting for it records its decision there.

Delays: first contact within days to weeks (median ~1–2 weeks after identification);
orientation log-normal, median ~4–5 weeks after identification, with a long tail, at the
platform meeting of that time when there is one (about monthly, fewer in Vénissieux, until the
end of 2022); support lasts 1–4 months (appui conseil), 4–12 (coordination) or 6–18 (AGR),
longer when the procedure needs it (an eviction, a protocol); reviews about every three months
(until today for supports still running); follow-ups near +6 / +12 months after closure;
archiving once the 12-month follow-up is recorded or 12 months have passed. Steps fall on
working days.

Households, addresses, lease references and phone numbers are fictional (phone numbers in
the 06 39 98 range that ARCEP keeps for fiction).
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
from collections import Counter
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from etage.accounts.models import User
from etage.accounts.roles import Role
from etage.core.append_only import retention_purge
from etage.demo import reference as ref
from etage.demo.arrears import AidPlan, ArrearsTrack, DueSoon, Ending, Fact, neighbourhood_facts
from etage.demo.meetings import Schedule, Slot, upcoming_day
from etage.demo.plans import (
    DECISION_NOTES,
    FALLBACK_ACTIONS,
    JOURNAL_KIND_WEIGHTS,
    JOURNAL_TEXTS,
    MEETING_PLACES,
    OBJECTIVE_TITLES,
    OWNER_KINDS,
    POSTPONEMENT_WEIGHTS,
    THEMES_BY_DIFFICULTY,
)
from etage.households.models import Household
from etage.intake.duplicates import find_possible_duplicates
from etage.intake.services import ReferralData, referral_create_situation, referral_join_situation
from etage.meetings.choices import AgendaReason, DecisionKind, ItemState, MeetingStatus
from etage.meetings.models import AgendaItem, Decision, Meeting
from etage.meetings.services import (
    DecisionInput,
    agenda_add,
    agenda_withdraw,
    attendance_record,
    meeting_create,
    meeting_record_decision,
    meeting_update,
)
from etage.organisations.models import Organisation
from etage.procedures.choices import AidStatus
from etage.procedures.choices import Source as ProcedureSource
from etage.procedures.deadlines import add_months
from etage.procedures.models import ProcedureEvent
from etage.procedures.services import (
    aid_create,
    aid_update,
    arrears_balance_record,
    procedure_event_record,
)
from etage.references.models import ActionTemplate, Theme
from etage.situations.choices import (
    SENSITIVE_DIFFICULTIES,
    Difficulty,
    EntryStage,
    HousingStatus,
    InformationMethod,
    LegalBasis,
    Level,
    Orientation,
    Outcome,
    Source,
    Status,
    SuspensionReason,
    Urgency,
)
from etage.situations.models import Share, Situation
from etage.situations.services import (
    consent_record,
    consent_withdraw,
    share_grant,
    situation_transition,
)
from etage.situations.workflow import follow_up_due_on, transition_for
from etage.support.choices import (
    ActionStatus,
    JournalKind,
    ObjectiveStatus,
    Progress,
    ReviewDecision,
    Visibility,
)
from etage.support.models import JournalEntry, PlanAction, Review
from etage.support.services import (
    PLAN_STATUSES,
    ProgressInput,
    action_create,
    action_set_status,
    journal_entry_add,
    objective_create,
    objective_update,
    review_record,
)
from etage.territories.models import Commune, Platform, PlatformMembership, Territory

S = Status
HISTORY_START = dt.date(2019, 6, 1)
HISTORY_END = dt.date(2022, 12, 31)
#: Below this many situations, coverage of every status, outcome… cannot be guaranteed.
MIN_COUNT = 40
DEFAULT_COUNT = 300

# --- Proportions (out of any total; each value is also guaranteed at least once) ----------

#: Final status. ~16 % still open (≈ 47 of 300), the rest closed or archived.
STATUS_WEIGHTS: dict[str, float] = {
    S.IDENTIFIED: 4,
    S.INFORMED: 3,
    S.CONTACTED: 4,
    S.UNREACHABLE: 5,
    S.ASSESSED: 5,
    S.ORIENTED: 5,
    S.IN_SUPPORT: 17,
    S.SUSPENDED: 4,
    S.CLOSED: 103,
    S.ARCHIVED: 150,
}
#: Volume per territory: Vénissieux (one OPH, no local CCAPEX) is the smallest platform.
TERRITORY_WEIGHTS: dict[str, float] = {"T1": 42, "T2": 20, "T3": 38}
#: How a closed or archived situation got there.
ROUTE_WEIGHTS: dict[str, float] = {
    "refused": 7,  # refused support at first contact
    "unreachable": 6,  # never reached, closed
    Orientation.MAINSTREAM: 9,
    Orientation.NO_ACTION: 5,
    "support": 73,
}
LEVEL_WEIGHTS: dict[str, float] = {Level.ADVICE: 35, Level.COORDINATION: 40, Level.AGR: 25}
#: Outcome of a situation closed after support.
OUTCOME_WEIGHTS: dict[str, float] = {
    Outcome.HOUSED_NO_PROCEDURE: 34,
    Outcome.HOUSED_AFTER_PROCEDURE: 16,
    Outcome.REHOUSED: 9,
    Outcome.MAINSTREAM: 12,
    Outcome.LEFT: 6,
    Outcome.EVICTED: 5,
    Outcome.REFUSED: 9,
    Outcome.OTHER: 6,
}
SOURCE_WEIGHTS: dict[str, float] = {
    Source.LANDLORD_AGENCY: 22,
    Source.RENT_RECOVERY: 20,
    Source.CARETAKER: 12,
    Source.CCAS: 12,
    Source.MDM: 11,
    Source.ASSOCIATION: 6,
    Source.CCAPEX: 7,
    Source.HEALTH: 4,
    Source.SELF: 6,
}
#: Network profiles shape where referrals come from: without a local CCAPEX sub-commission
#: fewer come through the CCAPEX; where CCAS and MDM share a front desk, more through it.
SOURCE_TILT: dict[str, dict[str, float]] = {
    "T1": {},
    "T2": {Source.CCAPEX: 0.3, Source.CCAS: 1.6, Source.MDM: 1.3},
    "T3": {Source.ASSOCIATION: 1.5, Source.HEALTH: 1.5},
}
PRIMARY_DIFFICULTY_WEIGHTS: dict[str, float] = {
    Difficulty.RENT_ARREARS: 62,
    Difficulty.NEIGHBOURHOOD: 8,
    Difficulty.SQUALOR: 6,
    Difficulty.ISOLATION: 4,
    Difficulty.AUTONOMY: 4,
    Difficulty.MENTAL_HEALTH: 4,
    Difficulty.OCCUPANCY: 3,
    Difficulty.NON_TAKE_UP: 3,
    Difficulty.BUDGET: 3,
    Difficulty.ADDICTION: 1,
    Difficulty.DOMESTIC_VIOLENCE: 1,
    Difficulty.OTHER: 1,
}
SECONDARY_DIFFICULTY_WEIGHTS: dict[str, float] = {
    Difficulty.BUDGET: 20,
    Difficulty.NON_TAKE_UP: 15,
    Difficulty.ISOLATION: 12,
    Difficulty.NEIGHBOURHOOD: 10,
    Difficulty.MENTAL_HEALTH: 8,
    Difficulty.AUTONOMY: 7,
    Difficulty.SQUALOR: 6,
    Difficulty.OCCUPANCY: 6,
    Difficulty.ADDICTION: 5,
    Difficulty.DOMESTIC_VIOLENCE: 4,
    Difficulty.OTHER: 4,
    Difficulty.RENT_ARREARS: 8,
}
#: Procedure stage at entry for rent arrears, by source (rent recovery and the CCAPEX see
#: households later in the procedure).
ENTRY_STAGE_WEIGHTS: dict[str, dict[str, float]] = {
    "default": {
        EntryStage.NONE: 46,
        EntryStage.COMMANDEMENT: 24,
        EntryStage.SUMMONS: 13,
        EntryStage.JUDGMENT: 7,
        EntryStage.ORDER_TO_LEAVE: 3,
        EntryStage.UNKNOWN: 7,
    },
    Source.RENT_RECOVERY: {
        EntryStage.NONE: 30,
        EntryStage.COMMANDEMENT: 36,
        EntryStage.SUMMONS: 22,
        EntryStage.JUDGMENT: 10,
        EntryStage.ORDER_TO_LEAVE: 2,
    },
    Source.CCAPEX: {
        EntryStage.COMMANDEMENT: 30,
        EntryStage.SUMMONS: 38,
        EntryStage.JUDGMENT: 22,
        EntryStage.ORDER_TO_LEAVE: 10,
    },
}
#: Median debt at entry (€) by stage; amounts are log-normal around it.
DEBT_MEDIAN: dict[str, float] = {
    EntryStage.NONE: 900,
    EntryStage.COMMANDEMENT: 2200,
    EntryStage.SUMMONS: 3800,
    EntryStage.JUDGMENT: 5200,
    EntryStage.ORDER_TO_LEAVE: 6500,
    EntryStage.UNKNOWN: 1800,
}
_LATE_STAGES = (EntryStage.SUMMONS, EntryStage.JUDGMENT, EntryStage.ORDER_TO_LEAVE)
#: Final statuses reached before the platform assesses the situation.
PRE_ASSESSMENT = frozenset({S.IDENTIFIED, S.INFORMED, S.CONTACTED, S.UNREACHABLE})
#: Orientations that end the platform's part without support.
ORIENTED_ROUTES = (Orientation.MAINSTREAM, Orientation.NO_ACTION)

#: Short fictional descriptions (data, in French like the rest of the demo content).
DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    Difficulty.RENT_ARREARS: (
        "Impayés de loyer depuis plusieurs mois, courriers de relance restés sans réponse.",
        "Dette locative en hausse depuis une perte d'emploi.",
        "Retards de loyer depuis l'interruption des aides au logement.",
    ),
    Difficulty.NEIGHBOURHOOD: (
        "Plaintes répétées de voisins pour bruit la nuit.",
        "Conflit de voisinage signalé par le gardien.",
    ),
    Difficulty.SQUALOR: (
        "Logement très encombré, odeurs signalées dans la montée.",
        "Accumulation d'objets constatée lors d'une intervention technique.",
    ),
    Difficulty.MENTAL_HEALTH: ("Comportement inquiétant signalé, suivi de soins interrompu.",),
    Difficulty.ADDICTION: ("Consommation d'alcool signalée, difficultés à tenir le logement.",),
    Difficulty.ISOLATION: ("Personne seule, ne sort plus, courrier non relevé.",),
    Difficulty.AUTONOMY: ("Personne âgée en perte d'autonomie, logement devenu inadapté.",),
    Difficulty.DOMESTIC_VIOLENCE: ("Violences conjugales évoquées lors d'un rendez-vous.",),
    Difficulty.OCCUPANCY: ("Logement suroccupé depuis l'arrivée de membres de la famille.",),
    Difficulty.NON_TAKE_UP: ("Droits non ouverts (aides au logement, complémentaire santé).",),
    Difficulty.BUDGET: ("Budget très contraint, plusieurs crédits en cours.",),
    Difficulty.OTHER: ("Situation signalée à la suite d'un changement familial.",),
}
CONSENT_NOTES = (
    "Formulaire signé lors de la visite à domicile.",
    "Accord recueilli en entretien, formulaire conservé par le service.",
    "Accord donné par téléphone puis confirmé par écrit.",
)
EMERGENCY_REASON = "Expulsion imminente : la personne sera informée dès la première rencontre."


# --- The story of each situation ---------------------------------------------------------


@dataclass
class _Plan:
    territory: str
    status: str
    route: str = ""  # "" before orientation; else a ROUTE_WEIGHTS key, or "support"
    level: str = ""  # first level, for the support route
    level_change: str = ""  # "up" | "down" | ""
    outcome: str = ""
    source: str = ""
    difficulties: tuple[str, ...] = ()
    consent: bool = False
    withdraw: bool = False
    suspend_resume: bool = False
    close_from_suspension: bool = False
    duplicate: bool = False
    #: An open situation whose procedure reaches a legal deadline within 30 days of today.
    due_soon: bool = False
    identified_on: dt.date = HISTORY_START

    @property
    def closes(self) -> bool:
        return self.status in (S.CLOSED, S.ARCHIVED)

    @property
    def supported(self) -> bool:
        """Support starts (whether or not it has ended)."""
        return self.route == "support" and self.status != S.ORIENTED


@dataclass(frozen=True)
class HistorySummary:
    created: int
    duplicates_joined: int
    by_territory: dict[str, int]
    by_status: dict[str, int]
    seconds: float = 0.0
    meetings: int = 0
    decisions: int = 0
    procedure_events: int = 0
    plan_actions: int = 0
    journal_entries: int = 0
    reviews: int = 0


def _allocate(rng: random.Random, n: int, weights: Mapping[str, float]) -> list[str]:
    """``n`` values in exact proportion to ``weights`` (largest remainder), each at least once
    when ``n`` allows, in random order."""
    keys = list(weights)
    if n < len(keys):
        return rng.choices(keys, weights=[weights[k] for k in keys], k=n)
    total = sum(weights.values())
    rest = n - len(keys)
    exact = {k: rest * weights[k] / total for k in keys}
    counts = {k: 1 + int(exact[k]) for k in keys}
    short = n - sum(counts.values())
    by_remainder = sorted(keys, key=lambda k: (exact[k] - int(exact[k]), weights[k]), reverse=True)
    for k in by_remainder[:short]:
        counts[k] += 1
    values = [k for k in keys for _ in range(counts[k])]
    rng.shuffle(values)
    return values


def _weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys], k=1)[0]


def _pick_some(rng: random.Random, candidates: list[_Plan], share: float) -> list[_Plan]:
    """At least one, about ``share`` of the candidates."""
    if not candidates:
        return []
    return rng.sample(candidates, max(1, round(share * len(candidates))))


def _plan(rng: random.Random, count: int, starts: Mapping[str, dt.date]) -> list[_Plan]:
    plans = [
        _Plan(territory=t, status=s)
        for s, t in zip(
            _allocate(rng, count, STATUS_WEIGHTS),
            _allocate(rng, count, TERRITORY_WEIGHTS),
            strict=True,
        )
    ]
    _spread_open(rng, plans)
    closing = [p for p in plans if p.closes]
    for p, route in zip(closing, _allocate(rng, len(closing), ROUTE_WEIGHTS), strict=True):
        p.route = route
    for p in plans:
        if p.status in (S.ORIENTED, S.IN_SUPPORT, S.SUSPENDED):
            p.route = "support"
    with_level = [p for p in plans if p.route == "support"]
    for p, level in zip(with_level, _allocate(rng, len(with_level), LEVEL_WEIGHTS), strict=True):
        p.level = level

    # Outcomes: every value among situations closed after support; the other routes have theirs.
    supported_closing = [p for p in closing if p.route == "support"]
    outcomes = _allocate(rng, len(supported_closing), OUTCOME_WEIGHTS)
    for p, outcome in zip(supported_closing, outcomes, strict=True):
        p.outcome = outcome
    for p in closing:
        if p.route == "refused":
            p.outcome = Outcome.REFUSED
        elif p.route == "unreachable":
            p.outcome = _weighted(rng, {Outcome.REFUSED: 6, Outcome.OTHER: 4})
        elif p.route == Orientation.MAINSTREAM:
            p.outcome = Outcome.MAINSTREAM
        elif p.route == Orientation.NO_ACTION:
            p.outcome = _weighted(rng, {Outcome.HOUSED_NO_PROCEDURE: 6, Outcome.OTHER: 4})

    # Level changes up and down, suspensions and resumptions, closures during a suspension.
    started = [p for p in plans if p.supported]
    can_go_up = [p for p in started if p.level != Level.AGR]
    for p in _pick_some(rng, can_go_up, 0.10):
        p.level_change = "up"
    can_go_down = [p for p in started if p.level != Level.ADVICE and not p.level_change]
    for p in _pick_some(rng, can_go_down, 0.08):
        p.level_change = "down"
    for p in _pick_some(rng, [p for p in started if p.status != S.SUSPENDED], 0.10):
        p.suspend_resume = True
    dropping = [
        p
        for p in started
        if p.closes and p.outcome in (Outcome.LEFT, Outcome.REFUSED, Outcome.OTHER)
    ]
    for p in _pick_some(rng, dropping, 0.35):
        p.close_from_suspension = True

    # Consent to share: most situations presented to the platform; a few withdrawn later.
    for p in plans:
        assessed = p.status not in PRE_ASSESSMENT and p.route not in ("refused", "unreachable")
        p.consent = assessed and rng.random() < 0.85
    for p in _pick_some(rng, [p for p in started if p.consent], 0.04):
        p.withdraw = True

    # In every territory, some situations in support face a legal deadline within 30 days of
    # today (so the pages that list upcoming deadlines show something): rent arrears first.
    for code in sorted({p.territory for p in plans}):
        active = [p for p in plans if p.territory == code and p.status in _ACTIVE]
        for p in _pick_some(rng, active, 0.5):
            p.due_soon = True

    # Who referred them, and for what.
    for p in plans:
        tilt = SOURCE_TILT[p.territory]
        p.source = _weighted(rng, {k: w * tilt.get(k, 1.0) for k, w in SOURCE_WEIGHTS.items()})
    _cover(rng, plans, "source", Source.values)
    for p in plans:
        p.difficulties = _difficulties(rng, p)
    missing = set(Difficulty.values) - {d for p in plans for d in p.difficulties}
    for code in sorted(missing):
        target = rng.choice([p for p in plans if code not in p.difficulties])
        target.difficulties = (*target.difficulties, code)

    # Duplicates: a second referral arrives for a few situations still open.
    still_open = [p for p in plans if not p.closes]
    for p in rng.sample(still_open, min(len(still_open), max(2, count // 60))):
        p.duplicate = True

    for p in plans:
        p.identified_on = _identified_on(rng, p, starts[p.territory])
    # Situations are created in calendar order, so references follow it.
    plans.sort(key=lambda p: (p.identified_on, p.territory))
    return plans


#: Open situations whose support has begun, or is about to.
_ACTIVE = (S.IN_SUPPORT, S.SUSPENDED, S.ORIENTED)


def _spread_open(rng: random.Random, plans: list[_Plan]) -> None:
    """Give every territory at least one open situation in support (or oriented), by
    swapping territories with another situation: the counts per territory stay."""
    for code in sorted({p.territory for p in plans}):
        if any(p.territory == code and p.status in _ACTIVE for p in plans):
            continue
        donors = [
            p
            for p in plans
            if p.status in _ACTIVE
            and sum(q.territory == p.territory and q.status in _ACTIVE for q in plans) > 1
        ]
        takers = [p for p in plans if p.territory == code and p.status not in _ACTIVE]
        if donors and takers:
            donor, taker = rng.choice(donors), rng.choice(takers)
            donor.territory, taker.territory = code, donor.territory


def _cover(rng: random.Random, plans: list[_Plan], attr: str, values: Sequence[str]) -> None:
    """Make every value of ``attr`` appear, taken from the most common one."""
    for value in values:
        counts = Counter(getattr(p, attr) for p in plans)
        if counts[value]:
            continue
        commonest = counts.most_common(1)[0][0]
        rng.choice([p for p in plans if getattr(p, attr) == commonest]).__setattr__(attr, value)


def _difficulties(rng: random.Random, p: _Plan) -> tuple[str, ...]:
    if (
        p.due_soon
        or p.outcome in (Outcome.HOUSED_AFTER_PROCEDURE, Outcome.EVICTED)
        or p.source
        in (
            Source.RENT_RECOVERY,
            Source.CCAPEX,
        )
    ):
        primary: str = Difficulty.RENT_ARREARS
    else:
        primary = _weighted(rng, PRIMARY_DIFFICULTY_WEIGHTS)
    found: list[str] = [primary]
    for _ in range(rng.choices((0, 1, 2), weights=(40, 40, 20))[0]):
        extra = _weighted(rng, SECONDARY_DIFFICULTY_WEIGHTS)
        if extra not in found:
            found.append(extra)
    return tuple(found)


def _identified_on(rng: random.Random, p: _Plan, platform_start: dt.date) -> dt.date:
    """Open situations are the recent ones; the longer the support, the earlier it began."""
    start = max(HISTORY_START, platform_start)
    if p.status == S.ARCHIVED:
        low, high = start, dt.date(2022, 3, 31)
    elif p.closes:
        low, high = max(start, dt.date(2020, 1, 1)), dt.date(2022, 10, 31)
    elif p.status in (S.IN_SUPPORT, S.SUSPENDED):
        earliest: dict[str, dt.date] = {
            Level.ADVICE: dt.date(2022, 8, 1),
            Level.COORDINATION: dt.date(2022, 3, 1),
            Level.AGR: dt.date(2021, 10, 1),
        }
        low, high = earliest[p.level], HISTORY_END
    elif p.status == S.ORIENTED:
        low, high = dt.date(2022, 9, 1), HISTORY_END
    else:
        low, high = dt.date(2022, 10, 1), HISTORY_END
    span = (high - low).days
    for _ in range(20):
        day = low + dt.timedelta(days=rng.randint(0, span))
        # Fewer referrals during the spring 2020 lockdown.
        lockdown = dt.date(2020, 3, 17) <= day <= dt.date(2020, 5, 10)
        if day.weekday() < 5 and not (lockdown and rng.random() < 0.7):
            return day
    return day


# --- Actors ----------------------------------------------------------------------------


@dataclass
class _Cast:
    """The demo accounts and reference rows of one territory."""

    territory: Territory
    platform: Platform
    coordinator: User
    signaller: User
    professional: User  # the landlord's social worker
    rent_recovery: User
    ccas: User
    mdm: User
    association: User
    landlords: list[Organisation]
    communes: list[Commune]
    local_ccapex: Organisation | None
    health: Organisation
    #: Active member organisations of the platform: those that may carry a plan action.
    members: frozenset[int] = frozenset()

    def professionals(self) -> list[User]:
        return [self.professional, self.ccas, self.mdm, self.association, self.coordinator]

    def step_taker_for(self, referrer: User) -> User:
        """The professional of the referrer's organisation who records the first steps."""
        if referrer.role in (Role.PROFESSIONAL, Role.COORDINATOR):
            return referrer
        for user in self.professionals():
            if user.organisation_id == referrer.organisation_id:
                return user
        return self.coordinator

    def person_of(self, organisation_id: int) -> User | None:
        """A demo professional of that organisation, to name in charge of an action."""
        for user in (self.professional, self.ccas, self.mdm, self.association):
            if user.organisation_id == organisation_id:
                return user
        return None


_LOCAL_CCAPEX = {"T1": "CCAPEX-EST", "T3": "CCAPEX-LYON"}
_COMMUNE_WEIGHTS = {"69256": 60, "69029": 40, "69259": 100, "69387": 50, "69388": 50}


def _casts() -> dict[str, _Cast]:
    users = {
        u.username: u for u in User.objects.filter(is_demo=True).select_related("organisation")
    }
    orgs = {o.code: o for o in Organisation.objects.all()}
    casts = {}
    for tspec in ref.TERRITORIES:
        prefix = tspec.code.lower()

        def account(slug: str, prefix: str = prefix) -> User:
            username = f"{prefix}-{slug}"
            if username not in users:
                raise LookupError(f"Demo account {username} is missing: build the reference first.")
            return users[username]

        territory = Territory.objects.get(code=tspec.code)
        platform = Platform.objects.get(territory=territory)
        members = PlatformMembership.objects.filter(
            platform=platform, is_active=True, organisation__is_active=True
        ).values_list("organisation_id", flat=True)
        casts[tspec.code] = _Cast(
            territory=territory,
            platform=platform,
            coordinator=account(ref.ROLE_SLUGS[Role.COORDINATOR]),
            signaller=account(ref.ROLE_SLUGS[Role.SIGNALLER]),
            professional=account(ref.ROLE_SLUGS[Role.PROFESSIONAL]),
            rent_recovery=account(ref.ROLE_SLUGS[Role.RENT_RECOVERY]),
            ccas=account("ccas"),
            mdm=account("mdm"),
            association=account("association"),
            landlords=[orgs[code] for code in tspec.landlords],
            communes=[Commune.objects.get(insee_code=insee) for insee, _ in tspec.communes],
            local_ccapex=orgs.get(_LOCAL_CCAPEX.get(tspec.code, "")),
            health=orgs["EMPP"],
            members=frozenset(members),
        )
    return casts


def _platform_starts() -> dict[str, dt.date]:
    return {t.code: dt.date.fromisoformat(t.started_on) for t in ref.TERRITORIES}


# --- Playing a story through the services -------------------------------------------------


@dataclass
class _Await:
    """What a story yields to wait for a platform meeting (instead of a date)."""

    slot: Slot
    situation_id: int


@dataclass
class _Session:
    """What the story gets back when its meeting is held: the meeting and its agenda item."""

    meeting: Meeting
    item: AgendaItem


#: A story is a generator: it yields the date of its next step (or a meeting to wait for),
#: and is resumed when every other story has caught up with that date.
Story = Generator["dt.date | _Await", "_Session | None", Any]


@dataclass
class _Player:
    """Calls the services for one situation, in chronological order, tracking its version
    (as the person's form would): read again only after a meeting decided on it."""

    situation_id: int
    reference: str
    identified_on: dt.date
    today: dt.date
    version: int = 1
    #: The date of the story's last step: later steps never come before it.
    clock: dt.date = HISTORY_START
    status: str = S.IDENTIFIED
    consent_id: int | None = None
    closed_on: dt.date | None = None
    next_review_on: dt.date | None = None
    #: Bumped whenever the sharing group may have changed (see :meth:`has_share`).
    shares_epoch: int = 0
    _shares: dict[int, tuple[int, bool]] = field(default_factory=dict)

    def day(self, on: dt.date) -> dt.date:
        """The date of the next fact: a working day, never before the previous fact, never in
        the future."""
        on = max(on, self.clock, self.identified_on)
        while on.weekday() >= 5:
            on += dt.timedelta(days=1)
        return min(on, self.today)

    def at(self, on: dt.date) -> Story:
        """Wait until the day of the next step (every other story catches up first)."""
        on = self.day(on)
        self.clock = on
        yield on
        return on

    def move(
        self, user: User, action: str, on: dt.date, payload: Mapping[str, Any] | None = None
    ) -> Story:
        on = yield from self.at(on)
        situation_transition(
            user=user,
            situation_id=self.situation_id,
            action=action,
            expected_version=self.version,
            occurred_on=on,
            payload=payload,
            today=self.today,
        )
        self.version += 1
        self.shares_epoch += 1
        transition = transition_for(action, self.status)
        assert transition is not None
        self.status = transition.target
        if action in ("close", "contact_refused"):
            self.closed_on = on
        if action == "start_support":
            self.sync()
        return on

    def sync(self) -> None:
        """Read back what a meeting or a review changed (version, next review)."""
        row = Situation.objects.values("version", "status", "next_review_on").get(
            pk=self.situation_id
        )
        self.version, self.status = row["version"], row["status"]
        self.next_review_on = row["next_review_on"]
        self.shares_epoch += 1

    def has_share(self, organisation_id: int) -> bool:
        """Whether the organisation is in the sharing group (read again only after a change
        of the group: consent, withdrawal, grant, orientation, change of level)."""
        epoch, found = self._shares.get(organisation_id, (-1, False))
        if epoch != self.shares_epoch:
            found = Share.objects.filter(
                situation_id=self.situation_id, organisation_id=organisation_id, is_active=True
            ).exists()
            self._shares[organisation_id] = (self.shares_epoch, found)
        return found

    def grant(self, user: User, organisation: Organisation, basis: str, on: dt.date) -> Story:
        if not self.has_share(organisation.pk):
            on = yield from self.at(on)
            share_grant(
                user=user,
                situation_id=self.situation_id,
                organisation_id=organisation.pk,
                legal_basis=basis,
                on=on,
            )
            self.shares_epoch += 1


def _days(rng: random.Random, median: float, sigma: float, low: int, high: int) -> int:
    return max(low, min(high, round(rng.lognormvariate(0, sigma) * median)))


def _money(value: float) -> Decimal:
    return Decimal(f"{max(value, 0):.2f}")


def _entry(rng: random.Random, p: _Plan) -> tuple[str, Decimal | None]:
    if Difficulty.RENT_ARREARS not in p.difficulties:
        return (EntryStage.NONE if rng.random() < 0.8 else EntryStage.UNKNOWN), None
    weights = ENTRY_STAGE_WEIGHTS.get(p.source, ENTRY_STAGE_WEIGHTS["default"])
    if p.outcome == Outcome.HOUSED_AFTER_PROCEDURE:
        weights = {EntryStage.COMMANDEMENT: 45, EntryStage.SUMMONS: 40, EntryStage.JUDGMENT: 15}
    elif p.outcome == Outcome.EVICTED:
        weights = {EntryStage.SUMMONS: 20, EntryStage.JUDGMENT: 50, EntryStage.ORDER_TO_LEAVE: 30}
    elif p.outcome == Outcome.HOUSED_NO_PROCEDURE:
        # Kept housed without a judicial procedure: caught early, or paid after the order.
        weights = {EntryStage.NONE: 60, EntryStage.UNKNOWN: 10, EntryStage.COMMANDEMENT: 30}
    stage = _weighted(rng, weights)
    debt = DEBT_MEDIAN[stage] * rng.lognormvariate(0, 0.45)
    return stage, _money(max(120.0, debt))


#: Debt at exit as a share of debt at entry, by outcome: down when the support kept the
#: household housed, up until the eviction.
_EXIT_FACTOR: dict[str, tuple[float, float]] = {
    Outcome.HOUSED_NO_PROCEDURE: (0.0, 0.3),
    Outcome.HOUSED_AFTER_PROCEDURE: (0.05, 0.6),
    Outcome.REHOUSED: (0.0, 0.5),
    Outcome.MAINSTREAM: (0.3, 1.0),
    Outcome.LEFT: (0.5, 1.2),
    Outcome.EVICTED: (1.1, 1.6),
    Outcome.REFUSED: (0.8, 1.5),
    Outcome.OTHER: (0.3, 1.3),
}
_HOUSING_AT_EXIT: dict[str, dict[str, float]] = {
    Outcome.HOUSED_NO_PROCEDURE: {HousingStatus.SAME_DWELLING: 1},
    Outcome.HOUSED_AFTER_PROCEDURE: {HousingStatus.SAME_DWELLING: 1},
    Outcome.REHOUSED: {HousingStatus.OTHER_SOCIAL: 9, HousingStatus.PRIVATE: 1},
    Outcome.MAINSTREAM: {HousingStatus.SAME_DWELLING: 9, HousingStatus.UNKNOWN: 1},
    Outcome.LEFT: {
        HousingStatus.PRIVATE: 3,
        HousingStatus.HOSTED: 3,
        HousingStatus.OTHER_SOCIAL: 1,
        HousingStatus.UNKNOWN: 3,
    },
    Outcome.EVICTED: {
        HousingStatus.HOSTED: 5,
        HousingStatus.NO_HOUSING: 2,
        HousingStatus.UNKNOWN: 3,
    },
    Outcome.REFUSED: {HousingStatus.SAME_DWELLING: 7, HousingStatus.UNKNOWN: 3},
    Outcome.OTHER: {
        HousingStatus.UNKNOWN: 6,
        HousingStatus.SAME_DWELLING: 2,
        HousingStatus.NO_HOUSING: 2,
    },
}
#: Outcomes where the support worked: objectives achieved, actions done.
_SUCCESS = frozenset(
    {
        Outcome.HOUSED_NO_PROCEDURE,
        Outcome.HOUSED_AFTER_PROCEDURE,
        Outcome.REHOUSED,
        Outcome.MAINSTREAM,
    }
)


def _exit_debt(rng: random.Random, outcome: str, entry_debt: Decimal | None) -> Decimal:
    low, high = _EXIT_FACTOR[outcome]
    settled = outcome == Outcome.HOUSED_NO_PROCEDURE and rng.random() < 0.4
    if entry_debt is None or settled:
        return Decimal("0.00")
    return _money(float(entry_debt) * rng.uniform(low, high))


def _follow_up_payload(rng: random.Random, outcome: str) -> dict[str, str]:
    if outcome in (Outcome.EVICTED, Outcome.LEFT, Outcome.OTHER):
        housed = _weighted(rng, {"unknown": 5, "yes": 3, "no": 2})
        arrears = "unknown"
    else:
        housed = _weighted(rng, {"yes": 92, "unknown": 6, "no": 2})
        arrears = _weighted(rng, {"no": 80, "yes": 10, "unknown": 10})
    return {"still_housed": housed, "arrears_over_3_months": arrears}


def _settled_ending(rng: random.Random, stage: str) -> Ending:
    """How a procedure standing at ``stage`` ends when the support keeps the household."""
    if stage in (EntryStage.SUMMONS, EntryStage.JUDGMENT):
        return Ending.TIME_TO_PAY if rng.random() < 0.6 else Ending.PROTOCOL
    if stage == EntryStage.ORDER_TO_LEAVE:
        return Ending.PROTOCOL
    return Ending.AMICABLE


def _ending(rng: random.Random, p: _Plan, stage: str) -> Ending:
    """Where the procedure goes, consistent with the outcome of the situation."""
    if not p.closes:
        return _settled_ending(rng, stage) if p.status in _ACTIVE else Ending.STALLED
    if p.route != "support":
        return Ending.STALLED
    if p.outcome == Outcome.HOUSED_NO_PROCEDURE:
        return Ending.AMICABLE
    if p.outcome == Outcome.HOUSED_AFTER_PROCEDURE:
        if stage == EntryStage.COMMANDEMENT:
            return Ending.TIME_TO_PAY if rng.random() < 0.7 else Ending.AMICABLE
        return _settled_ending(rng, stage)
    if p.outcome == Outcome.REHOUSED:
        return _settled_ending(rng, stage)
    if p.outcome == Outcome.EVICTED:
        return Ending.EVICTION
    if p.outcome == Outcome.LEFT and stage in (EntryStage.JUDGMENT, EntryStage.ORDER_TO_LEAVE):
        return Ending.LEFT
    return Ending.STALLED


#: The late stages where a social cohesion protocol can be what puts a deadline near.
_JUDICIAL = (EntryStage.SUMMONS, EntryStage.JUDGMENT, EntryStage.ORDER_TO_LEAVE)


class _Story:
    """One situation, from referral to its final status."""

    def __init__(
        self,
        rng: random.Random,
        plan: _Plan,
        cast: _Cast,
        used_names: set[tuple[str, str]],
        world: _World,
    ) -> None:
        self.rng, self.p, self.cast, self.world = rng, plan, cast, world
        self.today = world.today
        self.used_names = used_names
        self.referrer = self._referrer()
        self.origin_pro = cast.step_taker_for(self.referrer)
        self.lead: User | None = None
        self.track: ArrearsTrack | None = None
        self.exit_debt: Decimal | None = None
        # The shared plan, as the story wrote it: objective id → [version, theme id, title];
        # action id → version.
        self.objectives: dict[int, list[Any]] = {}
        self.actions: dict[int, int] = {}
        self.aid_rows: dict[int, list[int]] = {}
        #: Steps still to play: (date, order, sequence, kind, data), a heap.
        self.queue: list[tuple[dt.date, int, int, str, Any]] = []
        self.sequence = itertools.count()
        #: The procedures after the identification have been planned.
        self.continued = False
        self.review_until = world.today

    # Who and where

    def _referrer(self) -> User:
        c, source = self.cast, self.p.source
        if source == Source.LANDLORD_AGENCY:
            return c.signaller if self.rng.random() < 0.6 else c.professional
        if source == Source.SELF:
            return c.professional if self.rng.random() < 0.5 else c.ccas
        by_source: dict[str, User] = {
            Source.CARETAKER: c.signaller,
            Source.RENT_RECOVERY: c.rent_recovery,
            Source.CCAS: c.ccas,
            Source.MDM: c.mdm,
            Source.ASSOCIATION: c.association,
            Source.CCAPEX: c.coordinator,
            Source.HEALTH: c.coordinator,
        }
        return by_source[source]

    def _landlord(self) -> Organisation:
        referrer_org = self.referrer.organisation
        if referrer_org is not None and referrer_org in self.cast.landlords:
            return referrer_org
        return self.rng.choice(self.cast.landlords)

    def _name(self) -> tuple[str, str]:
        for _ in range(50):
            pair = (self.rng.choice(ref.LAST_NAMES), self.rng.choice(ref.FIRST_NAMES))
            if pair not in self.used_names:
                break
        self.used_names.add(pair)
        return pair

    def referral_data(self) -> ReferralData:
        rng, p = self.rng, self.p
        last, first = self._name()
        landlord = self._landlord()
        insee = rng.choices(
            [c.insee_code for c in self.cast.communes],
            weights=[_COMMUNE_WEIGHTS[c.insee_code] for c in self.cast.communes],
        )[0]
        commune = next(c for c in self.cast.communes if c.insee_code == insee)
        address = f"{rng.randint(1, 140)} {rng.choice(ref.STREETS)}"
        if rng.random() < 0.6:
            address += (
                f", bât. {rng.choice('ABCDEFG')}, appt {rng.randint(1, 12)}{rng.randint(1, 9)}"
            )
        stage, debt = _entry(rng, p)
        urgent = (
            stage in (EntryStage.JUDGMENT, EntryStage.ORDER_TO_LEAVE) and rng.random() < 0.5
        ) or (Difficulty.DOMESTIC_VIOLENCE in p.difficulties and rng.random() < 0.5)
        urgent = urgent or rng.random() < 0.05
        phone = (
            f"06 39 98 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"
            if rng.random() < 0.8
            else ""
        )
        adults = rng.choices((1, 2, 3), weights=(55, 40, 5))[0]
        children = rng.choices((0, 1, 2, 3, 4), weights=(40, 20, 20, 12, 8))[0]
        return ReferralData(
            last_name=last,
            first_name=first,
            landlord_id=landlord.pk,
            commune_id=commune.pk,
            address=address,
            source=p.source,
            urgency=Urgency.URGENT if urgent else Urgency.NORMAL,
            difficulties=p.difficulties,
            lease_reference=f"{landlord.code}-{rng.randint(1, 99999):06d}",
            phone=phone,
            adults=adults,
            children=children,
            description=rng.choice(DESCRIPTIONS[p.difficulties[0]]),
            entry_stage=stage,
            entry_debt=debt,
            identified_on=p.identified_on,
        )

    def _lead_for(self, level: str) -> User | None:
        c = self.cast
        if level == Level.AGR:
            return c.association
        if level == Level.COORDINATION:
            choices = [c.ccas, c.mdm]
            if self.landlord.pk == c.professional.organisation_id:
                choices.append(c.professional)
            return self.rng.choice(choices)
        return None

    def _lead_payload(self, lead: User | None) -> dict[str, Any]:
        return {
            "lead_professional_id": lead.pk if lead else None,
            "referent_organisation_id": lead.organisation_id if lead else None,
        }

    @property
    def worker(self) -> User:
        """Who records support steps: the lead professional, else the professional who
        brought the situation (appui conseil advises them)."""
        return self.lead or self.origin_pro

    # The story

    def play(self) -> Story:
        data = self.referral_data()
        referral = referral_create_situation(user=self.referrer, data=data)
        situation = referral.situation
        self.landlord = situation.landlord
        self.entry_debt = data.entry_debt
        self.urgent = data.urgency == Urgency.URGENT
        self.data = data
        self.situation = situation
        pl = _Player(
            situation.pk,
            situation.reference or "",
            situation.identified_on,
            self.today,
            clock=situation.identified_on,
        )
        self.world.enrol(self, pl)
        if data.entry_debt is not None:
            yield from self._procedure_at_entry(pl, data)
        yield from self._play(pl)

    def _play(self, pl: _Player) -> Story:
        rng, p, c = self.rng, self.p, self.cast
        ident = p.identified_on
        if p.status == S.IDENTIFIED:
            yield from self._open_track(pl)
            return
        if p.status == S.INFORMED:
            method = _weighted(rng, {InformationMethod.LETTER: 6, InformationMethod.PHONE: 4})
            yield from pl.move(
                self.origin_pro,
                "inform",
                ident + dt.timedelta(rng.randint(0, 12)),
                {"method": method},
            )
            yield from self._open_track(pl)
            return

        # First contact, and the information the household is given around it.
        contact = ident + dt.timedelta(_days(rng, 8, 0.8, 0, 70))
        if self.urgent and rng.random() < 0.4:
            info = "emergency"
        else:
            info = _weighted(rng, {"before": 25, "at": 60, "after": 15})
        if info == "emergency":
            yield from pl.move(
                self.origin_pro,
                "inform",
                ident,
                {"method": InformationMethod.EMERGENCY, "emergency_reason": EMERGENCY_REASON},
            )
        elif info == "before":
            yield from pl.move(
                self.origin_pro,
                "inform",
                ident + dt.timedelta(rng.randint(0, 7)),
                {"method": InformationMethod.LETTER},
            )
        attempts = 0
        if p.status == S.UNREACHABLE:
            attempts = rng.randint(1, 3)
        elif p.route == "unreachable":
            attempts = rng.randint(2, 4)
        elif rng.random() < 0.15:
            attempts = rng.randint(1, 2)
        for _ in range(attempts):
            on = yield from pl.move(self.origin_pro, "contact_unreachable", contact)
            contact = on + dt.timedelta(rng.randint(7, 21))
        if p.status == S.UNREACHABLE:
            yield from self._open_track(pl)
            return
        if p.route == "unreachable":
            yield from self._close(pl, contact + dt.timedelta(rng.randint(7, 40)))
            return
        if p.route == "refused":
            yield from self._track_until(
                pl, pl.day(contact), is_open=False, steps=rng.randint(0, 1)
            )
            yield from pl.move(self.origin_pro, "contact_refused", contact)
            yield from self._after_closure(pl)
            return
        method = _weighted(rng, {InformationMethod.IN_PERSON: 6, InformationMethod.PHONE: 4})
        if info == "at":
            yield from pl.move(self.origin_pro, "inform", contact, {"method": method})
        yield from pl.move(self.origin_pro, "contact_reached", contact)
        if info == "after":
            yield from pl.move(
                self.origin_pro,
                "inform",
                contact + dt.timedelta(rng.randint(0, 10)),
                {"method": method},
            )
        if p.status == S.CONTACTED:
            yield from self._open_track(pl)
            return

        # Presented to the platform, then oriented (median ~4–5 weeks after identification),
        # at the platform meeting of that time when there is one.
        delay = _days(rng, 27, 0.5, 7, 240)
        if rng.random() < 0.07:  # the long tail: a household hard to see, a meeting postponed
            delay = min(240, int(delay * rng.uniform(2, 4)))
        orient = max(ident + dt.timedelta(delay), pl.clock + dt.timedelta(rng.randint(3, 14)))
        slot = self.world.schedule.first_between(
            p.territory,
            max(orient - dt.timedelta(10), pl.clock + dt.timedelta(3)),
            orient + dt.timedelta(35),
        )
        if slot is not None:
            orient = slot.day
        same_meeting = slot is not None and p.status != S.ASSESSED and rng.random() < 0.4
        # Assessed and oriented in the same platform meeting, or assessed some days before.
        spread = (orient - pl.clock) * rng.uniform(0.3, 0.95)
        assess = orient if same_meeting else pl.clock + spread
        if p.consent:
            given = pl.clock + (assess - pl.clock) * rng.uniform(0.0, 1.0)
            yield from self._consent(pl, given)
        yield from self._legal_shares(pl, assess)
        if not same_meeting:
            yield from pl.move(c.coordinator, "assess", assess)
        if p.status == S.ASSESSED:
            yield from self._open_track(pl)
            return

        orientation = p.route if p.route in ORIENTED_ROUTES else p.level
        lead = self._lead_for(orientation)
        payload: dict[str, Any] = {"orientation": orientation, **self._lead_payload(lead)}
        if orientation == Orientation.MAINSTREAM and rng.random() < 0.7:
            payload["referent_organisation_id"] = c.mdm.organisation_id
        self.lead = lead
        oriented_on = None
        if slot is not None:
            oriented_on = yield from self._orient_at_meeting(pl, slot, payload)
        if oriented_on is None:
            oriented_on = yield from pl.move(c.coordinator, "orient", orient, payload)
        if p.status == S.ORIENTED:
            yield from self._open_track(pl)
            return
        if p.route == Orientation.MAINSTREAM:
            yield from self._close(pl, oriented_on + dt.timedelta(rng.randint(7, 45)))
            return
        if p.route == Orientation.NO_ACTION:
            yield from self._close(pl, oriented_on + dt.timedelta(rng.randint(0, 21)))
            return
        yield from self._support(pl, oriented_on)

    def _consent(self, pl: _Player, given: dt.date) -> Story:
        c, rng = self.cast, self.rng
        scope = {self.landlord, c.ccas.organisation, c.mdm.organisation}
        if self.p.level == Level.AGR or self.p.level_change == "up" or rng.random() < 0.3:
            scope.add(c.association.organisation)
        if SENSITIVE_DIFFICULTIES & set(self.p.difficulties) and rng.random() < 0.5:
            scope.add(c.health)
        recorder = c.coordinator if rng.random() < 0.3 else self.origin_pro
        given = yield from pl.at(given)
        consent = consent_record(
            user=recorder,
            situation_id=pl.situation_id,
            given_on=given,
            organisation_ids=sorted(o.pk for o in scope if o is not None),
            note=rng.choice(CONSENT_NOTES),
        )
        pl.consent_id = consent.pk
        pl.shares_epoch += 1

    def _legal_shares(self, pl: _Player, on: dt.date) -> Story:
        """Shares the platform grants without consent: the local CCAPEX sub-commission late
        in the procedure, the mental-health team within a care team."""
        c, rng = self.cast, self.rng
        late = self.data.entry_stage in _LATE_STAGES
        if c.local_ccapex is not None and late and rng.random() < 0.6:
            yield from pl.grant(c.coordinator, c.local_ccapex, LegalBasis.CCAPEX, on)
        if Difficulty.MENTAL_HEALTH in self.p.difficulties and rng.random() < 0.4:
            yield from pl.grant(c.coordinator, c.health, LegalBasis.CARE_TEAM, on)

    # Meetings

    def _await(self, pl: _Player, slot: Slot) -> Generator[Any, Any, _Session | None]:
        """Wait for the platform meeting of ``slot``; its agenda will hold the situation."""
        session = yield _Await(slot, pl.situation_id)
        pl.clock = max(pl.clock, slot.day)
        return session if isinstance(session, _Session) else None

    def _decide(self, pl: _Player, session: _Session, data: DecisionInput) -> None:
        meeting_record_decision(
            user=self.cast.coordinator,
            meeting_id=session.meeting.pk,
            item_id=session.item.pk,
            data=data,
            today=self.today,
        )
        pl.sync()

    def _orient_at_meeting(
        self, pl: _Player, slot: Slot, payload: dict[str, Any]
    ) -> Generator[Any, Any, dt.date | None]:
        """Orientation decided at the platform meeting — sometimes postponed to the next one.
        ``None`` when no meeting took the decision (the coordinator then records it)."""
        rng = self.rng
        current: Slot | None = slot
        while current is not None:
            session = yield from self._await(pl, current)
            if session is None:
                return None
            following = self.world.schedule.next_after(current)
            if (
                rng.random() < 0.12
                and following is not None
                and (following.day - current.day).days <= 70
            ):
                reason = _weighted(rng, POSTPONEMENT_WEIGHTS)
                self._decide(
                    pl,
                    session,
                    DecisionInput(
                        kind=DecisionKind.POSTPONEMENT,
                        expected_version=pl.version,
                        postponement_reason=reason,
                    ),
                )
                current = following
                continue
            self._decide(
                pl,
                session,
                DecisionInput(
                    kind=DecisionKind.ORIENTATION,
                    expected_version=pl.version,
                    orientation=payload["orientation"],
                    lead_professional_id=payload.get("lead_professional_id"),
                    referent_organisation_id=payload.get("referent_organisation_id"),
                    note=rng.choice(DECISION_NOTES["orientation"]),
                ),
            )
            return current.day
        return None

    # Support

    def _push(self, on: dt.date, order: int, kind: str, data: Any = None) -> None:
        heapq.heappush(self.queue, (on, order, next(self.sequence), kind, data))

    def _run(self, pl: _Player, end: dt.date, *, reviews: bool) -> Story:
        """Play the queued steps in date order (reviews due come in between)."""
        while self.queue:
            on, _order, _n, kind, data = heapq.heappop(self.queue)
            if reviews:
                yield from self._reviews_until(pl, on, end)
            yield from self._step(pl, kind, data, on)

    def _support(self, pl: _Player, oriented_on: dt.date) -> Story:
        rng, p = self.rng, self.p
        start = yield from pl.move(
            self.worker,
            "start_support",
            oriented_on + dt.timedelta(_days(rng, 10, 0.6, 1, 45)),
            {"next_review_on": None},
        )
        months: dict[str, tuple[int, int]] = {
            Level.ADVICE: (1, 4),
            Level.COORDINATION: (4, 12),
            Level.AGR: (6, 18),
        }
        low, high = months[p.level]
        duration = rng.randint(low * 30, high * 30)
        end = start + dt.timedelta(duration)
        last = start
        if p.level_change:
            last = start + dt.timedelta(int(duration * rng.uniform(0.2, 0.6)))
            self._push(last, 0, "level")
        if p.suspend_resume:
            on = start + dt.timedelta(int(duration * rng.uniform(0.3, 0.8)))
            back = rng.randint(21, 90)
            self._push(on, 0, "pause", back)
            end += dt.timedelta(back)
            last = max(last, on + dt.timedelta(back))
        if p.withdraw:
            on = start + dt.timedelta(int(duration * rng.uniform(0.1, 0.9)))
            self._push(on, 0, "withdraw")
            last = max(last, on)
        closing = p.closes
        if self.entry_debt is not None or self._neighbourhood():
            min_end = self._track_steps(
                pl, until=end if closing else self.today, is_open=not closing
            )
            if closing and min_end is not None and min_end > end:
                end = min_end
        if p.status == S.SUSPENDED:
            end = last + dt.timedelta(rng.randint(14, 120))
            self._push(end, 5, "suspend")
        elif closing and p.close_from_suspension:
            self._push(end - dt.timedelta(rng.randint(20, 90)), 5, "suspend")
        self._plan_steps(start, end if p.status != S.IN_SUPPORT else self.today, closing=closing)
        self.review_until = end
        if p.status == S.IN_SUPPORT:
            # Reviews go on until today; a few are overdue (the "late" filter has work).
            lag = rng.randint(30, 80) if rng.random() < 0.2 else 0
            self.review_until = self.today - dt.timedelta(lag)
        yield from self._run(pl, end, reviews=True)
        yield from self._reviews_until(pl, self.review_until, end)
        if closing:
            yield from self._close(pl, end)

    def _step(self, pl: _Player, kind: str, data: Any, on: dt.date) -> Story:
        if kind == "level":
            yield from self._change_level(pl, on)
        elif kind == "pause":
            if pl.status != S.IN_SUPPORT:
                return
            suspended = yield from pl.move(self.worker, "suspend", on, {"reason": self._reason()})
            yield from pl.move(self.worker, "resume", suspended + dt.timedelta(data))
        elif kind == "suspend":
            if pl.status == S.IN_SUPPORT:
                yield from pl.move(self.worker, "suspend", on, {"reason": self._reason()})
        elif kind == "withdraw":
            yield from self._withdraw(pl, on)
        elif kind == "fact":
            yield from self._record_fact(pl, data, on)
        elif kind == "balance":
            yield from self._record_balance(pl, data, on)
        elif kind == "aid":
            yield from self._record_aid(pl, data, on)
        elif kind == "plan":
            yield from self._create_plan(pl, data, on)
        elif kind == "action":
            yield from self._action_status(pl, data, on)
        elif kind == "journal":
            yield from self._journal(pl, data, on)
        elif kind == "objective":
            yield from self._objective_status(pl, data, on)
        else:  # pragma: no cover — a programming error
            raise ValueError(kind)

    def _reason(self) -> str:
        return _weighted(
            self.rng,
            {
                SuspensionReason.HOSPITALISATION: 35,
                SuspensionReason.UNREACHABLE: 30,
                SuspensionReason.HOUSEHOLD_REQUEST: 20,
                SuspensionReason.OTHER: 15,
            },
        )

    def _change_level(self, pl: _Player, on: dt.date) -> Story:
        p, rng = self.p, self.rng
        if pl.status != S.IN_SUPPORT:
            return
        ladder = [Level.ADVICE, Level.COORDINATION, Level.AGR]
        current = Level(p.level)
        index = ladder.index(current)
        if p.level_change == "up":
            new = ladder[index + 1] if rng.random() < 0.7 or index == 1 else Level.AGR
        else:
            new = ladder[index - 1] if rng.random() < 0.7 or index == 1 else Level.ADVICE
        lead = self._lead_for(new)
        lead_payload = self._lead_payload(lead)
        slot = self.world.schedule.first_between(
            p.territory, max(on, pl.clock), on + dt.timedelta(35)
        )
        session = None
        if slot is not None:
            session = yield from self._await(pl, slot)
        if session is not None and pl.status == S.IN_SUPPORT:
            review = rng.random() < 0.5
            self._decide(
                pl,
                session,
                DecisionInput(
                    kind=DecisionKind.LEVEL_CHANGE,
                    expected_version=pl.version,
                    level=new,
                    next_review_on=self._next_review(session.meeting.day) if review else None,
                    note=rng.choice(DECISION_NOTES["level_change"]),
                    **lead_payload,
                ),
            )
        else:
            payload = {"level": new, "previous_level": p.level, **lead_payload}
            yield from pl.move(self.cast.coordinator, "change_level", on, payload)
        if lead is not None:
            self.lead = lead

    def _withdraw(self, pl: _Player, on: dt.date) -> Story:
        """The household withdraws its consent; the shares resting on it end, and the platform
        keeps the lead's organisation in the group on shared professional secrecy."""
        c = self.cast
        if pl.consent_id is None:
            return
        on = yield from pl.at(on)
        consent_withdraw(
            user=c.coordinator,
            situation_id=pl.situation_id,
            consent_id=pl.consent_id,
            withdrawn_on=on,
        )
        pl.consent_id = None
        pl.shares_epoch += 1
        for user in (self.lead, self.origin_pro):
            if user is not None and user.organisation is not None:
                yield from pl.grant(c.coordinator, user.organisation, LegalBasis.CASF, on)

    # Reviews

    def _next_review(self, held_on: dt.date) -> dt.date:
        return add_months(held_on, self.cast.platform.review_interval_months)

    def _reviews_until(self, pl: _Player, until: dt.date, end: dt.date) -> Story:
        """Every review due by ``until``, about every three months: recorded by the worker, or
        at the platform meeting of that time (support continues)."""
        rng = self.rng
        while (
            pl.status == S.IN_SUPPORT
            and pl.next_review_on is not None
            and pl.next_review_on <= min(until, self.review_until)
        ):
            due = pl.next_review_on
            slot = None
            if rng.random() < 0.25:
                slot = self.world.schedule.first_between(
                    self.p.territory,
                    max(due - dt.timedelta(7), pl.clock),
                    due + dt.timedelta(21),
                )
            if slot is not None:
                session = yield from self._await(pl, slot)
                if session is not None and pl.status == S.IN_SUPPORT:
                    self._decide(
                        pl,
                        session,
                        DecisionInput(
                            kind=DecisionKind.CONTINUE,
                            expected_version=pl.version,
                            next_review_on=self._next_review(session.meeting.day),
                            note=rng.choice(DECISION_NOTES["continue"]),
                        ),
                    )
                continue
            held = yield from pl.at(due - dt.timedelta(rng.randint(0, 12)))
            if pl.next_review_on != due or pl.status != S.IN_SUPPORT:
                continue  # a meeting reviewed it meanwhile
            closing_soon = self.p.closes and (end - held).days <= 45
            decision = ReviewDecision.CLOSE if closing_soon else ReviewDecision.CONTINUE
            review_record(
                user=self.worker,
                situation_id=pl.situation_id,
                expected_version=pl.version,
                held_on=held,
                decision=decision,
                next_review_on=self._next_review(held),
                progress=self._progress(held, end),
                today=self.today,
            )
            pl.version += 1
            pl.next_review_on = self._next_review(held)

    def _progress(self, held: dt.date, end: dt.date) -> list[ProgressInput]:
        start = self.situation.identified_on
        share = (held - start).days / max((end - start).days, 1)
        values = []
        for objective_id in self.objectives:
            weights: dict[str, float]
            if share < 0.3:
                weights = {Progress.NOT_STARTED: 5, Progress.PARTIAL: 5}
            elif share < 0.8:
                weights = {Progress.NOT_STARTED: 1, Progress.PARTIAL: 7, Progress.ACHIEVED: 2}
            else:
                weights = {Progress.PARTIAL: 4, Progress.ACHIEVED: 5, Progress.ABANDONED: 1}
            values.append(ProgressInput(objective_id, _weighted(self.rng, weights)))
        return values

    # Closure and after

    def _close(self, pl: _Player, on: dt.date) -> Story:
        rng, p = self.rng, self.p
        if not self.continued and (self.entry_debt is not None or self._neighbourhood()):
            yield from self._track_until(pl, pl.day(on), is_open=False, steps=rng.randint(0, 2))
        exit_debt = self.exit_debt
        if exit_debt is None:
            exit_debt = _exit_debt(rng, p.outcome, self.entry_debt)
        on = yield from pl.at(on)
        if self.entry_debt is not None:
            self._balance(pl, on, exit_debt)
        payload = {
            "outcome": p.outcome,
            "exit_debt": exit_debt,
            "housing_status": _weighted(rng, _HOUSING_AT_EXIT[p.outcome]),
        }
        yield from pl.move(self.worker, "close", on, payload)
        yield from self._after_closure(pl)

    def _after_closure(self, pl: _Player) -> Story:
        rng, p = self.rng, self.p
        assert pl.closed_on is not None
        archived = p.status == S.ARCHIVED
        done_12 = False
        if rng.random() < (0.8 if archived else 0.55):
            due = follow_up_due_on(pl.closed_on, 6)
            on = due + dt.timedelta(rng.randint(-25, 60))
            yield from pl.move(self.worker, "follow_up_6", on, _follow_up_payload(rng, p.outcome))
            if rng.random() < 0.7:
                due = follow_up_due_on(pl.closed_on, 12)
                on = due + dt.timedelta(rng.randint(-25, 75))
                yield from pl.move(
                    self.worker, "follow_up_12", on, _follow_up_payload(rng, p.outcome)
                )
                done_12 = True
        if archived:
            earliest = pl.clock if done_12 else follow_up_due_on(pl.closed_on, 12)
            on = max(earliest, pl.clock) + dt.timedelta(rng.randint(0, 120))
            yield from pl.move(self.cast.coordinator, "archive", on)

    # Procedures: facts, balances, aids

    def _neighbourhood(self) -> bool:
        return bool({Difficulty.NEIGHBOURHOOD, Difficulty.SQUALOR} & set(self.p.difficulties))

    def _recorder(self, pl: _Player, *, landlord_side: bool) -> User:
        """Rent recovery records what the landlord's side reports when its organisation is in
        the sharing group; otherwise the professional following the situation."""
        rr = self.cast.rent_recovery
        if (
            landlord_side
            and self.landlord.pk == rr.organisation_id
            and pl.has_share(self.landlord.pk)
        ):
            return rr
        return self.worker

    def _procedure_at_entry(self, pl: _Player, data: ReferralData) -> Story:
        """What happened before the platform heard of the household, recorded on the day of
        the identification with the balances at that time."""
        rng, p = self.rng, self.p
        assert data.entry_debt is not None
        self.rent = _money(rng.uniform(330, 780))
        due_soon = None
        if p.due_soon:
            if data.entry_stage in _JUDICIAL and rng.random() < 0.5:
                due_soon = DueSoon.PROTOCOL
            else:
                due_soon = rng.choice([DueSoon.CAF, DueSoon.COMMANDEMENT, DueSoon.HEARING])
        ending = (
            Ending.PROTOCOL if due_soon == DueSoon.PROTOCOL else _ending(rng, p, data.entry_stage)
        )
        self.track = ArrearsTrack(
            rng,
            identified_on=pl.identified_on,
            stage=data.entry_stage,
            debt=data.entry_debt,
            rent=self.rent,
            ending=ending,
            due_soon=due_soon,
            today=self.today,
        )
        facts, balances = self.track.entry()
        yield from pl.at(pl.identified_on)
        for fact in facts:
            self._fact(pl, fact)
        for balance in balances:
            self._balance(pl, balance.on, balance.amount)

    def _track_steps(
        self, pl: _Player, *, until: dt.date, is_open: bool, steps: int = 1
    ) -> dt.date | None:
        """Queue the rest of the procedures as steps of the story; returns the day the story
        may close at the earliest (after an eviction…), if later than ``until``."""
        rng, p = self.rng, self.p
        self.continued = True
        min_end = None
        if self.track is not None and self.entry_debt is not None:
            if is_open:
                supported = p.status in _ACTIVE
                factor = rng.uniform(0.0, 0.35) if supported else rng.uniform(0.8, 1.3)
                target = _money(float(self.entry_debt) * factor)
            else:
                self.exit_debt = _exit_debt(rng, p.outcome, self.entry_debt)
                target = self.exit_debt
                if p.route == "refused":
                    target = _money(float(self.entry_debt) * rng.uniform(0.9, 1.2))
            more = self.track.continuation(
                until=until,
                target=target,
                is_open=is_open,
                stalled_steps=steps,
                follow_balances=p.status in _ACTIVE or not is_open,
            )
            min_end = more.min_end
            for fact in more.facts:
                self._push(fact.on, 1, "fact", fact)
            for balance in more.balances:
                self._push(balance.on, 2, "balance", balance.amount)
            for aid in more.aids:
                self._push(aid.requested_on, 3, "aid", (aid, "create"))
                # Decided (and paid, when it was): the aid then reads its final status.
                if aid.paid_on is not None and aid.paid_on <= self.today:
                    self._push(aid.paid_on, 3, "aid", (aid, "pay"))
                elif aid.decision_on is not None and aid.decision_on <= self.today:
                    self._push(aid.decision_on, 3, "aid", (aid, "decide"))
        if self._neighbourhood():
            for fact in neighbourhood_facts(
                rng,
                identified_on=pl.identified_on,
                squalor=Difficulty.SQUALOR in p.difficulties,
                until=min(until, self.today),
                settled=p.outcome in _SUCCESS or not p.closes,
            ):
                self._push(fact.on, 1, "fact", fact)
        return min_end

    def _track_until(self, pl: _Player, until: dt.date, *, is_open: bool, steps: int) -> Story:
        """The rest of the procedures of a situation that gets no support, recorded up to
        ``until`` (its closure, or today)."""
        self._track_steps(pl, until=until, is_open=is_open, steps=steps)
        yield from self._run(pl, until, reviews=False)

    def _open_track(self, pl: _Player) -> Story:
        """An open situation before support: its procedures go on until today."""
        if self.entry_debt is not None or self._neighbourhood():
            steps = 1 if self.p.due_soon else self.rng.randint(0, 1)
            yield from self._track_until(pl, self.today, is_open=True, steps=steps)

    def _fact(self, pl: _Player, fact: Fact) -> None:
        procedure_event_record(
            user=self._recorder(pl, landlord_side=fact.by_landlord),
            situation_id=pl.situation_id,
            kind=fact.kind,
            occurred_on=fact.on,
            source=fact.source,
            track=fact.track,
            amount=fact.amount,
            months_of_rent=fact.months,
            details=fact.details,
            today=self.today,
        )

    def _record_fact(self, pl: _Player, fact: Fact, on: dt.date) -> Story:
        if fact.on > self.today:
            return
        yield from pl.at(on)
        self._fact(pl, fact)

    def _balance(self, pl: _Player, on: dt.date, amount: Decimal) -> None:
        arrears_balance_record(
            user=self._recorder(pl, landlord_side=True),
            situation_id=pl.situation_id,
            on=on,
            amount=amount,
            source=ProcedureSource.LANDLORD,
            monthly_rent=self.rent,
            today=self.today,
        )

    def _record_balance(self, pl: _Player, amount: Decimal, on: dt.date) -> Story:
        on = yield from pl.at(on)
        self._balance(pl, on, amount)

    def _record_aid(self, pl: _Player, data: tuple[AidPlan, str], on: dt.date) -> Story:
        aid, step = data
        yield from pl.at(on)
        if step == "create":
            created = aid_create(
                user=self.worker,
                situation_id=pl.situation_id,
                kind=aid.kind,
                requested_on=aid.requested_on,
                requested_amount=aid.requested_amount,
                today=self.today,
            )
            self.aid_rows[id(aid)] = [created.pk, created.version]
            return
        row = self.aid_rows.get(id(aid))
        if row is None:
            return
        if step == "decide":
            status = AidStatus.REFUSED if aid.status == AidStatus.REFUSED else AidStatus.GRANTED
            changes: dict[str, Any] = {"status": status, "decision_on": aid.decision_on}
            if status == AidStatus.GRANTED:
                changes["granted_amount"] = aid.granted_amount
        else:
            changes = {
                "status": AidStatus.PAID,
                "decision_on": aid.decision_on,
                "granted_amount": aid.granted_amount,
                "paid_on": aid.paid_on,
            }
        updated = aid_update(
            user=self.worker,
            situation_id=pl.situation_id,
            aid_id=row[0],
            expected_version=row[1],
            changes=changes,
            today=self.today,
        )
        row[1] = updated.version

    # The shared plan and the journal

    def _plan_steps(self, start: dt.date, end: dt.date, *, closing: bool) -> None:
        """Queue the plan — objectives and actions soon after the start (their statuses follow
        as later steps) — the journal entries and, at the closure, the objectives' outcome.
        A support still running also gets a few recent actions, due around today."""
        rng, p = self.rng, self.p
        plan_on = start + dt.timedelta(rng.randint(0, 21))
        themes = self._themes()
        if not themes:  # every theme switched off in the back-office
            return
        objectives = []
        for theme in themes:
            actions = []
            for title in self._action_titles(theme):
                due = plan_on + dt.timedelta(rng.randint(14, 100))
                actions.append((title, due, self._statuses(plan_on, due, end, closing)))
            objectives.append((theme, rng.choice(OBJECTIVE_TITLES[theme]), actions))
        self._push(plan_on, 4, "plan", objectives)
        if p.status == S.IN_SUPPORT:
            recent = max(self.today - dt.timedelta(rng.randint(20, 90)), plan_on)
            for _ in range(rng.randint(1, 3)):
                theme = rng.choice(themes)
                due = self.today + dt.timedelta(rng.randint(-15, 45))
                status = _weighted(
                    rng,
                    {
                        ActionStatus.PLANNED: 40,
                        ActionStatus.IN_PROGRESS: 45,
                        ActionStatus.BLOCKED: 15,
                    },
                )
                title = rng.choice(self._action_titles(theme, count=3))
                changed = recent + dt.timedelta(rng.randint(2, 15))
                statuses = [] if status == ActionStatus.PLANNED else [(changed, status)]
                self._push(recent, 4, "plan", [(theme, "", [(title, due, statuses)])])
        span = max((end - start).days, 1)
        for _ in range(rng.randint(1, 2) + min(span // 240, 2)):
            if not closing and rng.random() < 0.4:
                on = self.today - dt.timedelta(rng.randint(0, 100))
            else:
                on = start + dt.timedelta(rng.randint(0, min(span, 400)))
            if on < end or not closing:
                self._push(on, 7, "journal")
        if closing:
            self._push(end - dt.timedelta(rng.randint(0, 10)), 8, "objective")

    def _themes(self) -> list[str]:
        rng, p = self.rng, self.p
        wanted: list[str] = []
        for difficulty in p.difficulties:
            for code in THEMES_BY_DIFFICULTY[difficulty]:
                if code not in wanted and (not wanted or rng.random() < 0.6):
                    wanted.append(code)
        if p.outcome == Outcome.REHOUSED and "housing" not in wanted:
            wanted.append("housing")
        for code in ("rights", "social_ties", "employment_training"):
            if code not in wanted:
                wanted.append(code)
        count = rng.choices((1, 2, 3, 4), weights=(30, 42, 20, 8))[0]
        return [code for code in wanted if code in self.world.themes][:count]

    def _action_titles(self, theme: str, count: int | None = None) -> list[str]:
        rng = self.rng
        titles = self.world.templates.get(theme) or list(FALLBACK_ACTIONS)
        count = count or rng.choices((1, 2, 3), weights=(50, 38, 12))[0]
        return rng.sample(titles, min(count, len(titles)))

    def _statuses(
        self, created: dt.date, due: dt.date, end: dt.date, closing: bool
    ) -> list[tuple[dt.date, str]]:
        """What becomes of an action: its status changes, each with its date (before the
        closure)."""
        rng, p = self.rng, self.p
        weights: dict[str, float]
        if not closing:
            weights = {ActionStatus.DONE: 80, ActionStatus.ABANDONED: 20}
        elif p.outcome in _SUCCESS:
            weights = {
                ActionStatus.DONE: 75,
                ActionStatus.ABANDONED: 8,
                ActionStatus.IN_PROGRESS: 7,
                ActionStatus.PLANNED: 5,
                ActionStatus.BLOCKED: 5,
            }
        else:
            weights = {
                ActionStatus.DONE: 40,
                ActionStatus.ABANDONED: 35,
                ActionStatus.IN_PROGRESS: 10,
                ActionStatus.BLOCKED: 10,
                ActionStatus.PLANNED: 5,
            }
        final = _weighted(rng, weights)
        if final == ActionStatus.PLANNED:
            return []
        last = end - dt.timedelta(2) if closing else self.today
        changes: list[tuple[dt.date, str]] = []
        started = created + dt.timedelta(rng.randint(3, 25))
        if final != ActionStatus.IN_PROGRESS and rng.random() < 0.2:
            changes.append((min(started, last), ActionStatus.IN_PROGRESS))
        when = due + dt.timedelta(rng.randint(-20, 20))
        changes.append((min(max(when, started + dt.timedelta(1)), last), final))
        return changes

    def _create_plan(self, pl: _Player, objectives: list[Any], on: dt.date) -> Story:
        """Objectives (an action joins the objective of its theme still in progress) and their
        actions, each given to a member of the sharing group, sometimes to a named person;
        their later status changes are queued."""
        if pl.status not in PLAN_STATUSES:
            return
        on = yield from pl.at(on)
        group = self._group()
        for theme, title, actions in objectives:
            theme_row = self.world.themes[theme]
            objective_id = next(
                (k for k, v in self.objectives.items() if v[1] == theme_row.pk and v[3]), None
            )
            if objective_id is None:
                objective = objective_create(
                    user=self.worker,
                    situation_id=pl.situation_id,
                    theme_id=theme_row.pk,
                    title=title or self.rng.choice(OBJECTIVE_TITLES[theme]),
                    today=on,
                )
                objective_id = objective.pk
                self.objectives[objective_id] = [1, theme_row.pk, objective.title, True]
            for action_title, due, statuses in actions:
                owner = self._owner(theme, group)
                person = self.cast.person_of(owner) if self.rng.random() < 0.6 else None
                action = action_create(
                    user=self.worker,
                    objective_id=objective_id,
                    title=action_title,
                    owner_organisation_id=owner,
                    owner_person_id=person.pk if person else None,
                    due_on=due,
                    today=on,
                )
                self.actions[action.pk] = action.version
                for changed_on, status in statuses:
                    self._push(max(changed_on, on), 6, "action", (action.pk, status))

    def _action_status(self, pl: _Player, data: tuple[int, str], on: dt.date) -> Story:
        action_id, status = data
        if pl.status not in PLAN_STATUSES:
            return
        on = yield from pl.at(on)
        updated = action_set_status(
            user=self.worker,
            action_id=action_id,
            expected_version=self.actions[action_id],
            status=status,
            today=on,
        )
        self.actions[action_id] = updated.version

    def _objective_status(self, pl: _Player, data: Any, on: dt.date) -> Story:
        """At the closure, objectives are achieved (support that worked) or abandoned."""
        rng, p = self.rng, self.p
        if pl.status not in PLAN_STATUSES:
            return
        on = yield from pl.at(on)
        for objective_id, (version, theme_id, title, _active) in list(self.objectives.items()):
            if p.outcome in _SUCCESS:
                status = ObjectiveStatus.ACHIEVED if rng.random() < 0.7 else ""
            else:
                status = ObjectiveStatus.ABANDONED if rng.random() < 0.5 else ""
            if not status:
                continue
            objective_update(
                user=self.worker,
                objective_id=objective_id,
                expected_version=version,
                theme_id=theme_id,
                title=title,
                status=status,
                today=on,
            )
            self.objectives[objective_id] = [version + 1, theme_id, title, False]

    def _journal(self, pl: _Player, data: Any, on: dt.date) -> Story:
        rng = self.rng
        on = yield from pl.at(on)
        kind = _weighted(rng, JOURNAL_KIND_WEIGHTS)
        author = self.cast.coordinator if kind == JournalKind.PARTNER_MEETING else self.worker
        visibility = Visibility.GROUP if rng.random() < 0.7 else Visibility.ORGANISATION
        journal_entry_add(
            user=author,
            situation_id=pl.situation_id,
            kind=kind,
            occurred_on=on,
            visibility=visibility,
            text=rng.choice(JOURNAL_TEXTS[kind]),
            today=self.today,
        )

    def _group(self) -> list[tuple[str, str, int]]:
        """(kind, code, id) of the sharing group's organisations that may carry an action."""
        rows = Share.objects.filter(situation_id=self.situation.pk, is_active=True).values_list(
            "organisation__kind", "organisation__code", "organisation_id"
        )
        return sorted({r for r in rows if r[2] in self.cast.members})

    def _owner(self, theme: str, group: list[tuple[str, str, int]]) -> int:
        rng = self.rng
        worker_org = self.worker.organisation_id
        assert worker_org is not None
        if not group:
            return worker_org
        if rng.random() < 0.7:
            for kind in OWNER_KINDS[theme]:
                found = [row for row in group if row[0] == kind]
                if found:
                    return rng.choice(found)[2]
        return rng.choice(group)[2]


def _join_duplicate(rng: random.Random, situation: Situation, story: _Story) -> bool:
    """A second professional refers the same household; the product's duplicate check finds
    the open situation and the referral joins it (dated today, as the service records it)."""
    c, data = story.cast, story.data
    others = [
        u
        for u in (c.ccas, c.mdm, c.signaller, c.association)
        if u.organisation_id != story.referrer.organisation_id
    ]
    referrer = rng.choice(others)
    source = {
        c.ccas.pk: Source.CCAS,
        c.mdm.pk: Source.MDM,
        c.signaller.pk: Source.CARETAKER,
        c.association.pk: Source.ASSOCIATION,
    }[referrer.pk]
    extra = _weighted(rng, SECONDARY_DIFFICULTY_WEIGHTS)
    candidates = find_possible_duplicates(
        landlord_id=data.landlord_id,
        lease_reference=data.lease_reference,
        last_name=data.last_name,
        address=data.address,
        commune_id=data.commune_id,
    )
    if situation.pk not in {candidate.situation.pk for candidate in candidates}:
        return False
    referral_join_situation(
        user=referrer,
        situation_id=situation.pk,
        data=ReferralData(
            last_name=data.last_name,
            first_name=data.first_name,
            landlord_id=data.landlord_id,
            commune_id=data.commune_id,
            address=data.address,
            source=source,
            urgency=Urgency.NORMAL,
            difficulties=tuple(sorted({data.difficulties[0], extra})),
            lease_reference=data.lease_reference,
            description="Nouveau signalement du même ménage.",
        ),
    )
    return True


# --- Playing every story, and the platform meetings, in date order -----------------------


class _World:
    """Plays the stories and holds the platform meetings in one calendar: the step of the
    earliest date first (a meeting after the stories' steps of its day). A meeting's agenda is
    built by the product's agenda builder from what the database holds on that day; stories
    waiting for it record their decision; the other items get the decision a platform would
    take on that day (support continues when a review is due, otherwise a postponement)."""

    def __init__(
        self,
        rng: random.Random,
        today: dt.date,
        casts: Mapping[str, _Cast],
        schedule: Schedule,
    ) -> None:
        self.rng, self.today, self.casts, self.schedule = rng, today, casts, schedule
        self.players: dict[int, _Player] = {}
        #: Situation id → rank of its story (the order of creation), for stable orderings.
        self.order: dict[int, int] = {}
        self.themes = {t.code: t for t in Theme.objects.active()}
        templates: dict[str, list[str]] = {}
        for code, label in ActionTemplate.objects.active().values_list("theme__code", "label"):
            templates.setdefault(code, []).append(label)
        self.templates = {code: sorted(labels) for code, labels in templates.items()}
        self._heap: list[tuple[dt.date, int, int, Any]] = []
        self._count = itertools.count()

    def enrol(self, story: _Story, player: _Player) -> None:
        self.players[player.situation_id] = player
        self.order[player.situation_id] = len(self.order)

    def _push(self, on: dt.date, rank: int, actor: Any) -> None:
        heapq.heappush(self._heap, (on, rank, next(self._count), actor))

    def run(self, stories: Sequence[_Story]) -> None:
        for story in stories:
            self._push(story.p.identified_on, 0, story.play())
        for slot in self.schedule.all():
            self._push(slot.day, 1, slot)
        while self._heap:
            _on, _rank, _n, actor = heapq.heappop(self._heap)
            if isinstance(actor, Slot):
                self._hold(actor)
            else:
                self._advance(actor, None)

    def _advance(self, story: Story, value: _Session | None) -> None:
        try:
            request = story.send(value)
        except StopIteration:
            return
        if isinstance(request, _Await):
            request.slot.waiting[request.situation_id] = story
        else:
            self._push(request, 0, story)

    def _hold(self, slot: Slot) -> None:
        cast = self.casts[slot.territory]
        coordinator = cast.coordinator
        meeting = meeting_create(
            user=coordinator,
            platform_id=cast.platform.pk,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            place=slot.place,
            video_link=slot.video_link,
        )
        slot.held = True
        listed = set(meeting.items.values_list("situation_id", flat=True))
        for situation_id in sorted(slot.waiting, key=self.order.__getitem__):
            if situation_id not in listed:
                agenda_add(
                    user=coordinator,
                    meeting_id=meeting.pk,
                    reference=self.players[situation_id].reference,
                )
        for item in meeting.items.order_by("order", "pk"):
            if item.situation_id not in self.players:  # not a situation of this history
                agenda_withdraw(user=coordinator, meeting_id=meeting.pk, item_id=item.pk)
        members = sorted(meeting.attendances.values_list("organisation__code", "organisation_id"))
        present = [
            pk
            for _code, pk in members
            if pk == coordinator.organisation_id or self.rng.random() < 0.85
        ]
        meeting = attendance_record(
            user=coordinator,
            meeting_id=meeting.pk,
            expected_version=meeting.version,
            present_organisation_ids=present,
        )
        items = sorted(
            meeting.items.filter(state=ItemState.PENDING),
            key=lambda i: (i.order, self.order[i.situation_id]),
        )
        for item in items:
            story = slot.waiting.pop(item.situation_id, None)
            if story is not None:
                self._advance(story, _Session(meeting, item))
            else:
                self._decide_for_platform(cast, meeting, item)
        for story in list(slot.waiting.values()):  # pragma: no cover — always on the agenda
            self._advance(story, None)
        slot.waiting.clear()
        meeting.refresh_from_db()
        if meeting.status == MeetingStatus.PLANNED:  # nothing to decide: held all the same
            meeting_update(
                user=coordinator,
                meeting_id=meeting.pk,
                expected_version=meeting.version,
                starts_at=meeting.starts_at,
                ends_at=meeting.ends_at,
                place=meeting.place,
                video_link=meeting.video_link,
                status=MeetingStatus.HELD,
            )

    def _decide_for_platform(self, cast: _Cast, meeting: Meeting, item: AgendaItem) -> None:
        """An item no story is waiting for: a review due (support continues) or a situation
        not ready for orientation yet (postponed)."""
        player = self.players[item.situation_id]
        rng = self.rng
        if item.reason == AgendaReason.REVIEW_DUE and player.status == S.IN_SUPPORT:
            data = DecisionInput(
                kind=DecisionKind.CONTINUE,
                expected_version=player.version,
                next_review_on=add_months(meeting.day, cast.platform.review_interval_months),
                note=rng.choice(DECISION_NOTES["continue"]),
            )
        else:
            data = DecisionInput(
                kind=DecisionKind.POSTPONEMENT,
                expected_version=player.version,
                postponement_reason=_weighted(rng, POSTPONEMENT_WEIGHTS),
            )
        meeting_record_decision(
            user=cast.coordinator,
            meeting_id=meeting.pk,
            item_id=item.pk,
            data=data,
            today=self.today,
        )
        player.sync()
        player.clock = max(player.clock, meeting.day)

    def plan_next_meetings(self) -> None:
        """One meeting per platform a few days after the real today, its agenda built by the
        product from what is waiting (orientations, reviews due, deadlines within 30 days)."""
        for code in sorted(self.casts):
            cast = self.casts[code]
            slot = Slot(code, upcoming_day(code, self.today), place=MEETING_PLACES[code])
            meeting_create(
                user=cast.coordinator,
                platform_id=cast.platform.pk,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                place=slot.place,
            )


# --- Entry points ------------------------------------------------------------------------


def demo_situations() -> Any:
    """Situations of the demo: those created by a demo account."""
    return Situation.objects.filter(created_by__is_demo=True)


def demo_meetings() -> Any:
    """Platform meetings of the demo: those planned by a demo account."""
    return Meeting.objects.filter(created_by__is_demo=True)


@transaction.atomic
def demo_build_history(*, seed: int, count: int = DEFAULT_COUNT) -> HistorySummary:
    """Create ``count`` situations identified from 2019-06 to 2022-12 and walk each through
    the services to its planned final status — with its procedures, shared plan, journal and
    reviews — while the platforms meet about once a month; then plan each platform's next
    meeting. Needs the demo reference (:func:`etage.demo.services.demo_build_reference`).
    Adds to whatever exists: callers check :func:`demo_situations` first (the ``etage_demo``
    command does)."""
    if count < MIN_COUNT:
        raise ValueError(f"count must be at least {MIN_COUNT} to cover every status and outcome")
    started = timezone.now()
    today = timezone.localdate()
    rng = random.Random(seed)  # noqa: S311 — reproducible demo data, not security
    casts = _casts()
    starts = _platform_starts()
    plans = _plan(rng, count, starts)
    world = _World(rng, today, casts, Schedule(rng, starts, HISTORY_END))
    used_names: set[tuple[str, str]] = set()
    stories = [_Story(rng, plan, casts[plan.territory], used_names, world) for plan in plans]
    world.run(stories)
    world.plan_next_meetings()
    by_territory = Counter(plan.territory for plan in plans)
    joined = sum(
        _join_duplicate(rng, story.situation, story) for story in stories if story.p.duplicate
    )
    situations = demo_situations()
    statuses = Counter(situations.values_list("status", flat=True))
    return HistorySummary(
        created=len(plans),
        duplicates_joined=joined,
        by_territory={code: by_territory[code] for code in sorted(by_territory)},
        by_status={status: statuses[status] for status in Status.values if statuses[status]},
        seconds=(timezone.now() - started).total_seconds(),
        meetings=demo_meetings().count(),
        decisions=Decision.objects.filter(agenda_item__meeting__in=demo_meetings()).count(),
        procedure_events=ProcedureEvent.objects.filter(situation__in=situations).count(),
        plan_actions=PlanAction.objects.filter(objective__situation__in=situations).count(),
        journal_entries=JournalEntry.objects.filter(situation__in=situations).count(),
        reviews=Review.objects.filter(situation__in=situations).count(),
    )


def _unlink_protected(situations: Any) -> None:
    """Clear every nullable PROTECT link into a row that belongs to ``situations`` (a
    correction pointing at what it corrects, a meeting decision pointing at its pathway
    event, a document attached to a journal entry…), through the base manager — demo data
    only. Those links would stop the deletion collector; the rows holding them go with the
    situations (or with the demo meetings) anyway."""
    owned = {
        model
        for model in apps.get_models()
        if any(
            f.name == "situation" and getattr(f, "related_model", None) is Situation
            for f in model._meta.get_fields()
        )
    }
    for model in apps.get_models():
        for fk in model._meta.get_fields():
            if not (
                fk.is_relation and fk.many_to_one and fk.concrete and getattr(fk, "null", False)
            ):
                continue
            on_delete = getattr(fk.remote_field, "on_delete", None)
            if on_delete is not models.PROTECT or fk.related_model not in owned:
                continue
            linked = model._base_manager.filter(**{f"{fk.name}__situation__in": situations})
            linked.update(**{fk.name: None})


@transaction.atomic
def demo_delete_history() -> int:
    """Delete the demo situations with everything attached to them (events, referrals,
    consents, shares, difficulties, procedure events, balances, aids, plans, journal,
    reviews, agenda items) and their households, people and tenancies, and the demo platform
    meetings. Returns how many situations were deleted.

    Pathway events, procedure events and journal entries are append-only: their managers
    refuse ``delete()``, and on PostgreSQL a trigger refuses it outside
    :func:`~etage.core.append_only.retention_purge`, which this function uses. Deleting the
    situation rows lets Django's collector remove them (it deletes through the base manager,
    in SQL). PROTECT links into what is being deleted would
    stop the collector, so they are cleared first: shares resting on a consent are deleted
    outright, and every nullable PROTECT link to a row of these situations is unlinked
    (:func:`_unlink_protected`).

    When no situation is left at all, the situation numbering restarts, so the same seed gives
    the same references (``T1-00001``…) again."""
    situations = demo_situations()
    household_ids = sorted(set(situations.values_list("household_id", flat=True)))
    count = situations.count()
    Share.objects.filter(situation__in=situations).delete()
    # On PostgreSQL a trigger refuses to delete append-only rows outside this block.
    with retention_purge():
        _unlink_protected(situations)
        demo_meetings().delete()
        situations.delete()
    for start in range(0, len(household_ids), 500):  # within every database's parameter limit
        batch = household_ids[start : start + 500]
        Household.objects.filter(pk__in=batch, situations__isnull=True).delete()
    if not Situation.objects.exists():
        sequences = [{"table": Situation._meta.db_table, "column": "id"}]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_by_name_sql(no_style(), sequences):
                cursor.execute(sql)
    return count


__all__ = [
    "DEFAULT_COUNT",
    "MIN_COUNT",
    "HistorySummary",
    "demo_build_history",
    "demo_delete_history",
    "demo_meetings",
    "demo_situations",
]
