"""Seeded random event logs in the snapshot format (etage/analytics/schema.py), for tests.

Every analytics test builds its snapshot here instead of going through the operational
tables: the generator covers what breaks naive process mining — events sharing a timestamp
(ordered by ``seq``, which is *not* the alphabetical order of their activities), single-event
cases, open (censored) cases, competing closure outcomes, procedure facts dated before the
identification, consent and sharing events outside the process categories — and writes the
event rows shuffled, so that every consumer has to sort by ``(case_id, timestamp, seq)``.

``write_log`` writes hand-made rows (a broken log for the quality panel, a tiny log for the
compliance rules), filling every column it is not given with a plausible default.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from etage.analytics import schema

UTC = dt.UTC
DAY = 86_400
SNAPSHOT_DATE = dt.datetime(2025, 1, 1, tzinfo=UTC)

TERRITORIES = ("T1", "T2", "T3")
NETWORK_PROFILES = {"T1": "ccapex+grouped", "T2": "ccapex", "T3": "grouped"}
LANDLORDS = ("OPH-A", "OPH-B", "OPH-C")
COMMUNES = {"T1": ("69123", "69266"), "T2": ("69256", "69259"), "T3": ("69290", "69286")}
LEVELS = ("advice", "coordination", "agr")
#: Competing closure outcomes of a case that went into support.
SUPPORT_OUTCOMES = (
    "housed_no_procedure",
    "housed_after_procedure",
    "rehoused",
    "left",
    "evicted",
    "refused",
)
PROCEDURE_CHAIN = (
    "arrears_observed",
    "reminder",
    "commandement_de_payer",
    "summons",
    "hearing",
    "judgment",
)
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@dataclass
class BuiltLog:
    """What :func:`build_log` / :func:`write_log` wrote (rows as dicts, in schema order)."""

    directory: Path
    situations: list[dict[str, Any]]
    events: list[dict[str, Any]]
    meetings: list[dict[str, Any]]
    snapshot_date: dt.datetime = SNAPSHOT_DATE
    manifest: dict[str, Any] = field(default_factory=dict)

    def ordered_events(self, categories: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Events in the one order every consumer uses: (case_id, timestamp, seq)."""
        wanted = set(categories) if categories is not None else None
        rows = [e for e in self.events if wanted is None or e["category"] in wanted]
        return sorted(rows, key=lambda e: (e["case_id"], e["timestamp"], e["seq"]))

    def traces(self, categories: Iterable[str] | None = None) -> dict[str, list[str]]:
        """case_id → activities in order (cases without such events are absent)."""
        out: dict[str, list[str]] = {}
        for event in self.ordered_events(categories):
            out.setdefault(event["case_id"], []).append(event["activity"])
        return out


def _pseudonym(rng: random.Random) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(12))  # as PSEUDONYM_LENGTH


