"""The snapshot writer: the only analytics code that reads the operational tables. It writes
the Parquet files of :mod:`etage.analytics.schema` through the pseudonymisation service
(:mod:`etage.privacy.pseudonymise`): pseudonyms, codes of closed lists, amounts to 100 €,
age bands, anchored time (see :mod:`.schema`).

**Which events make the log.** Pathway events by action:

- the moves of the pathway table (:data:`etage.situations.workflow.ACTION_LABELS`) and
  ``referral_added`` (another partner signals the same household: a fact of the pathway)
  → ``pathway``; ``review`` → ``review``; ``consent_*`` → ``consent``; ``share_*`` →
  ``sharing``;
- left out: ``correction`` (a correction is not an activity: it changes the date of the fact
  it corrects, and the log carries the corrected date — following chains of corrections, the
  latest wins); ``household_updated`` (an edit of the file, not a step); the support plan,
  journal and document events (their volume would drown the process map and :data:`.schema.
  CATEGORIES` has no place for them; plan activity is counted from the support tables);
  the retention job's ``anonymised`` and ``landlord_follow_up_erased``; any action not listed.

Procedure events → ``procedure`` (activity = the kind code, ``track`` in the details). A
correction replaces the event it corrects: the corrected event is left out and the
correction carries the fact; events recorded in error (``is_void``) are left out with the
voiding correction.

**Columns computed here.** ``level`` on an event is the level in force after it (carried
forward from ``orient``/``change_level``, in the log's order). ``meeting`` comes from
``Decision.pathway_event``, else from a ``meeting_id`` in the payload (the assessment and
the reviews recorded in session). ``role`` is the actor's role, ``resource`` the kind of the
actor's organisation ("" for imports and the retention job). ``referent_changes`` counts the
changes of lead professional recorded in ``orient``/``change_level`` payloads (the only way
the product changes it). ``entry_debt_months`` is the first arrears balance's months of rent
(or amount / rent), to half a month. ``observed_until_day`` is snapshot day − identification.

**Purged situations** (anonymised by the retention job, or deleted) leave the snapshot with
their events: indicators that must survive purges are stored as rows by ``etage_indicators``;
and the anonymisation moves every date to the first of its month, which would bias intervals.

**Incremental runs.** ``manifest.json`` holds, per source table, the highest primary key
already written. A run appends one part with the events above those watermarks (and below
the maximum read at the start, so events recorded meanwhile wait for the next run). A case
whose dates changed (a new pathway correction, a new procedure correction) or that received a
new level (its date of the fact may precede events already written) is written again whole
in the new part, its rows removed from the older parts, with their ``seq`` kept; the
rows of purged cases are removed the same way. ``seq`` numbers events in recording order
(``recorded_at``, pathway before procedure, primary key). A different pseudonym key (its
fingerprint), another schema version or ``full=True`` rebuild everything.

Every file is written in a staging directory first and moved in place at the end (the
manifest last), so a failed run leaves the previous snapshot as it was. Known limit: an event
whose transaction commits after a run read a higher key of its table is never picked up by
an incremental run (the nightly ``full`` rebuild of a quiet hour catches it).
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import multiprocessing
import os
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.db import connection, connections
from django.db.models import Count, Max, Q
from django.utils import timezone

from etage.analytics import schema
from etage.analytics.store import snapshot_dir
from etage.households.models import Person
from etage.meetings.models import AgendaItem, Decision, Meeting
from etage.privacy.pseudonymise import (
    age_band,
    codes,
    key_fingerprint,
    month,
    pseudonymiser,
    rounded,
)
from etage.procedures.models import ArrearsBalance, ProcedureEvent
from etage.situations.choices import SENSITIVE_DIFFICULTIES
from etage.situations.models import PathwayEvent, Share, Situation, SituationDifficulty
from etage.situations.workflow import ACTION_LABELS, orientation_is_level

#: Situations per round trip: every query of a round covers one range of situation keys.
CHUNK = 2000
#: From this many live situations, the cases are written by one process per core (at most
#: MAX_WORKERS): a national snapshot is many minutes of Python in one process (docs/performance.md).
PARALLEL_FROM = 50_000
MAX_WORKERS = 4
COMPRESSION = "zstd"
MEMORY_LIMIT = "512MB"
_BATCH = 50_000
_PART = re.compile(r"^part-(\d{5})\.parquet$")
_EPOCH = dt.date(1970, 1, 1).toordinal()
_DAY_US = 86_400_000_000

CATEGORY_OF: dict[str, str] = {
    **dict.fromkeys(ACTION_LABELS, "pathway"),
    "referral_added": "pathway",
    "review": "review",
    "consent_recorded": "consent",
    "consent_withdrawn": "consent",
    "share_granted": "sharing",
    "share_revoked": "sharing",
}
LEVEL_ACTIONS = ("orient", "change_level")
#: Sources that are the landlord's own staff (the caretaker is the landlord's employee): the
#: "identified by partners other than the landlord" indicator counts the others.
LANDLORD_SOURCES = ("landlord_agency", "rent_recovery", "caretaker")
FOLLOW_UPS = {"follow_up_6": 6, "follow_up_12": 12}
#: Pathway events every run reads for every situation (level, referent, follow-up columns).
_ALWAYS = (*LEVEL_ACTIONS, *FOLLOW_UPS, "correction")
_YES_NO: dict[Any, bool] = {"yes": True, "no": False}

#: Columns of the staging file of events: the schema's, without ``seq`` (numbered at the end
#: over the recording-order key ``_rec, _tbl, _pk``), with the ``seq`` kept for rewritten cases.
_RAW = pa.schema(
    [f for f in schema.EVENTS if f.name != "seq"]
    + [
        pa.field("_rec", pa.int64()),
        pa.field("_tbl", pa.int8()),
        pa.field("_pk", pa.int64()),
        pa.field("_old_seq", pa.int64()),
    ]
)


@dataclass(frozen=True)
class SnapshotReport:
    directory: Path
    full: bool
    situations: int
    meetings: int
    events_written: int
    events_total: int
    parts: int
    cases_rewritten: int
    cases_removed: int


@dataclass
class _Old:
    """What the previous snapshot says."""

    watermarks: dict[str, int]
    last_seq: int
    parts: list[Path]
    case_ids: set[str]


@dataclass
class _Run:
    today: dt.date
    full: bool
    wm_old: dict[str, int]
    wm_new: dict[str, int]
    affected: set[int]  # situations written again whole
    old_seq: dict[str, int] = field(default_factory=dict)
    p_situation: Any = None
    p_event: Any = None
    p_procedure: Any = None
    p_household: Any = None
    p_tenancy: Any = None
    p_user: Any = None
    p_meeting: Any = None


def _us(day: dt.date) -> int:
    return (day.toordinal() - _EPOCH) * _DAY_US


def _anchor_shift(identified_on: dt.date) -> int:
    """Days to subtract so that identification falls on the first of its month."""
    return identified_on.day - 1


def _days(day: dt.date | None, start: dt.date) -> int | None:
    return None if day is None else (day - start).days


def _rec(moment: dt.datetime | None) -> int:
    if moment is None:
        return 0
    delta = moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # integers: no float rounding
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _half_months(value: Decimal | None) -> float | None:
    if value is None:
        return None
    return float((Decimal(value) * 2).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 2)


def network_profile(has_local_ccapex: bool, ccas_mdm_grouped: bool) -> str:
    flags = [
        name for on, name in ((has_local_ccapex, "ccapex"), (ccas_mdm_grouped, "grouped")) if on
    ]
    return "+".join(flags) or "basic"


def _iso(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


# --- The previous snapshot -------------------------------------------------------------------


def _read_old(directory: Path, fingerprint: str) -> _Old | None:
    path = directory / "manifest.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("key_fingerprint") != fingerprint or data.get("schema_version") != (
        schema.SCHEMA_VERSION
    ):
        return None
    parts = sorted(p for p in (directory / "events").glob("part-*.parquet") if _PART.match(p.name))
    situations = directory / "situations.parquet"
    if not parts or not situations.exists():
        return None
    case_ids = set(pq.read_table(situations, columns=["case_id"]).column(0).to_pylist())
    return _Old(
        watermarks={k: int(v) for k, v in data.get("watermarks", {}).items()},
        last_seq=int(data.get("last_seq", 0)),
        parts=parts,
        case_ids=case_ids,
    )


def _rewrite_old_parts(old: _Old, drop: set[str], staging: Path, run: _Run) -> list[str]:
    """Copies of the older parts without the rows of ``drop`` (the seq of the rows of cases
    written again is remembered). Returns the names of the parts rewritten."""
    rewritten: list[str] = []
    if not drop:
        return rewritten
    drop_array = pa.array(sorted(drop), pa.string())
    for part in old.parts:
        cases = pq.read_table(part, columns=["case_id"]).column(0)
        if not pc.any(pc.is_in(cases, value_set=drop_array)).as_py():
            continue
        table = pq.read_table(part, schema=schema.EVENTS)
        dropped = pc.is_in(table.column("case_id"), value_set=drop_array)
        gone = table.filter(dropped)
        for event_id, seq in zip(
            gone.column("event_id").to_pylist(), gone.column("seq").to_pylist(), strict=True
        ):
            run.old_seq[event_id] = seq
        pq.write_table(
            table.filter(pc.invert(dropped)),
            staging / "events" / part.name,
            compression=COMPRESSION,
        )
        rewritten.append(part.name)
    return rewritten


# --- Reading the operational tables ------------------------------------------------------------

_SITUATION_FIELDS = (
    "id",
    "household_id",
    "tenancy_id",
    "lead_professional_id",
    "platform__territory__code",
    "platform__territory__has_local_ccapex",
    "platform__territory__ccas_mdm_grouped",
    "landlord__code",
    "tenancy__commune__insee_code",
    "referent_organisation__kind",
    "status",
    "source",
    "urgency",
    "entry_stage",
    "entry_debt",
    "exit_debt",
    "contact_outcome",
    "orientation",
    "level",
    "outcome",
    "housing_status",
    "household__adults",
    "household__children",
    "household__resources_band",
    "identified_on",
    "first_contact_on",
    "assessed_on",
    "oriented_on",
    "support_started_on",
    "closed_on",
)
_PATHWAY_FIELDS = (
    "id",
    "situation_id",
    "action",
    "from_status",
    "to_status",
    "occurred_on",
    "recorded_at",
    "organisation__kind",
    "actor__role",
    "payload",
    "corrects_id",
)
_PROCEDURE_FIELDS = (
    "id",
    "situation_id",
    "track",
    "kind",
    "occurred_on",
    "recorded_at",
    "organisation__kind",
    "recorded_by__role",
    "details",
    "corrects_id",
    "is_void",
)


def _live() -> Any:
    return Situation.objects.filter(purged_on__isnull=True)


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _grouped(rows: Iterable[tuple[Any, ...]]) -> dict[int, list[tuple[Any, ...]]]:
    out: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        out[row[1]].append(row)
    return out


def _chunk_facts(
    chunk: list[tuple[Any, ...]], run: _Run
) -> tuple[dict[str, Any], dict[int, list[tuple[Any, ...]]], dict[int, list[tuple[Any, ...]]]]:
    """The rows of every related table for one range of situations: one query each."""
    lo, hi = chunk[0][0], chunk[-1][0]
    in_range = {"situation_id__gte": lo, "situation_id__lte": hi}
    ids = {row[0] for row in chunk}
    difficulties: dict[int, list[str]] = defaultdict(list)
    for sid, code in SituationDifficulty.objects.filter(**in_range).values_list(
        "situation_id", "code"
    ):
        if code not in SENSITIVE_DIFFICULTIES:
            difficulties[sid].append(code)
    holders: dict[int, int | None] = {}
    households = {row[1] for row in chunk}
    for household_id, birth_year in (
        Person.objects.filter(household_id__in=households)
        .order_by("household_id", "id")
        .values_list("household_id", "birth_year")
    ):
        holders.setdefault(household_id, birth_year)
    partners = dict(
        Share.objects.filter(is_active=True, **in_range)
        .values("situation_id")
        .annotate(n=Count("organisation_id", distinct=True))
        .values_list("situation_id", "n")
    )
    first_balance: dict[int, tuple[Any, ...]] = {}
    for sid, months, amount, rent in (
        ArrearsBalance.objects.filter(**in_range)
        .order_by("situation_id", "on", "id")
        .values_list("situation_id", "months", "amount", "monthly_rent")
    ):
        first_balance.setdefault(sid, (months, amount, rent))
    decisions = dict(
        Decision.objects.filter(
            pathway_event__situation_id__gte=lo, pathway_event__situation_id__lte=hi
        ).values_list("pathway_event_id", "agenda_item__meeting_id")
    )
    pathway = PathwayEvent.objects.filter(id__lte=run.wm_new["pathway_event"], **in_range)
    procedure = ProcedureEvent.objects.filter(id__lte=run.wm_new["procedure_event"], **in_range)
    if not run.full:
        rewritten = [sid for sid in ids if sid in run.affected]
        pathway = pathway.filter(
            Q(action__in=_ALWAYS)
            | Q(id__gt=run.wm_old["pathway_event"])
            | Q(situation_id__in=rewritten)
        )
        procedure = procedure.filter(
            Q(id__gt=run.wm_old["procedure_event"]) | Q(situation_id__in=rewritten)
        )
    facts = {
        "difficulties": difficulties,
        "holders": holders,
        "partners": partners,
        "first_balance": first_balance,
        "decisions": decisions,
    }
    return (
        facts,
        _grouped(pathway.order_by("situation_id", "id").values_list(*_PATHWAY_FIELDS)),
        _grouped(procedure.order_by("situation_id", "id").values_list(*_PROCEDURE_FIELDS)),
    )


# --- One case ----------------------------------------------------------------------------------


class _Columns:
    def __init__(self, arrow_schema: pa.Schema) -> None:
        self.schema = arrow_schema
        self.data: dict[str, list[Any]] = {f.name: [] for f in arrow_schema}

    def add(self, row: dict[str, Any]) -> None:
        for name, values in self.data.items():
            values.append(row[name])

    def __len__(self) -> int:
        return len(self.data[self.schema.names[0]])

    def table(self) -> pa.Table:
        return pa.Table.from_pydict(self.data, schema=self.schema)


#: The order of the values :func:`_case`'s ``emit`` gives each event (checked against the
#: staging schema below): a tuple per event, transposed once per chunk, costs a fraction of
#: a dictionary per event spread over twenty lists (millions of events at national scale).
_RAW_ORDER = (
    "event_id",
    "case_id",
    "activity",
    "category",
    "timestamp",
    "day",
    "month",
    "from_status",
    "to_status",
    "resource",
    "role",
    "territory",
    "landlord",
    "level",
    "meeting",
    "details",
    "_rec",
    "_tbl",
    "_pk",
    "_old_seq",
)
assert tuple(_RAW.names) == _RAW_ORDER, "emit's tuple order must follow _RAW"


class _Rows:
    """The staged events of one chunk, one tuple per event in :data:`_RAW_ORDER`."""

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []
        self.append = self.rows.append

    def __len__(self) -> int:
        return len(self.rows)

    def table(self) -> pa.Table:
        columns = zip(*self.rows, strict=True) if self.rows else ([] for _ in _RAW_ORDER)
        return pa.Table.from_arrays(
            [pa.array(list(c), type=f.type) for c, f in zip(columns, _RAW, strict=True)],
            schema=_RAW,
        )


def _case(
    sit: tuple[Any, ...],
    facts: dict[str, Any],
    pathway: Sequence[tuple[Any, ...]],
    procedure: Sequence[tuple[Any, ...]],
    run: _Run,
    events_out: _Rows,
) -> dict[str, Any]:
    s = dict(zip(_SITUATION_FIELDS, sit, strict=True))
    sid: int = s["id"]
    identified: dt.date = s["identified_on"]
    shift = _anchor_shift(identified)
    case_id = run.p_situation(sid)
    territory, landlord = s["platform__territory__code"], s["landlord__code"]
    rewrite = run.full or sid in run.affected

    # Corrected dates: a correction's "to" applies to the root of its chain; the latest wins.
    corrections = {e[0]: e for e in pathway if e[2] == "correction"}
    corrected: dict[int, dt.date] = {}
    for e in sorted(corrections.values()):
        target = e[10]
        while target in corrections:
            target = corrections[target][10]
        new_date = _iso((e[9] or {}).get("to"))
        if target is not None and new_date is not None:
            corrected[target] = new_date

    def when(e: tuple[Any, ...]) -> dt.date:
        return corrected.get(e[0], e[5])

    # Level and lead professional, in the log's order.
    level_keys: list[tuple[dt.date, int, int, int]] = []
    levels: list[str] = []
    level_changes = referent_changes = 0
    lead: Any = None
    for e in sorted(
        (e for e in pathway if e[2] in LEVEL_ACTIONS), key=lambda e: (when(e), _rec(e[6]), e[0])
    ):
        payload = e[9] or {}
        if e[2] == "orient":
            orientation = payload.get("orientation", "")
            level = orientation if orientation_is_level(orientation) else ""
        else:
            level = str(payload.get("level", ""))
            level_changes += 1
        level_keys.append((when(e), _rec(e[6]), 0, e[0]))
        levels.append(level)
        new_lead = payload.get("lead_professional_id")
        if new_lead:
            if lead is not None and new_lead != lead:
                referent_changes += 1
            lead = new_lead

    def level_at(key: tuple[dt.date, int, int, int]) -> str:
        index = bisect.bisect_right(level_keys, key)
        return levels[index - 1] if index else ""

    follow_up: dict[int, dict[str, Any]] = {}
    for e in pathway:
        if e[2] in FOLLOW_UPS:
            follow_up[FOLLOW_UPS[e[2]]] = e[9] or {}

    shift_us = shift * _DAY_US
    append = events_out.append

    def emit(
        event_id: str,
        key: tuple[dt.date, int, int, int],
        activity: str,
        category: str,
        from_status: str,
        to_status: str,
        resource: str,
        role: str,
        meeting: str,
        details: list[tuple[str, str]],
    ) -> None:
        day = key[0]
        append(
            (
                event_id,
                case_id,
                activity,
                category,
                _us(day) - shift_us,
                (day - identified).days,
                month(day),
                from_status,
                to_status,
                resource,
                role,
                territory,
                landlord,
                level_at(key),
                meeting,
                details,
                key[1],
                key[2],
                key[3],
                run.old_seq.get(event_id),
            )
        )

    for e in pathway:
        category = CATEGORY_OF.get(e[2])
        if category is None or not (rewrite or e[0] > run.wm_old["pathway_event"]):
            continue
        payload = e[9] or {}
        meeting = facts["decisions"].get(e[0]) or payload.get("meeting_id")
        emit(
            run.p_event(e[0]),
            (when(e), _rec(e[6]), 0, e[0]),
            e[2],
            category,
            from_status=e[3],
            to_status=e[4],
            resource=e[7] or "",
            role=e[8] or "",
            meeting=run.p_meeting(meeting) if isinstance(meeting, int) else "",
            details=list(codes(payload).items()),
        )
    replaced = {e[9] for e in procedure if e[9] is not None}
    for e in procedure:
        if e[10] or e[0] in replaced:
            continue
        if not (rewrite or e[0] > run.wm_old["procedure_event"]):
            continue
        emit(
            run.p_procedure(e[0]),
            (e[4], _rec(e[5]), 1, e[0]),
            e[3],
            "procedure",
            from_status="",
            to_status="",
            resource=e[6] or "",
            role=e[7] or "",
            meeting="",
            details=sorted({**codes(e[8]), "track": e[2]}.items()),
        )

    balance = facts["first_balance"].get(sid)
    entry_months = None
    if balance is not None:
        months, amount, rent = balance
        if months is None and rent:
            months = Decimal(amount) / Decimal(rent)
        entry_months = _half_months(months)
    f6, f12 = follow_up.get(6, {}), follow_up.get(12, {})
    return {
        "case_id": case_id,
        "household": run.p_household(s["household_id"]),
        "dwelling": run.p_tenancy(s["tenancy_id"]),
        "referent": run.p_user(s["lead_professional_id"]),
        "territory": territory,
        "network_profile": network_profile(
            s["platform__territory__has_local_ccapex"], s["platform__territory__ccas_mdm_grouped"]
        ),
        "landlord": landlord,
        "commune_insee": s["tenancy__commune__insee_code"],
        "referent_kind": s["referent_organisation__kind"] or "",
        "status": s["status"],
        "source": s["source"],
        "source_is_landlord": s["source"] in LANDLORD_SOURCES,
        "urgency": s["urgency"],
        "entry_stage": s["entry_stage"],
        "entry_debt": rounded(s["entry_debt"]),
        "entry_debt_months": entry_months,
        "exit_debt": rounded(s["exit_debt"]),
        "contact_outcome": s["contact_outcome"],
        "orientation": s["orientation"],
        "level": s["level"],
        "outcome": s["outcome"],
        "housing_status": s["housing_status"],
        "difficulties": sorted(facts["difficulties"].get(sid, [])),
        "adults": s["household__adults"],
        "children": s["household__children"],
        "resources_band": s["household__resources_band"],
        "holder_age_band": age_band(facts["holders"].get(s["household_id"]), identified),
        "partners": facts["partners"].get(sid, 0),
        "level_changes": level_changes,
        "referent_changes": referent_changes,
        "identified_at": _us(identified) - shift * _DAY_US,
        "identified_month": month(identified),
        "first_contact_day": _days(s["first_contact_on"], identified),
        "assessed_day": _days(s["assessed_on"], identified),
        "oriented_day": _days(s["oriented_on"], identified),
        "support_started_day": _days(s["support_started_on"], identified),
        "closed_day": _days(s["closed_on"], identified),
        "closed_month": month(s["closed_on"]),
        "follow_up_6_housed": _YES_NO.get(f6.get("still_housed")),
        "follow_up_6_arrears_over_3m": _YES_NO.get(f6.get("arrears_over_3_months")),
        "follow_up_12_housed": _YES_NO.get(f12.get("still_housed")),
        "follow_up_12_arrears_over_3m": _YES_NO.get(f12.get("arrears_over_3_months")),
        "observed_until_day": (run.today - identified).days,
    }


# --- The run -------------------------------------------------------------------------------------


def _meetings(case_of: dict[int, str], run: _Run) -> pa.Table:
    agenda: dict[int, list[str]] = defaultdict(list)
    for meeting_id, situation_id in AgendaItem.objects.order_by("meeting_id", "id").values_list(
        "meeting_id", "situation_id"
    ):
        if situation_id in case_of:
            agenda[meeting_id].append(case_of[situation_id])
    out = _Columns(schema.MEETINGS)
    for pk, starts_at, territory, status in (
        Meeting.objects.order_by("starts_at", "id")
        .values_list("id", "starts_at", "platform__territory__code", "status")
        .iterator(chunk_size=CHUNK)
    ):
        day = timezone.localtime(starts_at).date()
        out.add(
            {
                "meeting": run.p_meeting(pk),
                "territory": territory,
                "held_month": month(day),
                "timestamp": _us(day.replace(day=1)),
                "status": status,
                "situations": agenda.get(pk, []),
            }
        )
    return out.table()


def _number_events(raw: list[Path], target: Path, last_seq: int) -> tuple[int, int]:
    """Give ``seq`` to the staged events (recording order after ``last_seq``, or the seq they
    had) and write them ordered by case, time and seq. Returns (rows, highest seq).

    Two sorts streamed out of DuckDB (they spill to disk past :data:`MEMORY_LIMIT`, where a
    window over the whole log would not), the numbering in between in Python, batch by batch.
    """
    con = duckdb.connect(database=":memory:")
    con.execute("SET threads TO 2")
    con.execute("SET TimeZone = 'UTC'")
    # The sort of a national log must not take the web workers' memory: spill to disk instead.
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    spill = (raw[0].parent / "duckdb-spill").as_posix().replace("'", "''")
    con.execute(f"SET temp_directory = '{spill}'")
    names = schema.EVENTS.names
    columns = ", ".join(name for name in names if name != "seq")
    numbered = raw[0].with_name("events-numbered.parquet")
    files = ", ".join(f"'{_sql_path(path)}'" for path in raw)
    top = last_seq
    # The recording-order key is total: the same order whichever process staged which rows.
    in_recording_order = con.sql(
        f"SELECT {columns}, _old_seq FROM read_parquet([{files}]) "  # noqa: S608
        "ORDER BY _old_seq IS NOT NULL, _rec, _tbl, _pk"
    )
    with pq.ParquetWriter(numbered, schema.EVENTS, compression=COMPRESSION) as writer:
        for batch in in_recording_order.to_arrow_reader(_BATCH):
            old = batch.column("_old_seq").to_numpy(zero_copy_only=False)
            fresh = np.isnan(old.astype("float64"))
            counter = top + np.cumsum(fresh)
            seq = np.where(fresh, counter, np.nan_to_num(old)).astype("int64")
            if len(seq):
                top = max(top, int(seq.max()))
            table = pa.Table.from_batches([batch]).drop_columns(["_old_seq"])
            table = table.append_column("seq", pa.array(seq, pa.int64()))
            writer.write_table(table.select(names).cast(schema.EVENTS))
    rows = 0
    in_log_order = con.sql(
        f"SELECT * FROM read_parquet('{_sql_path(numbered)}') "  # noqa: S608
        "ORDER BY case_id, timestamp, seq"
    )
    with pq.ParquetWriter(target, schema.EVENTS, compression=COMPRESSION) as writer:
        for batch in in_log_order.to_arrow_reader(_BATCH):
            table = pa.Table.from_batches([batch]).select(names).cast(schema.EVENTS)
            rows += table.num_rows
            writer.write_table(table)
    con.close()
    return rows, top


def _sql_path(path: Path) -> str:
    return path.as_posix().replace("'", "''")


def _max_id(model: Any) -> int:
    return int(model.objects.aggregate(m=Max("id"))["m"] or 0)


def _touched(run: _Run) -> tuple[set[int], set[int]]:
    """Situations with events above the watermarks, and those of them whose dates changed."""
    p_new = PathwayEvent.objects.filter(
        id__gt=run.wm_old["pathway_event"], id__lte=run.wm_new["pathway_event"]
    )
    q_new = ProcedureEvent.objects.filter(
        id__gt=run.wm_old["procedure_event"], id__lte=run.wm_new["procedure_event"]
    )
    touched = set(p_new.values_list("situation_id", flat=True).distinct())
    touched |= set(q_new.values_list("situation_id", flat=True).distinct())
    # A correction moves dates; a level decided with an earlier date of the fact than events
    # already written changes the level in force on them: both rewrite the case.
    changed = set(
        p_new.filter(action__in=("correction", *LEVEL_ACTIONS))
        .values_list("situation_id", flat=True)
        .distinct()
    )
    changed |= set(
        q_new.filter(corrects__isnull=False).values_list("situation_id", flat=True).distinct()
    )
    return touched, changed


# --- The cases, in one process or several ---------------------------------------------------


def _workers(live: int) -> int:
    """Processes writing the cases: one per core from :data:`PARALLEL_FROM` live situations on
    PostgreSQL, outside any transaction (the processes each read through their own
    connection, which would not see the caller's uncommitted rows); one otherwise (SQLite,
    tests, the demo). The cases are independent and their staging order does not matter
    (:func:`_number_events` sorts by the recording-order key), so the output is the same."""
    if live < PARALLEL_FROM or connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def _key_ranges(ids: list[int], parts: int) -> list[tuple[int, int]]:
    """``parts`` ranges of consecutive keys, as even in situations as the keys allow."""
    if not ids:
        return [(0, -1)]
    size = -(-len(ids) // parts)
    return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]


def _write_cases(staging: Path, index: int, keys: tuple[int, int], run: _Run) -> None:
    """The situations with keys in ``keys`` (bounds included), chunk by chunk, into
    ``situations-<index>.parquet`` and their events into ``events-raw-<index>.parquet``."""
    situations_out = pq.ParquetWriter(
        staging / f"situations-{index}.parquet", schema.SITUATIONS, compression=COMPRESSION
    )
    raw_out = pq.ParquetWriter(
        staging / f"events-raw-{index}.parquet", _RAW, compression=COMPRESSION
    )
    with raw_out, situations_out:
        rows = (
            _live()
            .filter(id__gte=keys[0], id__lte=keys[1])
            .order_by("id")
            .values_list(*_SITUATION_FIELDS)
            .iterator(CHUNK)
        )
        for chunk in _chunks(rows, CHUNK):
            facts, pathway, procedure = _chunk_facts(chunk, run)
            cases = _Columns(schema.SITUATIONS)
            events = _Rows()
            for sit in chunk:
                cases.add(
                    _case(
                        sit,
                        facts,
                        pathway.get(sit[0], ()),
                        procedure.get(sit[0], ()),
                        run,
                        events,
                    )
                )
            situations_out.write_table(cases.table())
            raw_out.write_table(events.table())


def _write_cases_in_processes(staging: Path, ranges: list[tuple[int, int]], run: _Run) -> None:
    """:func:`_write_cases` for each range in its own process (forked: the run, its
    pseudonymisers and the settings are inherited as they are, nothing is pickled). The
    parent's connection is closed first so that no process shares its socket; each child
    opens its own. A child that fails fails the run (the staging directory is then removed)."""
    connections.close_all()
    context = multiprocessing.get_context("fork")
    children = [
        context.Process(
            target=_write_cases, args=(staging, i, keys, run), name=f"etage-snapshot-{i}"
        )
        for i, keys in enumerate(ranges)
    ]
    for child in children:
        child.start()
    for child in children:
        child.join()
    failed = [child.name for child in children if child.exitcode != 0]
    if failed:
        raise RuntimeError(f"snapshot: {', '.join(failed)} failed (see its error above)")


def _join_situations(staging: Path, parts: int) -> int:
    """The parts' situations, in key order, into ``situations.parquet``; their number."""
    target = staging / "situations.parquet"
    situations = 0
    with pq.ParquetWriter(target, schema.SITUATIONS, compression=COMPRESSION) as out:
        for i in range(parts):
            part = staging / f"situations-{i}.parquet"
            table = pq.read_table(part, schema=schema.SITUATIONS)
            out.write_table(table)
            situations += table.num_rows
            part.unlink()
    return situations


