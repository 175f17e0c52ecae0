"""Synthetic data at scale (``manage.py etage_generate``): a metropolis or a whole country of
fictitious territories, partners, accounts, households and situations with their pathway,
procedure, journal and review rows — to measure the application on realistic volumes.

How it differs from the demo (:mod:`etage.demo.services`, :mod:`etage.demo.history`):

- the territories, communes, organisations and people are invented (codes ``G001``…, INSEE
  codes ``99xxx`` that no French commune has, names from the demo's fictitious lists);
- rows are built as tuples (not model instances) and written in bulk — PostgreSQL's
  ``COPY`` (:func:`etage.core.bulk.copy_rows`), ``executemany`` of batches elsewhere
  (:func:`_insert`) — with primary keys handed out in advance
  (:class:`~etage.demo.generate_stories.Ids`) so that rows point at each other without a round
  trip; the sequences are moved past them at the end.
  The services are not called: one by one they would take days at national scale;
  :mod:`etage.demo.generate_stories` writes what they would write for the same steps.
  Their signals (notifications of a share or a pathway step) are therefore not sent, on
  purpose: these are past facts, nobody is to be notified of them (the demo history
  suppresses notifications too);
- every account gets the same password, ``etage-demo-2026`` (:data:`reference.DEMO_PASSWORD`),
  hashed once and reused: hashing it 5,000 times would take minutes. The accounts are
  demo accounts (``is_demo``), which production settings refuse at login.

Deterministic: a seed and a ``today`` give the same rows (one ``random.Random`` per
territory, seeded from both).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import queue
import random
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from etage.accounts.models import User
from etage.accounts.roles import Role, can_administer
from etage.alerts.defaults import seed_default_rules
from etage.core.bulk import can_copy, copy_rows
from etage.demo import reference as ref
from etage.demo.generate_stories import COLUMNS, Ids, Member, Rows, Story, TerritoryCast
from etage.households.models import Household, Person, Tenancy
from etage.intake.models import Referral
from etage.organisations.models import Organisation, OrganisationKind
from etage.procedures.models import ArrearsBalance, ProcedureEvent
from etage.situations.models import Consent, PathwayEvent, Share, Situation, SituationDifficulty
from etage.support.models import JournalEntry, Review
from etage.territories.models import Commune, Platform, PlatformMembership, Territory

K = OrganisationKind
T = TypeVar("T")


@dataclass(frozen=True)
class GenerationPlan:
    """How much to generate. Situations are spread over territories with a heavy tail (a
    few large metropolitan platforms, many small ones), as in the analytics generator."""

    scale: str
    territories: int
    situations: int
    users_per_territory: int
    communes_per_territory: int

    @property
    def users(self) -> int:
        return self.territories * self.users_per_territory

    def situations_per_territory(self, rng: random.Random) -> list[int]:
        weights = [1 / (rank + 1) ** 0.6 for rank in range(self.territories)]
        rng.shuffle(weights)
        total = sum(weights)
        counts = [int(self.situations * w / total) for w in weights]
        # Largest remainders, so that the total is exactly the plan's.
        order = sorted(
            range(self.territories),
            key=lambda i: -(self.situations * weights[i] / total - counts[i]),
        )
        for i in order[: self.situations - sum(counts)]:
            counts[i] += 1
        return counts


SCALES: dict[str, GenerationPlan] = {
    "small": GenerationPlan("small", 3, 1_500, 24, 2),
    "metropolis": GenerationPlan("metropolis", 10, 40_000, 50, 3),
    "national": GenerationPlan("national", 120, 504_000, 45, 3),
}

#: The order of the bulk inserts: every row after those it points at.
WRITE_ORDER: tuple[type[models.Model], ...] = (
    Household,
    Person,
    Tenancy,
    Situation,
    SituationDifficulty,
    Referral,
    Consent,
    Consent.scope.through,
    Share,
    PathwayEvent,
    ProcedureEvent,
    ArrearsBalance,
    JournalEntry,
    Review,
)
#: Models whose keys are handed out in advance (name used by Ids → model).
PRESET_KEYS: dict[str, type[models.Model]] = {
    "household": Household,
    "tenancy": Tenancy,
    "situation": Situation,
    "consent": Consent,
    "share": Share,
    "pathway_event": PathwayEvent,
    "procedure_event": ProcedureEvent,
    "journal_entry": JournalEntry,
    "review": Review,
}
#: Fields whose Python value is already what the database takes (strings, integers, booleans,
#: foreign keys to integer keys): written as they are.
PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
)
BATCH_SITUATIONS = 2_000
BATCH_SIZE = 5_000

#: Fictitious place names: prefixes and suffixes combined per commune.
PLACE_PREFIXES = ("Val", "Mont", "Bourg", "Pont", "Bois", "Champ", "Clos", "Port", "Roche", "Plan")
PLACE_SUFFIXES = (
    "des-Tilleuls",
    "les-Glycines",
    "sur-Loue",
    "du-Lavoir",
    "les-Acacias",
    "des-Mésanges",
    "la-Forge",
    "les-Vergers",
    "sur-Brenne",
    "les-Hirondelles",
    "le-Moulin",
    "des-Érables",
)


class GenerationRefused(Exception):
    """The database is not empty of situations: nothing was written."""


@dataclass
class GenerationSummary:
    territories: int = 0
    organisations: int = 0
    users: int = 0
    situations: int = 0
    pathway_events: int = 0
    procedure_events: int = 0
    journal_entries: int = 0
    reviews: int = 0
    seconds: float = 0.0

    @property
    def events(self) -> int:
        return self.pathway_events + self.procedure_events


def generate_refusal() -> str | None:
    """Why the database cannot take generated data, or None. Generated data goes into an
    empty database only: mixed with real or demo situations it would distort every count,
    and a second run would collide with the first one's codes."""
    count = Situation.objects.count()
    if count:
        return _(
            "The database already holds %(count)s situations: the generator only fills an "
            "empty database (create a new one, or empty it with “manage.py flush”)."
        ) % {"count": count}
    if Organisation.objects.filter(code="G-EVAL").exists():
        return _("Generated territories are already there: empty the database first.")
    return None