def _month(moment: dt.datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def situation_defaults(case_id: str, identified_at: dt.datetime) -> dict[str, Any]:
    """A plausible open situation identified at ``identified_at`` with no step after."""
    observed = (SNAPSHOT_DATE - identified_at).days
    return {
        "case_id": case_id,
        "household": f"H{case_id}"[:12],
        "dwelling": f"D{case_id}"[:12],
        "referent": "",
        "territory": "T1",
        "network_profile": NETWORK_PROFILES["T1"],
        "landlord": LANDLORDS[0],
        "commune_insee": COMMUNES["T1"][0],
        "referent_kind": "",
        "status": "identified",
        "source": "landlord_agency",
        "source_is_landlord": True,
        "urgency": "normal",
        "entry_stage": "none",
        "entry_debt": 1200,
        "entry_debt_months": 2.5,
        "exit_debt": None,
        "contact_outcome": "",
        "orientation": "",
        "level": "",
        "outcome": "",
        "housing_status": "",
        "difficulties": ["rent_arrears"],
        "adults": 1,
        "children": 0,
        "resources_band": "rsa",
        "holder_age_band": "40-49",
        "partners": 1,
        "level_changes": 0,
        "referent_changes": 0,
        "identified_at": identified_at,
        "identified_month": _month(identified_at),
        "first_contact_day": None,
        "assessed_day": None,
        "oriented_day": None,
        "support_started_day": None,
        "closed_day": None,
        "closed_month": "",
        "follow_up_6_housed": None,
        "follow_up_6_arrears_over_3m": None,
        "follow_up_12_housed": None,
        "follow_up_12_arrears_over_3m": None,
        "observed_until_day": observed,
    }


def event_defaults(
    case_id: str,
    activity: str,
    timestamp: dt.datetime | None,
    identified_at: dt.datetime,
    seq: int,
) -> dict[str, Any]:
    return {
        "event_id": f"E{seq:011d}",
        "case_id": case_id,
        "activity": activity,
        "category": "pathway",
        "timestamp": timestamp,
        # A missing date (the quality panel's tests) has no day nor month either.
        "day": None if timestamp is None else (timestamp - identified_at) // dt.timedelta(days=1),
        "month": "" if timestamp is None else _month(timestamp),
        "seq": seq,
        "from_status": "",
        "to_status": "",
        "resource": "association",
        "role": "professional",
        "territory": "T1",
        "landlord": LANDLORDS[0],
        "level": "",
        "meeting": "",
        "details": [],
    }


class _Case:
    """One generated pathway: appends events as time moves forward, stops at the horizon."""

    def __init__(self, rng: random.Random, row: dict[str, Any], ties: bool) -> None:
        self.rng, self.row, self.ties = rng, row, ties
        self.start: dt.datetime = row["identified_at"]
        self.horizon = row["observed_until_day"] * DAY  # seconds from identification
        self.t = 0
        self.status = ""
        self.level = ""
        self.events: list[dict[str, Any]] = []

    def gap(self, low_days: float, high_days: float, *, tie_chance: float = 0.0) -> int:
        if self.ties and self.rng.random() < tie_chance:
            return 0
        return int(self.rng.uniform(low_days, high_days) * DAY) + self.rng.randrange(3600)

    def add(
        self,
        activity: str,
        to_status: str | None = None,
        *,
        category: str = "pathway",
        at: int | None = None,
        details: Mapping[str, str] | None = None,
        meeting: str = "",
    ) -> None:
        moment = self.t if at is None else at
        timestamp = self.start + dt.timedelta(seconds=moment)
        event = event_defaults(self.row["case_id"], activity, timestamp, self.start, 0)
        event.update(
            category=category,
            territory=self.row["territory"],
            landlord=self.row["landlord"],
            level=self.level,
            meeting=meeting,
            details=sorted((details or {}).items()),
            resource=self.rng.choice(("association", "landlord", "ccas", "platform")),
            role=self.rng.choice(("professional", "coordinator", "")),
        )
        if to_status is not None:
            event.update(from_status=self.status, to_status=to_status)
            self.status = to_status
        self.events.append(event)

    def step(self, low: float, high: float, *, tie_chance: float = 0.0) -> bool:
        """Move time forward; False when the next step falls after the snapshot (censored)."""
        nxt = self.t + self.gap(low, high, tie_chance=tie_chance)
        if nxt > self.horizon:
            return False
        self.t = nxt
        return True


def _pathway(case: _Case, rng: random.Random, meetings: dict[tuple[str, str], str]) -> None:
    row = case.row
    case.add("identify", "identified")
    if rng.random() < 0.08:  # identified, nothing else yet (or never)
        return
    informed = False
    if rng.random() < 0.7:
        if not case.step(0, 10, tie_chance=0.25):
            return
        case.add("inform", "informed", details={"method": rng.choice(("phone", "letter"))})
        informed = True
    # Contact attempts: unreachable may repeat before the household is reached or refuses.
    while True:
        if not case.step(1, 20, tie_chance=0.3 if informed else 0.0):
            return
        draw = rng.random()
        if draw < 0.12:
            case.add("contact_refused", "closed")
            row.update(contact_outcome="refused", outcome="refused", housing_status="unknown")
            _close_fields(case)
            return
        if draw < 0.3 and case.status != "unreachable":
            case.add("contact_unreachable", "unreachable")
            row["contact_outcome"] = "unreachable"
            row["first_contact_day"] = row["first_contact_day"] or case.t // DAY
            continue
        case.add("contact_reached", "contacted")
        row["contact_outcome"] = "reached"
        if row["first_contact_day"] is None:
            row["first_contact_day"] = case.t // DAY
        break
    if not informed:
        if not case.step(0, 3, tie_chance=0.5):
            return
        case.add("inform", "contacted")
    if not case.step(3, 40):
        return
    month = _month(case.start + dt.timedelta(seconds=case.t))
    meeting = meetings.setdefault((row["territory"], month), _pseudonym(rng))
    case.add("assess", "assessed", meeting=meeting)
    row["assessed_day"] = case.t // DAY
    if rng.random() < 0.6:
        case.add("consent_recorded", category="consent", at=case.t)  # same instant as assess
        case.add("share_granted", category="sharing", at=case.t + rng.randrange(DAY))
    if not case.step(0, 30, tie_chance=0.2):
        return
    orientation = rng.choices(
        ("advice", "coordination", "agr", "mainstream", "no_action"), (4, 3, 3, 1, 1)
    )[0]
    case.add("orient", "oriented", meeting=meeting, details={"orientation": orientation})
    row.update(orientation=orientation, oriented_day=case.t // DAY)
    if orientation in ("mainstream", "no_action"):
        if not case.step(0, 15):
            return
        case.add("close", "closed", details={"outcome": "mainstream"})
        row.update(outcome="mainstream", housing_status="same_dwelling")
        _close_fields(case)
        return
    if not case.step(1, 25, tie_chance=0.15):
        return
    case.level = orientation
    case.add("start_support", "in_support", details={"level": orientation})
    row.update(level=orientation, support_started_day=case.t // DAY)
    length = rng.uniform(60, 600)
    end = case.t + int(length * DAY)
    while True:  # reviews roughly quarterly, sometimes late; level changes, suspensions
        if not case.step(45, 130):
            return
        if case.t >= end:
            break
        draw = rng.random()
        if draw < 0.1 and case.status == "in_support":
            case.level = rng.choice([lv for lv in LEVELS if lv != case.level])
            case.add("change_level", "in_support", details={"level": case.level})
            row["level"] = case.level
            row["level_changes"] += 1
        elif draw < 0.16 and case.status == "in_support":
            case.add("suspend", "suspended", details={"reason": "hospitalisation"})
            if not case.step(10, 60):
                return
            case.add("resume", "in_support")
        else:
            case.add("review", category="review", details={"decision": "continue"})
    outcome = rng.choice(SUPPORT_OUTCOMES)
    case.add("close", "closed", details={"outcome": outcome})
    row.update(
        outcome=outcome,
        housing_status="no_housing" if outcome == "evicted" else "same_dwelling",
        exit_debt=rng.randrange(0, 40) * 100,
    )
    _close_fields(case)
    if case.step(170, 200):
        case.add("follow_up_6", "closed")
        row.update(follow_up_6_housed=outcome != "evicted", follow_up_6_arrears_over_3m=False)


def _close_fields(case: _Case) -> None:
    closed = case.start + dt.timedelta(seconds=case.t)
    case.row.update(closed_day=case.t // DAY, closed_month=_month(closed))


def _procedure(case: _Case, rng: random.Random) -> None:
    """Procedure facts: the first ones often predate the identification (negative days); some
    share a pathway event's exact timestamp."""
    if rng.random() < 0.45:
        return
    last_pathway = max(e["timestamp"] for e in case.events)
    span = int((last_pathway - case.start).total_seconds())
    t = -rng.randrange(0, 200) * DAY - rng.randrange(DAY)
    for activity in PROCEDURE_CHAIN[: rng.randrange(1, len(PROCEDURE_CHAIN) + 1)]:
        if case.ties and rng.random() < 0.2:
            moment = int((rng.choice(case.events)["timestamp"] - case.start).total_seconds())
        else:
            moment = t
        if moment > case.horizon:
            break
        case.add(activity, category="procedure", at=moment)
        t += int(rng.uniform(5, 90) * DAY) + rng.randrange(DAY)
        if t > max(span, 0) + 120 * DAY:
            break


def build_log(
    directory: Path,
    *,
    cases: int = 200,
    seed: int = 0,
    ties: bool = True,
    first_month: str = "2022-01",
    months: int = 30,
) -> BuiltLog:
    """Write a random snapshot of ``cases`` situations into ``directory``; return what was
    written. Identification months run from ``first_month`` for ``months`` months; the
    snapshot date is :data:`SNAPSHOT_DATE`, so recent cases are open (censored)."""
    rng = random.Random(seed)
    year, month = (int(x) for x in first_month.split("-"))
    situations: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    meetings: dict[tuple[str, str], str] = {}
    used: set[str] = set()
    for _ in range(cases):
        index = month - 1 + rng.randrange(months)
        identified = dt.datetime(year + index // 12, index % 12 + 1, 1, tzinfo=UTC)
        case_id = _pseudonym(rng)
        while case_id in used:
            case_id = _pseudonym(rng)
        used.add(case_id)
        territory = rng.choice(TERRITORIES)
        row = situation_defaults(case_id, identified)
        row.update(
            household=_pseudonym(rng),
            dwelling=_pseudonym(rng),
            referent=_pseudonym(rng) if rng.random() < 0.8 else "",
            territory=territory,
            network_profile=NETWORK_PROFILES[territory],
            landlord=rng.choice(LANDLORDS),
            commune_insee=rng.choice(COMMUNES[territory]),
            referent_kind=rng.choice(("association", "ccas", "landlord")),
            source=rng.choice(("landlord_agency", "rent_recovery", "ccas", "association")),
            urgency=rng.choices(("normal", "urgent"), (9, 1))[0],
            entry_stage=rng.choice(("none", "commandement", "summons", "judgment", "unknown")),
            entry_debt=rng.randrange(0, 80) * 100,
            entry_debt_months=rng.choice((None, 0.5, 1.0, 2.5, 4.0, 7.5)),
            difficulties=sorted(
                set(rng.sample(("rent_arrears", "isolation", "budget", "squalor"), 2))
            ),
            adults=rng.randrange(1, 3),
            children=rng.randrange(0, 4),
            resources_band=rng.choice(("rsa", "salary", "pension", "aah")),
            holder_age_band=rng.choice(("18-24", "25-39", "40-59", "60+")),
            partners=rng.randrange(1, 5),
            referent_changes=rng.randrange(0, 3),
        )
        row["source_is_landlord"] = row["source"] in ("landlord_agency", "rent_recovery")
        case = _Case(rng, row, ties)
        _pathway(case, rng, meetings)
        _procedure(case, rng)
        row["status"] = case.status
        situations.append(row)
        events.extend(case.events)
    # seq is the recording order: backdated facts are recorded late, so it differs from the
    # timestamp order, and among equal timestamps it is not the activities' alphabet.
    # A case's pathway steps are recorded in the order they happen (recording time never
    # goes back along the pathway); procedure facts are recorded whenever.
    recorded_at_of: dict[int, tuple[dt.datetime, int]] = {}
    last_recorded: dict[str, dt.datetime] = {}
    for index, event in enumerate(events):  # still in generation order here
        recorded_at = event["timestamp"] + dt.timedelta(seconds=rng.uniform(0, 20 * DAY))
        if event["category"] == "pathway":
            previous = last_recorded.get(event["case_id"])
            recorded_at = max(recorded_at, previous) if previous else recorded_at
            last_recorded[event["case_id"]] = recorded_at
        recorded_at_of[id(event)] = (recorded_at, index)
    recorded = sorted(events, key=lambda e: recorded_at_of[id(e)])
    for seq, event in enumerate(recorded, start=1):
        event["seq"] = seq
        event["event_id"] = f"E{seq:011d}"
    rng.shuffle(events)
    meeting_rows = _meeting_rows(meetings, events)
    return write_log(directory, situations, events, meeting_rows)


def _meeting_rows(
    meetings: Mapping[tuple[str, str], str], events: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    agenda: dict[str, set[str]] = {}
    for event in events:
        if event["meeting"]:
            agenda.setdefault(event["meeting"], set()).add(event["case_id"])
    rows = []
    for (territory, month), meeting in sorted(meetings.items()):
        held = dt.datetime(int(month[:4]), int(month[5:]), 1, tzinfo=UTC)
        rows.append(
            {
                "meeting": meeting,
                "territory": territory,
                "held_month": month,
                "timestamp": held,
                "status": "held",
                "situations": sorted(agenda.get(meeting, ())),
            }
        )
    return rows


def write_log(
    directory: Path,
    situations: Iterable[Mapping[str, Any]],
    events: Iterable[Mapping[str, Any]],
    meetings: Iterable[Mapping[str, Any]] = (),
) -> BuiltLog:
    """Write rows as a snapshot. Missing situation/event columns get defaults (an event's
    ``day`` and ``month`` follow its timestamp and its case's identification)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "events").mkdir(exist_ok=True)
    situation_rows: list[dict[str, Any]] = []
    anchors: dict[str, dt.datetime] = {}
    for given in situations:
        identified = given.get("identified_at") or dt.datetime(2024, 1, 1, tzinfo=UTC)
        row = situation_defaults(given["case_id"], identified)
        row.update(given)
        situation_rows.append(row)
        anchors[row["case_id"]] = identified
    event_rows: list[dict[str, Any]] = []
    for number, given in enumerate(events, start=1):
        anchor = anchors.get(given["case_id"], dt.datetime(2024, 1, 1, tzinfo=UTC))
        seq = given.get("seq", number)
        row = event_defaults(given["case_id"], given["activity"], given["timestamp"], anchor, seq)
        row.update(given)
        event_rows.append(row)
    meeting_rows = [dict(m) for m in meetings]
    _write(directory / "situations.parquet", situation_rows, schema.SITUATIONS)
    _write(directory / "events" / "part-00000.parquet", event_rows, schema.EVENTS)
    _write(directory / "meetings.parquet", meeting_rows, schema.MEETINGS)
    manifest = {
        "schema_version": schema.SCHEMA_VERSION,
        "created_at": SNAPSHOT_DATE.isoformat(),
        "key_fingerprint": "0123abcd",
        "watermarks": {"pathway_event": len(event_rows)},
        "parts": ["events/part-00000.parquet"],
        "rows": {
            "situations": len(situation_rows),
            "events": len(event_rows),
            "meetings": len(meeting_rows),
        },
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return BuiltLog(directory, situation_rows, event_rows, meeting_rows, SNAPSHOT_DATE, manifest)


def _write(path: Path, rows: list[dict[str, Any]], table_schema: pa.Schema) -> None:
    columns = {name: [row.get(name) for row in rows] for name in table_schema.names}
    pq.write_table(pa.Table.from_pydict(columns, schema=table_schema), path)