def write_snapshot(directory: Path | None = None, *, full: bool = False) -> SnapshotReport:
    """Write (or bring up to date) the snapshot in ``directory`` (settings by default)."""
    directory = Path(directory) if directory is not None else snapshot_dir()
    (directory / "events").mkdir(parents=True, exist_ok=True)
    fingerprint = key_fingerprint()
    old = None if full else _read_old(directory, fingerprint)
    full = old is None
    run = _Run(
        today=timezone.localdate(),
        full=full,
        wm_old=dict(old.watermarks) if old else {},
        wm_new={
            "pathway_event": _max_id(PathwayEvent),
            "procedure_event": _max_id(ProcedureEvent),
        },
        affected=set(),
    )
    for table in ("pathway_event", "procedure_event"):
        run.wm_old.setdefault(table, 0)
    run.p_situation = pseudonymiser("situation")
    run.p_event = pseudonymiser("pathway_event")
    run.p_procedure = pseudonymiser("procedure_event")
    run.p_household = pseudonymiser("household")
    run.p_tenancy = pseudonymiser("tenancy")
    run.p_user = pseudonymiser("user")
    run.p_meeting = pseudonymiser("meeting")

    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=directory))
    try:
        (staging / "events").mkdir()
        live_ids = list(_live().order_by("id").values_list("id", flat=True).iterator(CHUNK * 5))
        case_of = {sid: run.p_situation(sid) for sid in live_ids}
        removed: set[str] = set()
        rewritten: list[str] = []
        if old is not None:
            _, run.affected = _touched(run)
            run.affected &= case_of.keys()
            removed = old.case_ids - set(case_of.values())
            drop = removed | {case_of[sid] for sid in run.affected}
            rewritten = _rewrite_old_parts(old, drop, staging, run)

        ranges = _key_ranges(live_ids, _workers(len(live_ids)))
        if len(ranges) == 1:
            _write_cases(staging, 0, ranges[0], run)
        else:
            _write_cases_in_processes(staging, ranges, run)
        situations = _join_situations(staging, len(ranges))
        raw = [staging / f"events-raw-{i}.parquet" for i in range(len(ranges))]
        pq.write_table(
            _meetings(case_of, run), staging / "meetings.parquet", compression=COMPRESSION
        )

        existing = [] if old is None else [p.name for p in old.parts]
        number = 1 + max((int(_PART.match(n).group(1)) for n in existing), default=0)  # type: ignore[union-attr]
        new_part = f"part-{number:05d}.parquet"
        written, last_seq = _number_events(
            raw, staging / "events" / new_part, old.last_seq if old else 0
        )
        keep_new = written > 0 or not existing
        parts = [*existing, new_part] if keep_new else existing
        meetings = pq.read_metadata(staging / "meetings.parquet").num_rows

        # Move in place: events first, the situations and meetings, the manifest last.
        for name in rewritten:
            os.replace(staging / "events" / name, directory / "events" / name)
        if keep_new:
            os.replace(staging / "events" / new_part, directory / "events" / new_part)
        for stale in (directory / "events").glob("*.parquet"):
            if stale.name not in parts:
                stale.unlink()
        for name in ("situations.parquet", "meetings.parquet"):
            os.replace(staging / name, directory / name)
        total = sum(pq.read_metadata(directory / "events" / p).num_rows for p in parts)
        manifest = {
            "schema_version": schema.SCHEMA_VERSION,
            "created_at": timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds"),
            "key_fingerprint": fingerprint,
            "watermarks": run.wm_new,
            "last_seq": last_seq,
            "parts": parts,
            "rows": {"situations": situations, "events": total, "meetings": meetings},
        }
        (staging / "manifest.json").write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        os.replace(staging / "manifest.json", directory / "manifest.json")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return SnapshotReport(
        directory=directory,
        full=full,
        situations=situations,
        meetings=meetings,
        events_written=written,
        events_total=total,
        parts=len(parts),
        cases_rewritten=len(run.affected),
        cases_removed=len(removed),
    )