def generate(
    plan: GenerationPlan,
    *,
    seed: int,
    today: dt.date,
    progress: Callable[[str], None] = lambda line: None,
) -> GenerationSummary:
    """Fill an empty database with ``plan``'s data. Raises :class:`GenerationRefused` (and
    writes nothing) if it already holds situations. Batches commit one by one (a national
    run in one transaction would hold millions of pending rows): an interrupted run leaves
    what it wrote, and the next one starts from an empty database again."""
    started = time.monotonic()
    with transaction.atomic():
        refusal = generate_refusal()
        if refusal:
            raise GenerationRefused(refusal)
        summary = GenerationSummary()
        casts = _build_reference(plan, seed=seed, summary=summary)
    progress(
        _(
            "reference data: %(territories)s territories, %(organisations)s organisations, "
            "%(users)s accounts (%(seconds)s s)"
        )
        % {
            "territories": summary.territories,
            "organisations": summary.organisations,
            "users": summary.users,
            "seconds": round(time.monotonic() - started, 1),
        }
    )
    ids = Ids({name: _next_key(model) for name, model in PRESET_KEYS.items()})
    counts = plan.situations_per_territory(random.Random(f"{seed}-sizes"))  # noqa: S311
    batches = _ahead(_batches(casts, counts, ids, seed=seed, today=today))
    with contextlib.closing(batches):
        for cast, count, rows, last in batches:
            _write(rows, summary)
            if not last:
                continue
            summary.situations += count
            progress(
                _(
                    "%(code)s: %(count)s situations — in all %(situations)s situations, "
                    "%(events)s events (%(seconds)s s)"
                )
                % {
                    "code": cast.code,
                    "count": count,
                    "situations": summary.situations,
                    "events": summary.events,
                    "seconds": round(time.monotonic() - started, 1),
                }
            )
    _reset_sequences()
    _analyze()
    summary.seconds = time.monotonic() - started
    return summary


def _batches(
    casts: list[TerritoryCast], counts: list[int], ids: Ids, *, seed: int, today: dt.date
) -> Iterator[tuple[TerritoryCast, int, Rows, bool]]:
    """The rows of every batch, territory after territory: ``(cast, the territory's count of
    situations, rows, whether it is the territory's last batch)``. Pure Python, no database
    access (it runs in :func:`_ahead`'s thread)."""
    for cast, count in zip(casts, counts, strict=True):
        rng = random.Random(f"{seed}-{cast.code}-{today.isoformat()}")  # noqa: S311
        remaining = count
        while remaining:
            batch = min(BATCH_SITUATIONS, remaining)
            rows = Rows()
            for _story in range(batch):
                Story(rng, cast, ids, rows, today).build()
            remaining -= batch
            yield cast, count, rows, not remaining


