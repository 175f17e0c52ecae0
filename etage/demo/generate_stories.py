"""One synthetic situation's story, as rows (tuples) ready for a bulk write.

Used by :mod:`etage.demo.generate` (``manage.py etage_generate``). Unlike the demo history
(:mod:`etage.demo.history`), which replays a few hundred stories through the services, this
writes rows directly so that half a million situations take minutes, not days. The rows are
the ones the services would write for the same steps: the same pathway actions in the order
:mod:`etage.situations.workflow` allows, with the same payloads, the same shares (origin,
consent, referent) and the situation's fields set as ``situation_transition`` sets them.

Proportions come from the demo history (routes, levels, outcomes, sources) and from the
analytics benchmark's generator (``benchmarks/analytics/generate.py``: difficulties, entry
stages, gamma delays, log-normal support durations by level). Pure Python, no database
access: every draw comes from the ``random.Random`` it is given, so a seed gives the same rows.

Rows are plain tuples in the order of :data:`COLUMNS` (every column of the table, the key only
where it is handed out in advance), not model instances: ``Model.__init__`` was the largest
single cost of a national run. :func:`etage.demo.generate.table_fields` checks that the
columns are exactly the model's, so a field added to a model without a value here fails loudly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models

from etage.demo import reference as ref
from etage.demo.history import LEVEL_WEIGHTS, OUTCOME_WEIGHTS, ROUTE_WEIGHTS, SOURCE_WEIGHTS
from etage.demo.plans import JOURNAL_KIND_WEIGHTS, JOURNAL_TEXTS
from etage.households.models import Household, Person, Relationship, ResourcesBand, Tenancy
from etage.households.text import address_key, name_key
from etage.intake.models import Referral
from etage.procedures.choices import EventKind as E
from etage.procedures.choices import Source as ProcedureSource
from etage.procedures.choices import Track
from etage.procedures.models import ArrearsBalance, ProcedureEvent
from etage.situations.choices import (
    Difficulty,
    EntryStage,
    HousingStatus,
    InformationMethod,
    LegalBasis,
    Level,
    Orientation,
    Outcome,
    Status,
    SuspensionReason,
    Urgency,
)
from etage.situations.models import Consent, PathwayEvent, Share, Situation, SituationDifficulty
from etage.situations.services import NOT_ACTIVITY
from etage.situations.workflow import follow_up_due_on
from etage.support import events as support_events
from etage.support.choices import ReviewDecision, Visibility
from etage.support.models import JournalEntry, Review

S = Status
#: Share of situations with each difficulty (benchmarks/analytics/generate.py).
DIFFICULTY_P: dict[str, float] = {
    Difficulty.RENT_ARREARS: 0.7,
    Difficulty.NEIGHBOURHOOD: 0.18,
    Difficulty.SQUALOR: 0.08,
    Difficulty.MENTAL_HEALTH: 0.15,
    Difficulty.ADDICTION: 0.07,
    Difficulty.ISOLATION: 0.15,
    Difficulty.AUTONOMY: 0.1,
    Difficulty.DOMESTIC_VIOLENCE: 0.04,
    Difficulty.OCCUPANCY: 0.06,
    Difficulty.NON_TAKE_UP: 0.2,
    Difficulty.BUDGET: 0.3,
    Difficulty.OTHER: 0.05,
}
ENTRY_STAGE_WEIGHTS: dict[str, float] = {
    EntryStage.NONE: 52,
    EntryStage.COMMANDEMENT: 20,
    EntryStage.SUMMONS: 12,
    EntryStage.JUDGMENT: 8,
    EntryStage.ORDER_TO_LEAVE: 4,
    EntryStage.UNKNOWN: 4,
}
#: Median support duration in days per level (benchmarks/analytics/generate.py).
LEVEL_MEDIAN_DAYS: dict[str, float] = {Level.ADVICE: 100, Level.COORDINATION: 220, Level.AGR: 330}
HOUSING_BY_OUTCOME: dict[str, str] = {
    Outcome.HOUSED_NO_PROCEDURE: HousingStatus.SAME_DWELLING,
    Outcome.HOUSED_AFTER_PROCEDURE: HousingStatus.SAME_DWELLING,
    Outcome.REHOUSED: HousingStatus.OTHER_SOCIAL,
    Outcome.LEFT: HousingStatus.PRIVATE,
    Outcome.EVICTED: HousingStatus.HOSTED,
}
#: Which kind of organisation a referral of each source comes from.
SOURCE_KIND: dict[str, str] = {
    "landlord_agency": "landlord",
    "rent_recovery": "landlord",
    "caretaker": "landlord",
    "ccas": "ccas",
    "mdm": "mdm",
    "association": "association",
    "ccapex": "ccapex",
    "health": "health",
    "self": "ccas",
}
#: The arrears track before identification, by entry stage (the later stages include the
#: earlier facts, as a landlord's file would).
PRE_ENTRY_KINDS: dict[str, tuple[str, ...]] = {
    EntryStage.NONE: (E.ARREARS_OBSERVED, E.REMINDER),
    EntryStage.UNKNOWN: (E.ARREARS_OBSERVED,),
    EntryStage.COMMANDEMENT: (
        E.ARREARS_OBSERVED,
        E.REMINDER,
        E.BENEFIT_THRESHOLD,
        E.CAF_REPORTED,
        E.COMMANDEMENT_DE_PAYER,
    ),
    EntryStage.SUMMONS: (
        E.ARREARS_OBSERVED,
        E.REMINDER,
        E.CAF_REPORTED,
        E.COMMANDEMENT_DE_PAYER,
        E.SUMMONS,
        E.PREFECT_NOTIFIED,
    ),
    EntryStage.JUDGMENT: (
        E.ARREARS_OBSERVED,
        E.COMMANDEMENT_DE_PAYER,
        E.SUMMONS,
        E.HEARING,
        E.JUDGMENT,
        E.JUDGMENT_SERVED,
    ),
    EntryStage.ORDER_TO_LEAVE: (
        E.ARREARS_OBSERVED,
        E.COMMANDEMENT_DE_PAYER,
        E.SUMMONS,
        E.JUDGMENT,
        E.ORDER_TO_LEAVE,
    ),
}
PROCEDURE_SOURCE: dict[str, str] = {
    E.SUMMONS: ProcedureSource.BAILIFF,
    E.HEARING: ProcedureSource.COURT,
    E.JUDGMENT: ProcedureSource.COURT,
    E.JUDGMENT_SERVED: ProcedureSource.BAILIFF,
    E.ORDER_TO_LEAVE: ProcedureSource.BAILIFF,
    E.PREFECT_NOTIFIED: ProcedureSource.PREFECTURE,
    E.CAF_PLAN: ProcedureSource.CAF,
    E.FSL_APPLICATION: ProcedureSource.FSL,
    E.FSL_DECISION: ProcedureSource.FSL,
}


@dataclass
class Ids:
    """Primary keys handed out in creation order, from ``start`` (the table's max + 1), so
    that rows can point at each other before any is written."""

    next: dict[str, int]

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


#: The columns (attribute names) of each table's rows, in the order of the stories' tuples.
COLUMNS: dict[type[models.Model], tuple[str, ...]] = {
    Household: ("id", "adults", "children", "resources_band", "phone", "created_at", "version"),
    Person: (
        "household_id", "last_name", "first_name", "birth_year", "relationship", "last_name_key",
    ),
    Tenancy: (
        "id", "household_id", "landlord_id", "lease_reference", "address", "commune_id",
        "lease_signed_on", "monthly_rent", "is_current", "address_key",
    ),
    Situation: (
        "id", "reference", "household_id", "tenancy_id", "platform_id", "landlord_id",
        "origin_organisation_id", "created_by_id", "status", "source", "urgency", "entry_stage",
        "entry_debt", "description", "informed_on", "information_method", "contact_outcome",
        "orientation", "level", "lead_professional_id", "referent_organisation_id",
        "suspension_reason", "outcome", "exit_debt", "housing_status", "identified_on",
        "first_contact_on", "assessed_on", "oriented_on", "support_started_on", "next_review_on",
        "closed_on", "archived_on", "last_activity_on", "purged_on", "version", "updated_at",
    ),
    SituationDifficulty: ("situation_id", "code"),
    Referral: (
        "situation_id", "submitted_by_id", "organisation_id", "submitted_at", "source", "urgency",
        "difficulties", "description", "joined_existing",
    ),
    Consent: (
        "id", "situation_id", "given_on", "recorded_by_id", "recorded_by_organisation_id", "note",
        "keep_landlord_history", "withdrawn_on", "withdrawn_by_id",
    ),
    Consent.scope.through: ("consent_id", "organisation_id"),
    Share: (
        "id", "situation_id", "organisation_id", "legal_basis", "consent_id", "is_active",
        "granted_at", "granted_by_id", "revoked_at", "revoked_by_id", "revocation_reason",
    ),
    PathwayEvent: (
        "id", "situation_id", "action", "from_status", "to_status", "occurred_on", "recorded_at",
        "actor_id", "organisation_id", "payload", "corrects_id",
    ),
    ProcedureEvent: (
        "id", "situation_id", "track", "kind", "occurred_on", "amount", "months_of_rent",
        "details", "source", "recorded_by_id", "organisation_id", "recorded_at", "corrects_id",
        "is_void",
    ),
    ArrearsBalance: (
        "situation_id", "on", "amount", "monthly_rent", "months", "source", "recorded_by_id",
        "recorded_at",
    ),
    JournalEntry: (
        "id", "situation_id", "kind", "occurred_on", "author_id", "author_organisation_id",
        "visibility", "text", "corrects_id", "created_at",
    ),
    Review: (
        "id", "situation_id", "held_on", "decision", "next_review_on", "recorded_by_id",
        "recorded_by_organisation_id", "recorded_at", "version",
    ),
}  # fmt: skip


@dataclass(slots=True)
class SituationRow:
    """The situation being built: its fields change as the story goes (``situation_transition``
    would set them), then :meth:`row` gives the tuple written (the model's defaults otherwise)."""

    id: int
    reference: str
    household_id: int
    tenancy_id: int
    platform_id: int
    landlord_id: int
    origin_organisation_id: int
    created_by_id: int
    status: str
    source: str
    urgency: str
    entry_stage: str
    entry_debt: Decimal | None
    identified_on: dt.date
    last_activity_on: dt.date
    description: str = ""
    informed_on: dt.date | None = None
    information_method: str = ""
    contact_outcome: str = ""
    orientation: str = ""
    level: str = ""
    lead_professional_id: int | None = None
    referent_organisation_id: int | None = None
    suspension_reason: str = ""
    outcome: str = ""
    exit_debt: Decimal | None = None
    housing_status: str = ""
    first_contact_on: dt.date | None = None
    assessed_on: dt.date | None = None
    oriented_on: dt.date | None = None
    support_started_on: dt.date | None = None
    next_review_on: dt.date | None = None
    closed_on: dt.date | None = None
    archived_on: dt.date | None = None
    purged_on: dt.date | None = None
    version: int = 1
    updated_at: dt.datetime | None = None

    def row(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in COLUMNS[Situation])


@dataclass
class Rows:
    """The rows of one batch of situations, per model (tuples in :data:`COLUMNS` order)."""

    by_model: dict[type[models.Model], list[tuple[Any, ...]]] = field(default_factory=dict)

    def of(self, model: type[models.Model]) -> list[tuple[Any, ...]]:
        """The list of ``model``'s rows, to append to."""
        rows = self.by_model.get(model)
        if rows is None:
            rows = self.by_model[model] = []
        return rows


@dataclass(frozen=True)
class Member:
    """A user account as the stories need it."""

    id: int
    organisation_id: int
    role: str


@dataclass
class TerritoryCast:
    """One territory's platform, communes, organisations and accounts."""

    code: str
    platform_id: int
    started_on: dt.date
    review_interval: int
    commune_ids: Sequence[int]
    landlords: Sequence[tuple[int, str]]  # (id, code)
    orgs_by_kind: Mapping[str, Sequence[tuple[int, str]]]
    org_code: Mapping[int, str]
    coordinators: Sequence[Member]
    signallers_by_org: Mapping[int, Sequence[Member]]
    professionals_by_org: Mapping[int, Sequence[Member]]
    rent_recovery_by_org: Mapping[int, Sequence[Member]]
    any_signaller: Sequence[Member]


class _Past(Exception):
    """The next step would fall after today: the story stops where it is."""


def weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def gamma_days(rng: random.Random, mean: float, shape: float = 2.0) -> int:
    return max(1, math.ceil(rng.gammavariate(shape, mean / shape)))


def identification_day(rng: random.Random, start: dt.date, today: dt.date) -> dt.date:
    """Growing activity, as in the analytics generator: density rising linearly ×3 from the
    platform's start to today (inverse of the CDF (x + x²) / 2)."""
    x = (-1 + math.sqrt(1 + 8 * rng.random())) / 2
    return start + dt.timedelta(days=int(x * (today - start).days))


class Story:
    """Builds one situation and its rows, step by step, stopping at today."""

    def __init__(
        self, rng: random.Random, cast: TerritoryCast, ids: Ids, rows: Rows, today: dt.date
    ) -> None:
        self.rng, self.cast, self.ids, self.rows, self.today = rng, cast, ids, rows, today
        self.status = ""
        self.shared: set[int] = set()
        self.consent_id: int | None = None
        self.consent_on: dt.date | None = None
        self.events = rows.of(PathwayEvent)
        self.procedures = rows.of(ProcedureEvent)
        self.consent_scope: set[int] = set()
        self.lead: Member | None = None
        self.last_on = dt.date.min

    # --- rows --------------------------------------------------------------------------------

    def _at(self, day: dt.date) -> dt.datetime:
        # Recorded the same working day, late morning to late afternoon.
        minutes = 9 * 60 + self.rng.randrange(8 * 60)
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=dt.UTC)

    def event(
        self,
        action: str,
        on: dt.date,
        actor: Member,
        payload: Mapping[str, Any] | None = None,
        to_status: str | None = None,
    ) -> dt.date:
        """Append a pathway event; returns its date (never before the previous event's)."""
        # Steps drawn independently (a resumption, a closure) never go back in time.
        on = max(on, self.last_on)
        if on > self.today:
            raise _Past
        self.last_on = on
        target = to_status if to_status is not None else self.status
        self.events.append(
            (
                self.ids.take("pathway_event"),
                self.s.id,
                action,
                self.status,
                target,
                on,
                self._at(on),  # recorded_at
                actor.id,
                actor.organisation_id,
                dict(payload or {}),
                None,  # corrects
            )
        )
        self.status = target
        self.s.status = target
        if action not in NOT_ACTIVITY:
            self.s.last_activity_on = max(on, self.s.last_activity_on)
        return on

    def share(self, org_id: int, basis: str, on: dt.date, actor: Member, *, event: bool) -> None:
        if org_id in self.shared:
            return
        self.shared.add(org_id)
        self.rows.of(Share).append(
            (
                self.ids.take("share"),
                self.s.id,
                org_id,
                basis,
                self.consent_id if basis == LegalBasis.CONSENT else None,
                True,  # is_active
                self._at(on),  # granted_at
                actor.id,
                None,  # revoked_at
                None,  # revoked_by
                "",  # revocation_reason
            )
        )
        if event:
            payload = {"organisation": self.cast.org_code[org_id], "legal_basis": basis}
            self.event("share_granted", on, actor, payload)

    def procedure(self, kind: str, on: dt.date, track: str, actor: Member, amount: Any) -> None:
        self.procedures.append(
            (
                self.ids.take("procedure_event"),
                self.s.id,
                track,
                kind,
                on,
                amount,
                None,  # months_of_rent
                {},  # details
                PROCEDURE_SOURCE.get(kind, ProcedureSource.LANDLORD),
                actor.id,
                actor.organisation_id,
                self._at(max(on, self.s.identified_on)),  # recorded_at
                None,  # corrects
                False,  # is_void
            )
        )

    # --- the story ---------------------------------------------------------------------------

    def build(self) -> SituationRow:
        rng, cast = self.rng, self.cast
        d0 = identification_day(rng, cast.started_on, self.today)
        landlord_id, landlord_code = rng.choice(cast.landlords)
        source = weighted(rng, SOURCE_WEIGHTS)
        origin_kind = SOURCE_KIND.get(source, "landlord")
        if origin_kind == "landlord":
            origin_id = landlord_id
        else:
            origin_id = rng.choice(cast.orgs_by_kind[origin_kind])[0]
        signaller = rng.choice(
            cast.signallers_by_org.get(origin_id)
            or cast.professionals_by_org.get(origin_id)
            or cast.any_signaller
        )
        difficulties = sorted(c for c, p in DIFFICULTY_P.items() if rng.random() < p) or [
            Difficulty.OTHER
        ]
        arrears = Difficulty.RENT_ARREARS in difficulties
        stage = weighted(rng, ENTRY_STAGE_WEIGHTS) if arrears else EntryStage.NONE
        debt = Decimal(round(rng.lognormvariate(math.log(1800), 0.8))) if arrears else None
        urgent = stage == EntryStage.ORDER_TO_LEAVE or rng.random() < 0.08
        self.rent = Decimal(rng.randrange(320, 780))

        household_id, tenancy_id = self._household(rng, landlord_id, landlord_code)
        sid = self.ids.take("situation")
        self.s = SituationRow(
            id=sid,
            reference=f"{cast.code}-{sid:05d}",
            household_id=household_id,
            tenancy_id=tenancy_id,
            platform_id=cast.platform_id,
            landlord_id=landlord_id,
            origin_organisation_id=origin_id,
            created_by_id=signaller.id,
            status=S.IDENTIFIED,
            source=source,
            urgency=Urgency.URGENT if urgent else Urgency.NORMAL,
            entry_stage=stage,
            entry_debt=debt,
            identified_on=d0,
            last_activity_on=d0,
        )
        self.rows.of(SituationDifficulty).extend((sid, code) for code in difficulties)
        self.rows.of(Referral).append(
            (
                sid,
                signaller.id,
                origin_id,
                self._at(d0),  # submitted_at
                source,
                self.s.urgency,
                difficulties,
                "",  # description
                False,  # joined_existing
            )
        )
        self.share(origin_id, LegalBasis.ORIGIN, d0, signaller, event=False)
        payload = {
            "source": source,
            "urgency": self.s.urgency,
            "difficulties": difficulties,
            "entry_stage": stage,
            "entry_debt": str(debt) if debt is not None else None,
        }
        self.event("identify", d0, signaller, payload, to_status=S.IDENTIFIED)
        self.rent_recovery = rng.choice(
            cast.rent_recovery_by_org.get(landlord_id) or cast.coordinators
        )
        if arrears:
            self._arrears_before(d0, stage, debt or Decimal(0))
        if Difficulty.NEIGHBOURHOOD in difficulties or Difficulty.SQUALOR in difficulties:
            for kind, back in ((E.COMPLAINT, 90), (E.LEASE_RULES_REMINDER, 40)):
                self.procedure(kind, d0 - dt.timedelta(days=back), Track.NEIGHBOURHOOD,
                               self.rent_recovery, None)  # fmt: skip
        with contextlib.suppress(_Past):  # the story stops at today
            self._pathway(d0, arrears)
        self.s.updated_at = self._at(self.s.last_activity_on)
        # Written after the story, with the values it ended on (the batch writes the
        # situations before the rows that point at them: see WRITE_ORDER).
        self.rows.of(Situation).append(self.s.row())
        return self.s

    def _household(
        self, rng: random.Random, landlord_id: int, landlord_code: str
    ) -> tuple[int, int]:
        """The household, its people and tenancy; returns the household's and tenancy's keys."""
        adults = 1 if rng.random() < 0.55 else 2
        household_id = self.ids.take("household")
        children = min(6, int(rng.expovariate(0.8)))
        band = rng.choices(
            [ResourcesBand.MINIMA, ResourcesBand.LOW, ResourcesBand.MODEST, ResourcesBand.UNKNOWN],
            weights=[40, 35, 15, 10],
        )[0]
        # 06 39 98: the range ARCEP keeps for fiction.
        phone = f"06 39 98 {rng.randrange(100):02d} {rng.randrange(100):02d}"
        created_at = self._at(self.cast.started_on)
        self.rows.of(Household).append(
            (household_id, adults, children, band, phone, created_at, 1)  # version 1
        )
        last = rng.choice(ref.LAST_NAMES)
        people = self.rows.of(Person)
        people.append(
            (household_id, last, rng.choice(ref.FIRST_NAMES), rng.randrange(1945, 2003),
             Relationship.HOLDER, name_key(last))
        )  # fmt: skip
        if adults == 2:
            people.append(
                (household_id, last, rng.choice(ref.FIRST_NAMES), rng.randrange(1945, 2003),
                 Relationship.CO_HOLDER, name_key(last))
            )  # fmt: skip
        address = f"{rng.randrange(1, 180)} {rng.choice(ref.STREETS)}"
        tenancy_id = self.ids.take("tenancy")
        self.rows.of(Tenancy).append(
            (
                tenancy_id,
                household_id,
                landlord_id,
                f"{landlord_code}-{household_id:07d}",  # lease_reference
                address,
                rng.choice(self.cast.commune_ids),
                None,  # lease_signed_on
                self.rent,  # monthly_rent
                True,  # is_current
                address_key(address),
            )
        )
        return household_id, tenancy_id

    def _arrears_before(self, d0: dt.date, stage: str, debt: Decimal) -> None:
        kinds = PRE_ENTRY_KINDS[stage]
        span = 120 + 60 * len(kinds)
        for i, kind in enumerate(kinds):
            on = d0 - dt.timedelta(days=span * (len(kinds) - i) // (len(kinds) + 1) + 1)
            amount = (debt * (i + 1) / len(kinds)).quantize(Decimal("0.01"))
            self.procedure(kind, on, Track.ARREARS, self.rent_recovery, amount)
        self._balance(d0, debt)

    def _balance(self, on: dt.date, amount: Decimal) -> None:
        """The landlord's arrears balance on ``on``, as its rent-recovery officer records it."""
        self.rows.of(ArrearsBalance).append(
            (
                self.s.id,
                on,
                amount,
                self.rent,  # monthly_rent
                (amount / self.rent).quantize(Decimal("0.1")),  # months
                ProcedureSource.LANDLORD,
                self.rent_recovery.id,
                self._at(on),  # recorded_at
            )
        )

    def _pathway(self, d0: dt.date, arrears: bool) -> None:
        rng, cast = self.rng, self.cast
        coordinator = rng.choice(cast.coordinators)
        route = weighted(rng, ROUTE_WEIGHTS)
        day = d0
        informed = rng.random() < 0.8
        if informed:
            day += dt.timedelta(days=gamma_days(rng, 6))
            self._inform(day, coordinator, S.INFORMED)
        day += dt.timedelta(days=gamma_days(rng, 12))
        if route == "refused":
            day = self.event("contact_refused", day, coordinator, to_status=S.CLOSED)
            self.s.closed_on, self.s.outcome = day, Outcome.REFUSED
            self.s.contact_outcome = "refused"
            self.s.first_contact_on = day
            self._after_closure(day, coordinator)
            return
        if route == "unreachable":
            for _attempt in range(rng.randint(1, 3)):
                day = self.event("contact_unreachable", day, coordinator, to_status=S.UNREACHABLE)
                self.s.contact_outcome = "unreachable"
                day += dt.timedelta(days=gamma_days(rng, 15))
            outcome = weighted(rng, {Outcome.REFUSED: 6, Outcome.OTHER: 4})
            self._close(day + dt.timedelta(days=gamma_days(rng, 30)), coordinator, outcome)
            return
        day = self.event("contact_reached", day, coordinator, to_status=S.CONTACTED)
        self.s.contact_outcome, self.s.first_contact_on = "reached", day
        if not informed:
            self._inform(day, coordinator, S.CONTACTED)
        level = weighted(rng, LEVEL_WEIGHTS)
        referent_kind = "association" if level == Level.AGR else rng.choice(("ccas", "mdm"))
        referent_id = rng.choice(cast.orgs_by_kind[referent_kind])[0]
        if rng.random() < 0.85:
            self._consent(day + dt.timedelta(days=gamma_days(rng, 5)), coordinator, referent_id)
            day = max(day, self.consent_on or day)
        day += dt.timedelta(days=gamma_days(rng, 14))
        day = self.event("assess", day, coordinator, to_status=S.ASSESSED)
        self.s.assessed_on = day
        day += dt.timedelta(days=max(1, round(rng.lognormvariate(math.log(21), 0.6))))
        if route in (Orientation.MAINSTREAM, Orientation.NO_ACTION):
            day = self.event(
                "orient", day, coordinator, {"orientation": route}, to_status=S.ORIENTED
            )
            self.s.orientation, self.s.oriented_on = route, day
            outcome = (
                Outcome.MAINSTREAM
                if route == Orientation.MAINSTREAM
                else weighted(rng, {Outcome.HOUSED_NO_PROCEDURE: 6, Outcome.OTHER: 4})
            )
            self._close(day + dt.timedelta(days=gamma_days(rng, 15)), coordinator, outcome)
            return
        self._support(day, coordinator, level, referent_id, arrears)

    def _inform(self, day: dt.date, actor: Member, to_status: str) -> None:
        method = weighted(
            self.rng,
            {
                InformationMethod.IN_PERSON: 5,
                InformationMethod.PHONE: 3,
                InformationMethod.LETTER: 2,
            },
        )
        day = self.event("inform", day, actor, {"method": method}, to_status=to_status)
        self.s.informed_on, self.s.information_method = day, method

    def _consent(self, day: dt.date, actor: Member, referent_id: int) -> None:
        if day > self.today:
            raise _Past
        kinds = self.cast.orgs_by_kind
        scope = {self.s.landlord_id, referent_id, kinds["ccas"][0][0], kinds["mdm"][0][0]}
        consent_id = self.ids.take("consent")
        self.consent_id, self.consent_on = consent_id, day
        self.rows.of(Consent).append(
            (
                consent_id,
                self.s.id,
                day,  # given_on
                actor.id,
                actor.organisation_id,
                "",  # note
                self.rng.random() < 0.3,  # keep_landlord_history
                None,  # withdrawn_on
                None,  # withdrawn_by
            )
        )
        self.consent_scope = scope
        self.rows.of(Consent.scope.through).extend((consent_id, o) for o in sorted(scope))
        codes = sorted(self.cast.org_code[o] for o in scope)
        self.event("consent_recorded", day, actor, {"organisations": codes})
        for org_id in sorted(scope):
            self.share(org_id, LegalBasis.CONSENT, day, actor, event=True)

    def _support(
        self, day: dt.date, coordinator: Member, level: str, referent_id: int, arrears: bool
    ) -> None:
        rng, cast = self.rng, self.cast
        lead = rng.choice(cast.professionals_by_org.get(referent_id) or cast.coordinators)
        payload = {
            "orientation": level,
            "lead_professional_id": lead.id,
            "referent_organisation_id": referent_id,
        }
        day = self.event("orient", day, coordinator, payload, to_status=S.ORIENTED)
        self.s.orientation, self.s.level, self.s.oriented_on = level, level, day
        self.s.lead_professional_id, self.s.referent_organisation_id = lead.id, referent_id
        basis = LegalBasis.CONSENT if referent_id in self.consent_scope else LegalBasis.CASF
        self.share(referent_id, basis, day, coordinator, event=True)
        day += dt.timedelta(days=gamma_days(rng, 10))
        day = self.event("start_support", day, lead, to_status=S.IN_SUPPORT)
        interval = cast.review_interval * 30
        self.s.support_started_on = day
        self.s.next_review_on = day + dt.timedelta(days=interval)
        duration = max(30, round(rng.lognormvariate(math.log(LEVEL_MEDIAN_DAYS[level]), 0.5)))
        end = day + dt.timedelta(days=duration)
        steps: list[tuple[dt.date, str]] = []
        on = day
        while (on := on + dt.timedelta(days=gamma_days(rng, 24))) < end:
            steps.append((on, "journal"))
        on = day
        while (on := on + dt.timedelta(days=interval + rng.randint(-7, 7))) < end:
            steps.append((on, "review"))
        if rng.random() < 0.12:
            steps.append((day + dt.timedelta(days=duration * 2 // 5), "change_level"))
        if rng.random() < 0.08:
            steps.append((day + dt.timedelta(days=duration * 3 // 5), "suspend"))
        if arrears:
            for kind, share in ((E.FSL_APPLICATION, 0.4), (E.AMICABLE_PLAN_SIGNED, 0.35)):
                if rng.random() < share:
                    steps.append((day + dt.timedelta(days=rng.randrange(duration)), kind))
        for on, step in sorted(steps):
            self._support_step(on, step, lead, coordinator)
        outcome = weighted(rng, OUTCOME_WEIGHTS)
        self._close(end, self.lead or lead, outcome)

    def _support_step(self, on: dt.date, step: str, lead: Member, coordinator: Member) -> None:
        rng = self.rng
        actor = self.lead or lead
        if step == "journal":
            kind = weighted(rng, JOURNAL_KIND_WEIGHTS)
            visibility = Visibility.GROUP if rng.random() < 0.8 else Visibility.ORGANISATION
            entry_id = self.ids.take("journal_entry")
            if on > self.today:
                raise _Past
            self.rows.of(JournalEntry).append(
                (
                    entry_id,
                    self.s.id,
                    kind,
                    on,  # occurred_on
                    actor.id,
                    actor.organisation_id,
                    visibility,
                    rng.choice(JOURNAL_TEXTS[kind]),  # text
                    None,  # corrects
                    self._at(on),  # created_at
                )
            )
            payload = {
                "entry": entry_id,
                "kind": kind,
                "visibility": visibility,
                "corrects": None,
                "sensitive_categories": [],
            }
            self.event(support_events.JOURNAL_ENTRY, on, actor, payload)
        elif step == "review":
            if self.status != S.IN_SUPPORT or on > self.today:
                return
            review_id = self.ids.take("review")
            following = on + dt.timedelta(days=self.cast.review_interval * 30)
            self.rows.of(Review).append(
                (
                    review_id,
                    self.s.id,
                    on,  # held_on
                    ReviewDecision.CONTINUE,
                    following,  # next_review_on
                    actor.id,
                    actor.organisation_id,
                    self._at(on),  # recorded_at
                    1,  # version
                )
            )
            payload = {
                "review": review_id,
                "decision": ReviewDecision.CONTINUE,
                "next_review_on": following.isoformat(),
                "progress": {},
            }
            self.event(support_events.REVIEW, on, actor, payload)
            self.s.next_review_on = following
        elif step == "change_level" and self.status == S.IN_SUPPORT:
            levels = [lv for lv in (Level.ADVICE, Level.COORDINATION) if lv != self.s.level]
            new = rng.choice(levels)
            self.event("change_level", on, coordinator, {"level": new})
            self.s.level = new
        elif step == "suspend" and self.status == S.IN_SUPPORT:
            reason = rng.choice(list(SuspensionReason.values))
            self.event("suspend", on, actor, {"reason": reason}, to_status=S.SUSPENDED)
            self.s.suspension_reason = reason
            self.event("resume", on + dt.timedelta(days=gamma_days(rng, 40)), actor,
                       to_status=S.IN_SUPPORT)  # fmt: skip
            self.s.suspension_reason = ""
        elif step in (E.FSL_APPLICATION, E.AMICABLE_PLAN_SIGNED) and on <= self.today:
            amount = self.s.entry_debt
            self.procedure(step, on, Track.ARREARS, actor, amount)
            if step == E.FSL_APPLICATION and on + dt.timedelta(days=45) <= self.today:
                self.procedure(E.FSL_DECISION, on + dt.timedelta(days=45), Track.ARREARS,
                               actor, amount)  # fmt: skip

    def _close(self, day: dt.date, actor: Member, outcome: str) -> None:
        exit_debt = Decimal(0)
        if self.s.entry_debt and outcome not in (Outcome.HOUSED_NO_PROCEDURE, Outcome.REHOUSED):
            exit_debt = (self.s.entry_debt * Decimal(self.rng.random())).quantize(Decimal(1))
        housing = HOUSING_BY_OUTCOME.get(outcome, HousingStatus.UNKNOWN)
        payload = {"outcome": outcome, "exit_debt": str(exit_debt), "housing_status": housing}
        day = self.event("close", day, actor, payload, to_status=S.CLOSED)
        self.s.closed_on, self.s.outcome, self.s.exit_debt = day, outcome, exit_debt
        self.s.housing_status, self.s.next_review_on = housing, None
        if self.s.entry_debt:
            self._balance(day, exit_debt)
        self._after_closure(day, actor)

    def _after_closure(self, closed: dt.date, actor: Member) -> None:
        rng = self.rng
        last = closed
        for months, action in ((6, "follow_up_6"), (12, "follow_up_12")):
            if rng.random() < 0.8:
                last = follow_up_due_on(closed, months) + dt.timedelta(days=rng.randrange(15))
                last = self.event(action, last, actor)
        day = max(last, follow_up_due_on(closed, 12)) + dt.timedelta(days=rng.randrange(1, 30))
        day = self.event("archive", day, rng.choice(self.cast.coordinators), to_status=S.ARCHIVED)
        self.s.archived_on = day
