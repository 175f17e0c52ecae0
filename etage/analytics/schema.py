"""The contract of the pseudonymised snapshot (issue 8; architecture.md "Analytics").

Every analytics view, indicator and export reads these Parquet files through DuckDB, never
the operational tables. A snapshot directory holds:

- ``manifest.json``: ``schema_version``, ``created_at`` (UTC ISO), ``key_fingerprint`` (first
  8 hex characters of SHA-256 over the pseudonym key: tells whether two snapshots join,
  without revealing the key), ``watermarks`` (highest primary key already written, per source
  table), ``parts`` and row counts;
- ``situations.parquet``: one row per situation (:data:`SITUATIONS`), rewritten whole at
  each run (situations change; purged ones must disappear);
- ``events/part-NNNNN.parquet``: the event log (:data:`EVENTS`), appended incrementally
  (events are append-only; a part holds the events above the previous watermark);
- ``meetings.parquet``: platform meetings (:data:`MEETINGS`), rewritten whole.

**Time.** Evaluators see dates at month precision (data-protection.md #7) but process and
survival analysis need exact intervals. Each case is therefore *anchored*: its timestamps
are shifted so that identification falls on the first day of its month (UTC midnight); every
interval within a case is exact, every calendar month of identification is exact, and no
exact calendar day is published. ``day`` columns are days since identification (negative for
procedure facts older than the identification). ``*_month`` columns hold the true calendar
month ("YYYY-MM") for period indicators.

**Order.** Events with the same timestamp are ordered by ``seq`` (recording order); every
consumer sorts by ``(case_id, timestamp, seq)`` so that ties break identically everywhere
(pm4py keeps file order for ties, and the exports are written in this order).
"""

from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = 1

_TS = pa.timestamp("us", tz="UTC")
_DAY = pa.int32()
_CODES = pa.list_(pa.string())

#: One row per situation (a case). Pseudonyms come from ``etage.privacy.pseudonymise``.
SITUATIONS = pa.schema(
    [
        ("case_id", pa.string()),  # pseudonym("situation", pk)
        ("household", pa.string()),  # pseudonym("household", pk)
        ("dwelling", pa.string()),  # pseudonym("tenancy", pk)
        ("referent", pa.string()),  # pseudonym("user", lead professional pk) or ""
        ("territory", pa.string()),  # territory code, e.g. "T1"
        ("network_profile", pa.string()),  # e.g. "ccapex+grouped", "ccapex", "grouped", "basic"
        ("landlord", pa.string()),  # landlord organisation code
        ("commune_insee", pa.string()),
        ("referent_kind", pa.string()),  # kind of the referent organisation
        ("status", pa.string()),
        ("source", pa.string()),
        ("source_is_landlord", pa.bool_()),
        ("urgency", pa.string()),
        ("entry_stage", pa.string()),
        ("entry_debt", pa.int64()),  # € rounded to 100
        ("entry_debt_months", pa.float64()),  # months of rent at entry, to 0.5, or null
        ("exit_debt", pa.int64()),
        ("contact_outcome", pa.string()),
        ("orientation", pa.string()),
        ("level", pa.string()),  # current (or last) level
        ("outcome", pa.string()),
        ("housing_status", pa.string()),
        ("difficulties", _CODES),  # sensitive ones left out
        ("adults", pa.int16()),
        ("children", pa.int16()),
        ("resources_band", pa.string()),
        ("holder_age_band", pa.string()),
        ("partners", pa.int16()),  # organisations holding an active share
        ("level_changes", pa.int16()),
        ("referent_changes", pa.int16()),
        ("identified_at", _TS),  # anchored: first of the identification month
        ("identified_month", pa.string()),
        ("first_contact_day", _DAY),  # days since identification, null if not reached yet
        ("assessed_day", _DAY),
        ("oriented_day", _DAY),
        ("support_started_day", _DAY),
        ("closed_day", _DAY),
        ("closed_month", pa.string()),  # "" while open
        ("follow_up_6_housed", pa.bool_()),  # null: no follow-up recorded
        ("follow_up_6_arrears_over_3m", pa.bool_()),
        ("follow_up_12_housed", pa.bool_()),
        ("follow_up_12_arrears_over_3m", pa.bool_()),
        ("observed_until_day", _DAY),  # censoring: days from identification to snapshot date
    ]
)

#: One row per event: pathway events and procedure events in one log.
EVENTS = pa.schema(
    [
        ("event_id", pa.string()),  # pseudonym("pathway_event"|"procedure_event", pk)
        ("case_id", pa.string()),
        ("activity", pa.string()),  # pathway action code or procedure event kind code
        ("category", pa.string()),  # see CATEGORIES
        ("timestamp", _TS),  # anchored (see module docstring)
        ("day", _DAY),  # days since identification
        ("month", pa.string()),  # true calendar month "YYYY-MM"
        ("seq", pa.int64()),  # tie-breaker: recording order across the whole log
        ("from_status", pa.string()),
        ("to_status", pa.string()),
        ("resource", pa.string()),  # organisation kind of the actor (org:resource)
        ("role", pa.string()),  # role of the actor, "" for imports and API
        ("territory", pa.string()),
        ("landlord", pa.string()),
        ("level", pa.string()),  # support level in force at the event, "" before orientation
        ("meeting", pa.string()),  # pseudonym("meeting", pk) when decided in a meeting
        ("details", pa.map_(pa.string(), pa.string())),  # closed-list codes only
    ]
)

MEETINGS = pa.schema(
    [
        ("meeting", pa.string()),
        ("territory", pa.string()),
        ("held_month", pa.string()),
        ("timestamp", _TS),  # first of the month (a meeting involves several cases)
        ("status", pa.string()),
        ("situations", _CODES),  # case_ids on its agenda
    ]
)

#: Event categories. Process views default to PROCESS_CATEGORIES.
CATEGORIES = ("pathway", "procedure", "review", "consent", "sharing")
PROCESS_CATEGORIES = ("pathway", "procedure", "review")