def _ahead(items: Iterator[T], depth: int = 1) -> Generator[T]:
    """``items`` computed in a thread, up to ``depth`` ahead of the consumer: the next batch is
    built while the database takes the previous one (the thread runs while this one waits
    for the server, which releases the GIL). Same items in the same order, so the output
    stays deterministic; the database is used by the caller's thread only (its connection and
    transaction). An exception in the thread is raised here; closing the generator stops it."""
    queue_: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: tuple[bool, Any]) -> bool:
        while not stop.is_set():
            with contextlib.suppress(queue.Full):
                queue_.put(item, timeout=0.1)
                return True
        return False

    def run() -> None:
        try:
            for item in items:
                if not put((False, item)):
                    return
            put((True, None))
        except BaseException as error:  # handed to the consumer, raised there
            put((True, error))

    thread = threading.Thread(target=run, name="etage-generate-stories", daemon=True)
    thread.start()
    try:
        while True:
            done, value = queue_.get()
            if done:
                if value is not None:
                    raise value
                return
            yield value
    finally:
        stop.set()
        thread.join()


def _next_key(model: type[models.Model]) -> int:
    return int(model._base_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


def _write(rows: Rows, summary: GenerationSummary) -> None:
    """One batch, in one transaction, table after table in :data:`WRITE_ORDER` (every row
    after those it points at; PostgreSQL checks the keys, deferred, at the commit)."""
    copy = can_copy()
    with transaction.atomic(), connection.cursor() as cursor:
        for model in WRITE_ORDER:
            table = rows.by_model.get(model, [])
            if not table:
                continue
            if copy:
                copy_rows(model, [f.attname for f in table_fields(model)], table)
                continue
            for start in range(0, len(table), BATCH_SIZE):
                _insert(cursor, model, table[start : start + BATCH_SIZE])
    summary.pathway_events += len(rows.by_model.get(PathwayEvent, []))
    summary.procedure_events += len(rows.by_model.get(ProcedureEvent, []))
    summary.journal_entries += len(rows.by_model.get(JournalEntry, []))
    summary.reviews += len(rows.by_model.get(Review, []))


@functools.cache
def table_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The fields of ``model``'s rows, in the stories' tuple order (:data:`COLUMNS`). Raises
    if these are not exactly the model's columns (less the key where the database gives it):
    a field added to a model must get a value in the stories, not a silent default."""
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    names = COLUMNS[model]
    expected = {n for n, f in by_name.items() if not (f.primary_key and n not in names)}
    if set(names) != expected or len(names) != len(expected):
        raise ValueError(f"{model.__name__}: columns {sorted(names)} ≠ fields {sorted(expected)}")
    return [by_name[name] for name in names]


def _insert(cursor: Any, model: type[models.Model], rows: list[tuple[Any, ...]]) -> None:
    """A bulk insert of ``rows``, as ``bulk_create`` would write them, in one ``executemany``
    (the databases without ``COPY``: SQLite).

    ``bulk_create`` compiles every value through the SQL compiler, most of the write time at
    this volume: this keeps each field's own conversion to the database where there is one
    (``get_db_prep_save`` of dates, times, decimals, JSON, per backend) and passes strings,
    integers, booleans and keys as they are. No ``pre_save``: the stories set every value
    themselves (keys, times, ``updated_at``); no signals: see the module's docstring."""
    db = connections[DEFAULT_DB_ALIAS]  # the object itself, not the per-thread proxy
    fields = table_fields(model)
    quote = db.ops.quote_name
    # Table and column names come from the models' metadata, quoted; values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(str(f.column)) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    convert = [
        (i, f.get_db_prep_save) for i, f in enumerate(fields) if not isinstance(f, PLAIN_FIELDS)
    ]
    if not convert:
        cursor.executemany(sql, rows)
        return
    values = []
    for row in rows:
        converted = list(row)
        for i, prep in convert:
            converted[i] = prep(converted[i], db)
        values.append(converted)
    cursor.executemany(sql, values)


