"""A believable pathway history for the demo territories (2019-06 → 2022-12).

Every situation is created and moved **only through the product's services** —
``referral_create_situation``, ``situation_transition``, ``consent_record``,
``consent_withdraw``, ``share_grant``, ``find_possible_duplicates`` and
``referral_join_situation`` — acting as the demo accounts, so the pathway event log is exactly
what the product would have recorded (same actions, payloads, shares and checks).

Deterministic for a seed: one ``random.Random(seed)`` drives every draw, in a fixed order, and
no draw depends on what the database returns (primary keys, row order). Situations are created
in order of identification, so on an empty table references follow the calendar.

Two phases:

1. **plan** — each situation's story in categories: territory, final status, route (refused at
   contact, unreachable, mainstream, no further action, support), level and level change,
   outcome, source, difficulties, suspension, consent and its withdrawal, identification date.
   Coverage is guaranteed, not left to chance: every status, orientation, level, outcome,
   source and difficulty is allocated at least once before the proportional share.
2. **play** — draw the household, the amounts and the delays, then call the services in
   chronological order.

Delays: first contact within days to weeks (median ~1–2 weeks after identification);
orientation log-normal, median ~4–5 weeks after identification, with a long tail; support
lasts 1–4 months (appui conseil), 4–12 (coordination) or 6–18 (AGR); follow-ups near +6 / +12
months after closure; archiving once the 12-month follow-up is recorded or 12 months have
passed. Steps fall on working days.

Households, addresses, lease references and phone numbers are fictional (phone numbers in
the 06 39 98 range that ARCEP keeps for fiction).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from etage.accounts.models import User
from etage.accounts.roles import Role
from etage.demo import reference as ref
from etage.households.models import Household
from etage.intake.duplicates import find_possible_duplicates
from etage.intake.services import ReferralData, referral_create_situation, referral_join_situation
from etage.organisations.models import Organisation
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
from etage.situations.models import PathwayEvent, Share, Situation
from etage.situations.services import (
    consent_record,
    consent_withdraw,
    share_grant,
    situation_transition,
)
from etage.situations.workflow import follow_up_due_on
from etage.territories.models import Commune, Territory

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


def _cover(rng: random.Random, plans: list[_Plan], attr: str, values: Sequence[str]) -> None:
    """Make every value of ``attr`` appear, taken from the most common one."""
    for value in values:
        counts = Counter(getattr(p, attr) for p in plans)
        if counts[value]:
            continue
        commonest = counts.most_common(1)[0][0]
        rng.choice([p for p in plans if getattr(p, attr) == commonest]).__setattr__(attr, value)


def _difficulties(rng: random.Random, p: _Plan) -> tuple[str, ...]:
    if p.outcome in (Outcome.HOUSED_AFTER_PROCEDURE, Outcome.EVICTED) or p.source in (
        Source.RENT_RECOVERY,
        Source.CCAPEX,
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

        casts[tspec.code] = _Cast(
            territory=Territory.objects.get(code=tspec.code),
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
        )
    return casts


def _platform_starts() -> dict[str, dt.date]:
    return {t.code: dt.date.fromisoformat(t.started_on) for t in ref.TERRITORIES}


# --- Playing a story through the services -------------------------------------------------


@dataclass
class _Player:
    """Calls the services for one situation, in chronological order, tracking its version
    (as the person's form would) so no extra read is needed."""

    situation_id: int
    identified_on: dt.date
    today: dt.date
    version: int = 1
    cursor: dt.date = HISTORY_START
    consent_id: int | None = None
    closed_on: dt.date | None = None

    def day(self, on: dt.date) -> dt.date:
        """The date of the next fact: a working day, never before the previous fact, never in
        the future."""
        on = max(on, self.cursor, self.identified_on)
        while on.weekday() >= 5:
            on += dt.timedelta(days=1)
        on = min(on, self.today)
        self.cursor = on
        return on

    def move(
        self, user: User, action: str, on: dt.date, payload: Mapping[str, Any] | None = None
    ) -> dt.date:
        on = self.day(on)
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
        if action in ("close", "contact_refused"):
            self.closed_on = on
        return on

    def has_share(self, organisation_id: int) -> bool:
        return Share.objects.filter(
            situation_id=self.situation_id, organisation_id=organisation_id, is_active=True
        ).exists()

    def grant(self, user: User, organisation: Organisation, basis: str, on: dt.date) -> None:
        if not self.has_share(organisation.pk):
            share_grant(
                user=user,
                situation_id=self.situation_id,
                organisation_id=organisation.pk,
                legal_basis=basis,
                on=self.day(on),
            )


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
    stage = _weighted(rng, weights)
    debt = DEBT_MEDIAN[stage] * rng.lognormvariate(0, 0.45)
    return stage, _money(max(120.0, debt))


#: Debt at exit as a share of debt at entry, by outcome.
_EXIT_FACTOR: dict[str, tuple[float, float]] = {
    Outcome.HOUSED_NO_PROCEDURE: (0.0, 0.3),
    Outcome.HOUSED_AFTER_PROCEDURE: (0.05, 0.6),
    Outcome.REHOUSED: (0.0, 0.5),
    Outcome.MAINSTREAM: (0.3, 1.0),
    Outcome.LEFT: (0.5, 1.2),
    Outcome.EVICTED: (0.9, 1.6),
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


def _close_payload(rng: random.Random, outcome: str, entry_debt: Decimal | None) -> dict[str, Any]:
    low, high = _EXIT_FACTOR[outcome]
    settled = outcome == Outcome.HOUSED_NO_PROCEDURE and rng.random() < 0.4
    if entry_debt is None or settled:
        exit_debt = Decimal("0.00")
    else:
        exit_debt = _money(float(entry_debt) * rng.uniform(low, high))
    return {
        "outcome": outcome,
        "exit_debt": exit_debt,
        "housing_status": _weighted(rng, _HOUSING_AT_EXIT[outcome]),
    }


def _follow_up_payload(rng: random.Random, outcome: str) -> dict[str, str]:
    if outcome in (Outcome.EVICTED, Outcome.LEFT, Outcome.OTHER):
        housed = _weighted(rng, {"unknown": 5, "yes": 3, "no": 2})
        arrears = "unknown"
    else:
        housed = _weighted(rng, {"yes": 92, "unknown": 6, "no": 2})
        arrears = _weighted(rng, {"no": 80, "yes": 10, "unknown": 10})
    return {"still_housed": housed, "arrears_over_3_months": arrears}


class _Story:
    """One situation, from referral to its final status."""

    def __init__(
        self, rng: random.Random, plan: _Plan, cast: _Cast, used_names: set[tuple[str, str]]
    ) -> None:
        self.rng, self.p, self.cast = rng, plan, cast
        self.used_names = used_names
        self.referrer = self._referrer()
        self.origin_pro = cast.step_taker_for(self.referrer)
        self.lead: User | None = None

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

    def play(self, today: dt.date) -> Situation:
        data = self.referral_data()
        referral = referral_create_situation(user=self.referrer, data=data)
        situation = referral.situation
        self.landlord = situation.landlord
        self.entry_debt = data.entry_debt
        self.urgent = data.urgency == Urgency.URGENT
        self.data = data
        player = _Player(situation.pk, situation.identified_on, today)
        player.cursor = situation.identified_on
        self._play(player)
        return situation

    def _play(self, pl: _Player) -> None:
        rng, p, c = self.rng, self.p, self.cast
        ident = p.identified_on
        if p.status == S.IDENTIFIED:
            return
        if p.status == S.INFORMED:
            method = _weighted(rng, {InformationMethod.LETTER: 6, InformationMethod.PHONE: 4})
            pl.move(
                self.origin_pro,
                "inform",
                ident + dt.timedelta(rng.randint(0, 12)),
                {"method": method},
            )
            return

        # First contact, and the information the household is given around it.
        contact = ident + dt.timedelta(_days(rng, 8, 0.8, 0, 70))
        if self.urgent and rng.random() < 0.4:
            info = "emergency"
        else:
            info = _weighted(rng, {"before": 25, "at": 60, "after": 15})
        if info == "emergency":
            pl.move(
                self.origin_pro,
                "inform",
                ident,
                {"method": InformationMethod.EMERGENCY, "emergency_reason": EMERGENCY_REASON},
            )
        elif info == "before":
            pl.move(
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
            on = pl.move(self.origin_pro, "contact_unreachable", contact)
            contact = on + dt.timedelta(rng.randint(7, 21))
        if p.status == S.UNREACHABLE:
            return
        if p.route == "unreachable":
            self._close(pl, contact + dt.timedelta(rng.randint(7, 40)))
            return
        if p.route == "refused":
            pl.move(self.origin_pro, "contact_refused", contact)
            self._after_closure(pl)
            return
        method = _weighted(rng, {InformationMethod.IN_PERSON: 6, InformationMethod.PHONE: 4})
        if info == "at":
            pl.move(self.origin_pro, "inform", contact, {"method": method})
        pl.move(self.origin_pro, "contact_reached", contact)
        if info == "after":
            pl.move(
                self.origin_pro,
                "inform",
                contact + dt.timedelta(rng.randint(0, 10)),
                {"method": method},
            )
        if p.status == S.CONTACTED:
            return

        # Presented to the platform, then oriented (median ~4–5 weeks after identification).
        delay = _days(rng, 27, 0.5, 7, 240)
        if rng.random() < 0.07:  # the long tail: a household hard to see, a meeting postponed
            delay = min(240, int(delay * rng.uniform(2, 4)))
        orient = max(ident + dt.timedelta(delay), pl.cursor + dt.timedelta(rng.randint(3, 14)))
        if rng.random() < 0.4:
            assess = orient  # assessed and oriented in the same platform meeting
        else:
            assess = pl.cursor + (orient - pl.cursor) * rng.uniform(0.3, 0.95)
        if p.consent:
            given = pl.cursor + (assess - pl.cursor) * rng.uniform(0.0, 1.0)
            self._consent(pl, given)
        self._legal_shares(pl, assess)
        pl.move(c.coordinator, "assess", assess)
        if p.status == S.ASSESSED:
            return

        orientation = p.route if p.route in ORIENTED_ROUTES else p.level
        lead = self._lead_for(orientation)
        payload: dict[str, Any] = {"orientation": orientation, **self._lead_payload(lead)}
        if orientation == Orientation.MAINSTREAM and rng.random() < 0.7:
            payload["referent_organisation_id"] = c.mdm.organisation_id
        self.lead = lead
        oriented_on = pl.move(c.coordinator, "orient", orient, payload)
        if p.status == S.ORIENTED:
            return
        if p.route == Orientation.MAINSTREAM:
            self._close(pl, oriented_on + dt.timedelta(rng.randint(7, 45)))
            return
        if p.route == Orientation.NO_ACTION:
            self._close(pl, oriented_on + dt.timedelta(rng.randint(0, 21)))
            return
        self._support(pl, oriented_on)

    def _consent(self, pl: _Player, given: dt.date) -> None:
        c, rng = self.cast, self.rng
        scope = {self.landlord, c.ccas.organisation, c.mdm.organisation}
        if self.p.level == Level.AGR or self.p.level_change == "up" or rng.random() < 0.3:
            scope.add(c.association.organisation)
        if SENSITIVE_DIFFICULTIES & set(self.p.difficulties) and rng.random() < 0.5:
            scope.add(c.health)
        recorder = c.coordinator if rng.random() < 0.3 else self.origin_pro
        consent = consent_record(
            user=recorder,
            situation_id=pl.situation_id,
            given_on=pl.day(given),
            organisation_ids=sorted(o.pk for o in scope if o is not None),
            note=rng.choice(CONSENT_NOTES),
        )
        pl.consent_id = consent.pk

    def _legal_shares(self, pl: _Player, on: dt.date) -> None:
        """Shares the platform grants without consent: the local CCAPEX sub-commission late
        in the procedure, the mental-health team within a care team."""
        c, rng = self.cast, self.rng
        late = self.data.entry_stage in _LATE_STAGES
        if c.local_ccapex is not None and late and rng.random() < 0.6:
            pl.grant(c.coordinator, c.local_ccapex, LegalBasis.CCAPEX, on)
        if Difficulty.MENTAL_HEALTH in self.p.difficulties and rng.random() < 0.4:
            pl.grant(c.coordinator, c.health, LegalBasis.CARE_TEAM, on)

    def _support(self, pl: _Player, oriented_on: dt.date) -> None:
        rng, p = self.rng, self.p
        start = pl.move(
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
        steps: list[tuple[dt.date, str]] = []
        if p.level_change:
            steps.append((start + dt.timedelta(int(duration * rng.uniform(0.2, 0.6))), "level"))
        if p.suspend_resume:
            steps.append((start + dt.timedelta(int(duration * rng.uniform(0.3, 0.8))), "pause"))
        if p.withdraw:
            steps.append((start + dt.timedelta(int(duration * rng.uniform(0.1, 0.9))), "withdraw"))
        end = start + dt.timedelta(duration)
        for on, kind in sorted(steps):
            if kind == "level":
                self._change_level(pl, on)
            elif kind == "pause":
                suspended = pl.move(self.worker, "suspend", on, {"reason": self._reason()})
                back = suspended + dt.timedelta(rng.randint(21, 90))
                pl.move(self.worker, "resume", back)
                end += back - suspended
            else:
                self._withdraw(pl, on)
        if p.status == S.IN_SUPPORT:
            return
        if p.status == S.SUSPENDED:
            on = pl.cursor + dt.timedelta(rng.randint(14, 120))
            pl.move(self.worker, "suspend", on, {"reason": self._reason()})
            return
        if p.close_from_suspension:
            pause = end - dt.timedelta(rng.randint(20, 90))
            pl.move(self.worker, "suspend", pause, {"reason": self._reason()})
        self._close(pl, end)

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

    def _change_level(self, pl: _Player, on: dt.date) -> None:
        p = self.p
        ladder = [Level.ADVICE, Level.COORDINATION, Level.AGR]
        index = ladder.index(Level(p.level))
        if p.level_change == "up":
            new = ladder[index + 1] if self.rng.random() < 0.7 or index == 1 else Level.AGR
        else:
            new = ladder[index - 1] if self.rng.random() < 0.7 or index == 1 else Level.ADVICE
        lead = self._lead_for(new)
        payload = {"level": new, "previous_level": p.level, **self._lead_payload(lead)}
        pl.move(self.cast.coordinator, "change_level", on, payload)
        if lead is not None:
            self.lead = lead

    def _withdraw(self, pl: _Player, on: dt.date) -> None:
        """The household withdraws its consent; the shares resting on it end, and the platform
        keeps the lead's organisation in the group on shared professional secrecy."""
        c = self.cast
        if pl.consent_id is None:
            return
        consent_withdraw(
            user=c.coordinator,
            situation_id=pl.situation_id,
            consent_id=pl.consent_id,
            withdrawn_on=pl.day(on),
        )
        pl.consent_id = None
        for user in (self.lead, self.origin_pro):
            if user is not None and user.organisation is not None:
                pl.grant(c.coordinator, user.organisation, LegalBasis.CASF, on)

    def _close(self, pl: _Player, on: dt.date) -> None:
        payload = _close_payload(self.rng, self.p.outcome, self.entry_debt)
        pl.move(self.worker, "close", on, payload)
        self._after_closure(pl)

    def _after_closure(self, pl: _Player) -> None:
        rng, p = self.rng, self.p
        assert pl.closed_on is not None
        archived = p.status == S.ARCHIVED
        done_12 = False
        if rng.random() < (0.8 if archived else 0.55):
            due = follow_up_due_on(pl.closed_on, 6)
            on = due + dt.timedelta(rng.randint(-25, 60))
            pl.move(self.worker, "follow_up_6", on, _follow_up_payload(rng, p.outcome))
            if rng.random() < 0.7:
                due = follow_up_due_on(pl.closed_on, 12)
                on = due + dt.timedelta(rng.randint(-25, 75))
                pl.move(self.worker, "follow_up_12", on, _follow_up_payload(rng, p.outcome))
                done_12 = True
        if archived:
            earliest = pl.cursor if done_12 else follow_up_due_on(pl.closed_on, 12)
            on = max(earliest, pl.cursor) + dt.timedelta(rng.randint(0, 120))
            pl.move(self.cast.coordinator, "archive", on)


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


# --- Entry points ------------------------------------------------------------------------


def demo_situations() -> Any:
    """Situations of the demo: those created by a demo account."""
    return Situation.objects.filter(created_by__is_demo=True)


@transaction.atomic
def demo_build_history(*, seed: int, count: int = DEFAULT_COUNT) -> HistorySummary:
    """Create ``count`` situations identified from 2019-06 to 2022-12 and walk each through
    the services to its planned final status. Needs the demo reference
    (:func:`etage.demo.services.demo_build_reference`). Adds to whatever exists: callers check
    :func:`demo_situations` first (the ``etage_demo`` command does)."""
    if count < MIN_COUNT:
        raise ValueError(f"count must be at least {MIN_COUNT} to cover every status and outcome")
    started = timezone.now()
    today = timezone.localdate()
    rng = random.Random(seed)  # noqa: S311 — reproducible demo data, not security
    casts = _casts()
    plans = _plan(rng, count, _platform_starts())
    used_names: set[tuple[str, str]] = set()
    duplicates: list[tuple[Situation, _Story]] = []
    by_territory: Counter[str] = Counter()
    for plan in plans:
        story = _Story(rng, plan, casts[plan.territory], used_names)
        situation = story.play(today)
        by_territory[plan.territory] += 1
        if plan.duplicate:
            duplicates.append((situation, story))
    joined = sum(_join_duplicate(rng, situation, story) for situation, story in duplicates)
    statuses = Counter(demo_situations().values_list("status", flat=True))
    return HistorySummary(
        created=len(plans),
        duplicates_joined=joined,
        by_territory={code: by_territory[code] for code in sorted(by_territory)},
        by_status={status: statuses[status] for status in Status.values if statuses[status]},
        seconds=(timezone.now() - started).total_seconds(),
    )


@transaction.atomic
def demo_delete_history() -> int:
    """Delete the demo situations with everything attached to them (events, referrals,
    consents, shares, difficulties) and their households, people and tenancies. Returns how
    many situations were deleted.

    Pathway events are append-only: their manager refuses ``delete()``. Deleting the situation
    rows lets Django's collector remove the events with them (it deletes through the base
    manager, in SQL). PROTECT links into what is being deleted would stop the collector, so
    they are cleared first: shares resting on a consent are deleted outright, and every
    nullable PROTECT link to a pathway event of these situations (a correction pointing at the
    event it corrects, a meeting decision pointing at the event it recorded) is unlinked
    through the base manager — demo data only.

    When no situation is left at all, the situation numbering restarts, so the same seed gives
    the same references (``T1-00001``…) again."""
    situations = demo_situations()
    household_ids = sorted(set(situations.values_list("household_id", flat=True)))
    count = situations.count()
    Share.objects.filter(situation__in=situations).delete()
    for relation in PathwayEvent._meta.related_objects:
        fk = relation.field
        if relation.on_delete is models.PROTECT and fk.null:
            linked = fk.model._base_manager.filter(**{f"{fk.name}__situation__in": situations})
            linked.update(**{fk.name: None})
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
    "demo_situations",
]