def _reset_sequences() -> None:
    """Keys were given explicitly: move the sequences past them (PostgreSQL; SQLite follows
    the largest key by itself), so that the application's next inserts do not collide."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(PRESET_KEYS.values()))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _analyze() -> None:
    """Refresh the planner's statistics: written in bulk, the tables still look empty to it,
    and every page measured on the generated data would run on the plans of an empty
    database (PostgreSQL's autovacuum catches up only minutes later; SQLite never)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- Territories, organisations, accounts -----------------------------------------------------


def _place(rng: random.Random, used: set[str]) -> str:
    while True:
        name = f"{rng.choice(PLACE_PREFIXES)}-{rng.choice(PLACE_SUFFIXES)}"
        if name not in used or len(used) > 100:
            if name in used:
                name = f"{name} {len(used)}"
            used.add(name)
            return name


def _org(code: str, name: str, kind: str) -> Organisation:
    return Organisation(
        code=code, name=name, kind=kind, email=f"contact.{code.lower()}@exemple.invalid"
    )


def _build_reference(
    plan: GenerationPlan, *, seed: int, summary: GenerationSummary
) -> list[TerritoryCast]:
    rng = random.Random(f"{seed}-reference")  # noqa: S311 — not security
    password = make_password(ref.DEMO_PASSWORD)  # once, reused by every account
    n_landlords = max(3, plan.territories // 3)
    landlords = Organisation.objects.bulk_create(
        [_org(f"G-OPH{i:03d}", f"Office public de l'habitat fictif n° {i}", K.LANDLORD)
         for i in range(1, n_landlords + 1)]
    )  # fmt: skip
    departments = max(1, plan.territories // 10)
    ccapex = Organisation.objects.bulk_create(
        [_org(f"G-CCAPEX{i:02d}", f"CCAPEX du département fictif n° {i}", K.CCAPEX)
         for i in range(1, departments + 1)]
    )  # fmt: skip
    (evaluation,) = Organisation.objects.bulk_create(
        [_org("G-EVAL", "Cabinet d'évaluation fictif", K.OTHER)]
    )
    summary.organisations += len(landlords) + len(ccapex) + 1
    names: set[str] = set()
    casts = []
    for index in range(plan.territories):
        code = f"G{index + 1:03d}"
        casts.append(
            _build_territory(
                rng,
                plan,
                index=index,
                code=code,
                name=f"Territoire fictif {code} — {_place(rng, names)}",
                landlords=rng.sample(landlords, k=min(len(landlords), rng.randint(1, 3))),
                ccapex=ccapex[index % departments],
                evaluation=evaluation,
                password=password,
                summary=summary,
            )
        )
    return casts


def _build_territory(
    rng: random.Random,
    plan: GenerationPlan,
    *,
    index: int,
    code: str,
    name: str,
    landlords: list[Organisation],
    ccapex: Organisation,
    evaluation: Organisation,
    password: str,
    summary: GenerationSummary,
) -> TerritoryCast:
    local_ccapex = rng.random() < 0.5
    territory = Territory.objects.create(
        code=code,
        name=name,
        has_local_ccapex=local_ccapex,
        ccas_mdm_grouped=rng.random() < 0.3,
    )
    territory.landlords_present.set(landlords)
    communes = Commune.objects.bulk_create(
        [
            # 99: no French département; these codes cannot be a real commune's.
            Commune(insee_code=f"99{index * plan.communes_per_territory + k + 1:03d}",
                    name=f"{name.split(' — ')[1]} {k + 1}", territory=territory)
            for k in range(plan.communes_per_territory)
        ]
    )  # fmt: skip
    started_on = dt.date(2019, 6, 1) + dt.timedelta(days=rng.randrange(0, 900))
    platform = Platform.objects.create(
        territory=territory, name=f"Plateforme territoriale {code}", started_on=started_on
    )
    local = [
        _org(f"{code}-CCAS{k + 1}", f"CCAS de {c.name}", K.CCAS) for k, c in enumerate(communes)
    ]
    local += [
        _org(f"{code}-MDM", f"Maison de la Métropole {code} (fictive)", K.MDM),
        _org(f"{code}-ASSO1", f"Association Trait d'Union {code} (fictive)", K.ASSOCIATION),
        _org(f"{code}-ASSO2", f"Association Habiter Ensemble {code} (fictive)", K.ASSOCIATION),
        _org(f"{code}-SANTE", f"Équipe mobile psychiatrie-précarité {code} (fictive)", K.HEALTH),
    ]
    if local_ccapex:
        local.append(_org(f"{code}-CCAPEX", f"Sous-commission CCAPEX {code} (fictive)", K.CCAPEX))
    local = Organisation.objects.bulk_create(local)
    summary.organisations += len(local)
    members = [*landlords, ccapex, *local]
    PlatformMembership.objects.bulk_create(
        PlatformMembership(platform=platform, organisation=o, joined_on=started_on) for o in members
    )
    seed_default_rules(territory)
    by_kind: dict[str, list[Organisation]] = {}
    for org in members:
        by_kind.setdefault(org.kind, []).append(org)
    users = _build_users(rng, plan, code, by_kind, evaluation, password)
    User.territories.through.objects.bulk_create(
        User.territories.through(user_id=u.id, territory_id=territory.id) for u in users
    )
    summary.territories += 1
    summary.users += len(users)

    def grouped(role: str) -> dict[int, list[Member]]:
        out: dict[int, list[Member]] = {}
        for u in users:
            if u.role == role and u.organisation_id is not None:
                out.setdefault(u.organisation_id, []).append(Member(u.id, u.organisation_id, role))
        return out

    coordinators = [m for ms in grouped(Role.COORDINATOR).values() for m in ms]
    signallers = grouped(Role.SIGNALLER)
    return TerritoryCast(
        code=code,
        platform_id=platform.id,
        started_on=started_on,
        review_interval=platform.review_interval_months,
        commune_ids=[c.id for c in communes],
        landlords=[(o.id, o.code) for o in landlords],
        orgs_by_kind={k: [(o.id, o.code) for o in v] for k, v in by_kind.items()},
        org_code={o.id: o.code for o in members},
        coordinators=coordinators,
        signallers_by_org=signallers,
        professionals_by_org=grouped(Role.PROFESSIONAL),
        rent_recovery_by_org=grouped(Role.RENT_RECOVERY),
        any_signaller=[m for ms in signallers.values() for m in ms],
    )


def _build_users(
    rng: random.Random,
    plan: GenerationPlan,
    code: str,
    by_kind: dict[str, list[Organisation]],
    evaluation: Organisation,
    password: str,
) -> list[User]:
    """The territory's accounts: one steering, evaluation, DPO and administration account,
    one coordinator per 40 accounts (at least one), and the rest signallers (landlords'
    agencies and caretakers, CCAS, MDM), support professionals (CCAS, MDM, associations,
    landlords' social workers) and rent-recovery officers of each landlord."""
    landlords, ccas = by_kind[K.LANDLORD], by_kind[K.CCAS]
    fixed = [
        (Role.STEERING, landlords[0]),
        (Role.EVALUATOR, evaluation),
        (Role.DPO, landlords[0]),
        (Role.ADMIN, landlords[0]),
    ]
    fixed += [(Role.COORDINATOR, ccas[0])] * max(1, plan.users_per_territory // 40)
    rest = max(0, plan.users_per_territory - len(fixed))
    n_recovery = max(len(landlords), rest * 15 // 100)
    n_professional = rest * 45 // 100
    n_signaller = max(1, rest - n_recovery - n_professional)
    professional_orgs = [*ccas, *by_kind[K.MDM], *by_kind[K.ASSOCIATION], *landlords]
    signaller_orgs = [*landlords, *landlords, *ccas, *by_kind[K.MDM]]
    specs = fixed
    specs += [(Role.RENT_RECOVERY, landlords[i % len(landlords)]) for i in range(n_recovery)]
    specs += [
        (Role.PROFESSIONAL, professional_orgs[i % len(professional_orgs)])
        for i in range(n_professional)
    ]
    specs += [(Role.SIGNALLER, signaller_orgs[i % len(signaller_orgs)]) for i in range(n_signaller)]
    numbers: dict[str, int] = {}
    users = []
    for role, org in specs:
        numbers[role] = numbers.get(role, 0) + 1
        username = f"{code.lower()}-{ref.ROLE_SLUGS[role]}-{numbers[role]}"
        users.append(
            User(
                username=username,
                password=password,
                first_name=rng.choice(ref.FIRST_NAMES),
                last_name=rng.choice(ref.LAST_NAMES),
                email=f"{username}@exemple.invalid",
                organisation=org,
                role=role,
                is_demo=True,
                is_active=True,
                # What User.save() would set: the back-office is reached by role.
                is_staff=can_administer(role),
            )
        )
    return User.objects.bulk_create(users)


__all__ = [
    "SCALES",
    "GenerationPlan",
    "GenerationRefused",
    "GenerationSummary",
    "generate",
    "generate_refusal",
]
