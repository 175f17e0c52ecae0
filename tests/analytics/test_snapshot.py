"""The snapshot writer over the demo history: the schema's exact columns, no personal data,
stable pseudonyms, exact intervals in anchored time, incremental runs equal to a full
rebuild, corrections and purges followed."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.utils import timezone

from etage.accounts.models import User
from etage.analytics import schema, snapshot
from etage.analytics.snapshot import write_snapshot
from etage.analytics.store import connect
from etage.households.models import Household, Person, Tenancy
from etage.meetings.models import Decision, Meeting
from etage.privacy.anonymise import anonymise_situation
from etage.privacy.pseudonymise import pseudonym
from etage.procedures.models import ProcedureEvent
from etage.situations.models import Consent, PathwayEvent, Share, Situation
from etage.situations.services import event_correct_date
from etage.situations.workflow import ACTION_LABELS

pytestmark = pytest.mark.django_db


@pytest.fixture
def snap(history: None, tmp_path: Path, settings: Any) -> Path:
    settings.ETAGE_SNAPSHOT_DIR = tmp_path / "snap"
    return Path(settings.ETAGE_SNAPSHOT_DIR)


def _events(directory: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        pq.read_table(directory / "events", schema=schema.EVENTS)
        .sort_by([("case_id", "ascending"), ("timestamp", "ascending"), ("seq", "ascending")])
        .to_pylist()
    )
    return rows


def _situations(directory: Path) -> dict[str, dict[str, Any]]:
    return {r["case_id"]: r for r in pq.read_table(directory / "situations.parquet").to_pylist()}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)


def test_files_have_exactly_the_contract_schemas(snap: Path) -> None:
    report = write_snapshot()
    assert report.full
    assert pq.read_schema(snap / "situations.parquet").remove_metadata() == schema.SITUATIONS
    assert pq.read_schema(snap / "meetings.parquet").remove_metadata() == schema.MEETINGS
    parts = sorted((snap / "events").glob("part-*.parquet"))
    assert [p.name for p in parts] == ["part-00001.parquet"]
    assert pq.read_schema(parts[0]).remove_metadata() == schema.EVENTS
    manifest = json.loads((snap / "manifest.json").read_text())
    assert manifest["schema_version"] == schema.SCHEMA_VERSION
    assert manifest["watermarks"]["pathway_event"] == PathwayEvent.objects.latest("id").pk
    assert manifest["rows"]["situations"] == Situation.objects.count() == report.situations
    assert manifest["rows"]["meetings"] == Meeting.objects.count()
    con = connect()
    assert con.execute("SELECT count(*) FROM events").fetchone() == (report.events_total,)
    assert not list(snap.glob(".staging-*"))


def test_every_pathway_step_and_procedure_fact_is_in_the_log_and_nothing_else(snap: Path) -> None:
    write_snapshot()
    events = _events(snap)
    by_category: dict[str, int] = {}
    for e in events:
        by_category[e["category"]] = by_category.get(e["category"], 0) + 1
    assert set(by_category) <= set(schema.CATEGORIES)
    steps = PathwayEvent.objects.filter(action__in=[*ACTION_LABELS, "referral_added"]).count()
    assert by_category["pathway"] == steps
    assert by_category["review"] == PathwayEvent.objects.filter(action="review").count()
    assert (
        by_category["sharing"] == PathwayEvent.objects.filter(action__startswith="share_").count()
    )
    kept = ProcedureEvent.objects.filter(is_void=False, corrections__isnull=True)
    assert by_category["procedure"] == kept.count()
    assert "correction" not in {e["activity"] for e in events}
    # One row per source event: the identifiers are the pseudonyms of distinct keys.
    assert len({e["event_id"] for e in events}) == len(events)


def test_no_name_address_phone_free_text_nor_exact_date(snap: Path) -> None:
    write_snapshot()
    forbidden: set[str] = set()
    for last, first in Person.objects.values_list("last_name", "first_name"):
        forbidden |= {last, first}
    forbidden |= set(Tenancy.objects.values_list("address", flat=True))
    forbidden |= set(Tenancy.objects.values_list("lease_reference", flat=True))
    forbidden |= set(Household.objects.values_list("phone", flat=True))
    forbidden |= set(Situation.objects.values_list("description", flat=True))
    forbidden |= {r for r in Situation.objects.values_list("reference", flat=True) if r}
    forbidden |= set(Decision.objects.values_list("note", flat=True))
    forbidden |= set(Consent.objects.values_list("note", flat=True))
    forbidden |= set(Share.objects.values_list("revocation_reason", flat=True))
    forbidden |= set(User.objects.values_list("username", flat=True))
    forbidden |= set(User.objects.values_list("last_name", flat=True))
    forbidden.discard("")
    forbidden = {f for f in forbidden if f and len(f) > 2}
    assert len(forbidden) > 50  # the demo has names, addresses, notes…
    exact_day = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4}")
    values: list[str] = []
    parts = sorted((snap / "events").glob("*.parquet"))
    for path in [snap / "situations.parquet", snap / "meetings.parquet", *parts]:
        table = pq.read_table(path)
        for column in table.column_names:
            if pa.types.is_timestamp(table.schema.field(column).type):
                continue
            values.extend(_strings(table.column(column).to_pylist()))
    assert values
    for value in values:
        assert value not in forbidden, value
        assert not exact_day.search(value), value
        assert not any(f in value for f in forbidden if len(f) > 5), value
    # Timestamps are anchored: every identification falls on the first of its month.
    for row in _situations(snap).values():
        assert row["identified_at"].day == 1
        assert row["identified_at"].strftime("%Y-%m") == row["identified_month"]
    for row in pq.read_table(snap / "meetings.parquet").to_pylist():
        assert row["timestamp"].day == 1


def test_intervals_within_a_case_are_exact(snap: Path) -> None:
    write_snapshot()
    situations = _situations(snap)
    events = {e["event_id"]: e for e in _events(snap)}
    checked = 0
    for situation in Situation.objects.all():
        row = situations[pseudonym("situation", situation.pk)]
        start = situation.identified_on
        assert row["identified_month"] == start.strftime("%Y-%m")
        if situation.oriented_on:
            assert row["oriented_day"] == (situation.oriented_on - start).days
        if situation.closed_on:
            assert row["closed_day"] == (situation.closed_on - start).days
        assert row["observed_until_day"] == (timezone.localdate() - start).days
        for event in situation.events.exclude(action="correction"):
            e = events.get(pseudonym("pathway_event", event.pk))
            if e is None:
                continue
            true_days = (event.occurred_on - start).days
            assert e["day"] == true_days
            assert (e["timestamp"] - row["identified_at"]).days == true_days
            assert e["month"] == event.occurred_on.strftime("%Y-%m")
            checked += 1
    assert checked > 200


def test_level_in_force_is_carried_forward(snap: Path) -> None:
    write_snapshot()
    by_case: dict[str, list[dict[str, Any]]] = {}
    for e in _events(snap):
        by_case.setdefault(e["case_id"], []).append(e)
    seen_level = 0
    for events in by_case.values():
        level = ""
        for e in events:
            if e["activity"] == "orient":
                orientation = dict(e["details"]).get("orientation", "")
                level = orientation if orientation in ("advice", "coordination", "agr") else ""
            elif e["activity"] == "change_level":
                level = dict(e["details"])["level"]
            assert e["level"] == level, (e["activity"], e["day"])
            seen_level += bool(level)
    assert seen_level > 50


def test_meeting_decisions_link_their_event(snap: Path) -> None:
    write_snapshot()
    events = {e["event_id"]: e for e in _events(snap)}
    decisions = Decision.objects.filter(pathway_event__isnull=False).select_related("agenda_item")
    assert decisions.exists()
    for decision in decisions:
        e = events[pseudonym("pathway_event", decision.pathway_event_id)]
        assert e["meeting"] == pseudonym("meeting", decision.agenda_item.meeting_id)


def test_pseudonyms_are_stable_and_another_key_rebuilds(
    snap: Path, tmp_path: Path, settings: Any
) -> None:
    write_snapshot()
    again = write_snapshot(tmp_path / "again", full=True)
    assert again.full
    assert _situations(snap) == _situations(tmp_path / "again")
    assert _events(snap) == _events(tmp_path / "again")
    settings.ETAGE_PSEUDONYM_KEY = "another-key-for-the-test-" * 2
    other = write_snapshot()
    assert other.full  # the fingerprint changed: nothing joins the old parts
    assert not set(_situations(snap)) & set(_situations(tmp_path / "again"))
    assert [p.name for p in (snap / "events").glob("*.parquet")] == ["part-00001.parquet"]


def test_incremental_run_appends_only_new_events_and_equals_a_full_rebuild(
    snap: Path, tmp_path: Path, demo_reference: dict[str, User]
) -> None:
    first = write_snapshot()
    nothing = write_snapshot()
    assert not nothing.full
    assert nothing.events_written == 0
    assert nothing.parts == 1
    situation = Situation.objects.filter(
        status="in_support", platform__territory__code="T1"
    ).first()
    assert situation is not None
    from etage.situations.services import situation_transition

    situation_transition(
        user=demo_reference["t1-professionnel"],
        situation_id=situation.pk,
        action="suspend",
        expected_version=situation.version,
        occurred_on=timezone.localdate(),
        payload={"reason": "hospitalisation"},
    )
    new_ids = set(
        PathwayEvent.objects.filter(
            pk__gt=json.loads((snap / "manifest.json").read_text())["watermarks"]["pathway_event"]
        ).values_list("pk", flat=True)
    )
    second = write_snapshot()
    assert not second.full
    assert second.parts == 2
    part = pq.read_table(snap / "events" / "part-00002.parquet").to_pylist()
    assert {e["event_id"] for e in part} == {pseudonym("pathway_event", pk) for pk in new_ids}
    assert second.events_total == first.events_total + len(part)
    suspended = next(e for e in part if e["activity"] == "suspend")
    assert suspended["seq"] > max(e["seq"] for e in _events(snap) if e not in part)
    assert suspended["level"] == situation.level
    rebuilt = write_snapshot(tmp_path / "full", full=True)
    assert rebuilt.events_total == second.events_total
    assert _events(snap) == _events(tmp_path / "full")
    assert _situations(snap) == _situations(tmp_path / "full")


def test_a_corrected_date_replaces_the_original_in_the_log(
    snap: Path, tmp_path: Path, demo_reference: dict[str, User]
) -> None:
    write_snapshot()
    event = (
        PathwayEvent.objects.filter(
            action="start_support", situation__platform__territory__code="T1"
        )
        .select_related("situation")
        .first()
    )
    assert event is not None
    situation = event.situation
    new_date = event.occurred_on - dt.timedelta(days=2)
    event_correct_date(
        user=demo_reference["t1-professionnel"],
        situation_id=situation.pk,
        event_id=event.pk,
        expected_version=situation.version,
        occurred_on=new_date,
        reason="Erreur de saisie",
    )
    report = write_snapshot()
    assert report.cases_rewritten == 1
    events = _events(snap)
    row = next(e for e in events if e["event_id"] == pseudonym("pathway_event", event.pk))
    assert row["day"] == (new_date - situation.identified_on).days
    assert "correction" not in {e["activity"] for e in events}
    assert len(events) == len({e["event_id"] for e in events})  # written once, not twice
    case_id = pseudonym("situation", situation.pk)
    assert _situations(snap)[case_id]["support_started_day"] == row["day"]
    write_snapshot(tmp_path / "full", full=True)
    assert events == _events(tmp_path / "full")


def test_purged_situations_vanish_with_their_events(snap: Path) -> None:
    write_snapshot()
    situation = Situation.objects.filter(status="archived").first() or Situation.objects.first()
    assert situation is not None
    case_id = pseudonym("situation", situation.pk)
    assert case_id in _situations(snap)
    anonymise_situation(situation)
    Situation.objects.filter(pk=situation.pk).update(purged_on=timezone.localdate())
    report = write_snapshot()
    assert report.cases_removed == 1
    assert case_id not in _situations(snap)
    assert case_id not in {e["case_id"] for e in _events(snap)}
    for meeting in pq.read_table(snap / "meetings.parquet").to_pylist():
        assert case_id not in meeting["situations"]


def test_a_failed_run_leaves_the_previous_snapshot(
    snap: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_snapshot()
    before = {p: p.read_bytes() for p in snap.rglob("*") if p.is_file()}

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(snapshot, "_number_events", broken)
    with pytest.raises(RuntimeError):
        write_snapshot(full=True)
    after = {p: p.read_bytes() for p in snap.rglob("*") if p.is_file()}
    assert after == before


def test_command_prints_a_french_summary(snap: Path) -> None:
    out = io.StringIO()
    call_command("etage_snapshot", "--out", str(snap), stdout=out)
    text = out.getvalue()
    assert "Instantané" in text
    assert f"{Situation.objects.count()} situations" in text


def test_a_procedure_event_declared_in_error_leaves_the_log(
    snap: Path, tmp_path: Path, demo_reference: dict[str, User]
) -> None:
    from etage.procedures.services import procedure_event_record
    from etage.situations.choices import OPEN_STATUSES

    write_snapshot()
    event = ProcedureEvent.objects.filter(
        situation__status__in=OPEN_STATUSES,
        situation__platform__territory__code="T1",
        is_void=False,
        corrections__isnull=True,
    ).first()
    assert event is not None
    void = procedure_event_record(
        user=demo_reference["t1-coordination"],
        situation_id=event.situation_id,
        kind=event.kind,
        occurred_on=None,
        source=event.source,
        corrects_id=event.pk,
        is_void=True,
    )
    report = write_snapshot()
    assert report.cases_rewritten == 1
    ids = {e["event_id"] for e in _events(snap)}
    assert pseudonym("procedure_event", event.pk) not in ids
    assert pseudonym("procedure_event", void.pk) not in ids
    write_snapshot(tmp_path / "full", full=True)
    # Same log, same order; the full rebuild numbers seq without the gap the removed rows left.
    assert _without_seq(_events(snap)) == _without_seq(_events(tmp_path / "full"))


def _without_seq(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in e.items() if k != "seq"} for e in events]


def test_same_day_events_keep_their_recording_order(snap: Path) -> None:
    write_snapshot()
    seqs: dict[str, int] = {}
    for e in _events(snap):
        seqs[e["event_id"]] = e["seq"]
    events = list(
        PathwayEvent.objects.exclude(action="correction")
        .order_by("situation_id", "occurred_on", "recorded_at", "id")
        .values_list("id", "situation_id", "occurred_on")
    )
    ties = 0
    for before, after in itertools.pairwise(events):
        if before[1:] == after[1:]:
            a = seqs.get(pseudonym("pathway_event", before[0]))
            b = seqs.get(pseudonym("pathway_event", after[0]))
            if a is not None and b is not None:
                assert a < b
                ties += 1
    assert ties > 20  # the demo records several steps on one day (assessment and orientation…)


def test_reads_are_bulk_whatever_the_number_of_situations(snap: Path) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one_round:
        write_snapshot(full=True)
    assert Situation.objects.count() == 40
    # One round trip per table for the 40 situations (they fit in one chunk), not per row.
    assert len(one_round.captured_queries) < 25


def test_situation_columns_follow_the_source_rows(snap: Path) -> None:
    write_snapshot()
    rows = _situations(snap)
    answers = {"yes": True, "no": False}
    follow_ups = 0
    for situation in Situation.objects.select_related("platform__territory", "landlord"):
        row = rows[pseudonym("situation", situation.pk)]
        territory = situation.platform.territory
        assert row["territory"] == territory.code
        assert row["landlord"] == situation.landlord.code
        profile = {
            (True, True): "ccapex+grouped",
            (True, False): "ccapex",
            (False, True): "grouped",
            (False, False): "basic",
        }[(territory.has_local_ccapex, territory.ccas_mdm_grouped)]
        assert row["network_profile"] == profile
        assert row["source_is_landlord"] == (
            situation.source in ("landlord_agency", "rent_recovery", "caretaker")
        )
        assert row["partners"] == situation.shares.filter(is_active=True).count()
        assert row["level_changes"] == situation.events.filter(action="change_level").count()
        assert row["referent"] == pseudonym("user", situation.lead_professional_id)
        if situation.entry_debt is not None:
            assert abs(row["entry_debt"] - float(situation.entry_debt)) <= 50
        follow_up = situation.events.filter(action="follow_up_12").first()
        if follow_up is not None:
            follow_ups += 1
            expected = answers.get(follow_up.payload["still_housed"])
            assert row["follow_up_12_housed"] == expected
        else:
            assert row["follow_up_12_housed"] is None
    assert follow_ups > 0


def test_a_backdated_level_change_rewrites_the_levels_already_written(
    snap: Path, tmp_path: Path, demo_reference: dict[str, User]
) -> None:
    from etage.situations.services import situation_transition

    write_snapshot()
    situation = (
        Situation.objects.filter(status="in_support", platform__territory__code="T1")
        .exclude(level="advice")
        .first()
    )
    assert situation is not None
    assert situation.support_started_on is not None
    on = situation.support_started_on + dt.timedelta(days=1)
    later = situation.events.filter(occurred_on__gt=on).count()
    assert later > 0
    situation_transition(
        user=demo_reference["t1-coordination"],
        situation_id=situation.pk,
        action="change_level",
        expected_version=situation.version,
        occurred_on=on,
        payload={"level": "advice"},
    )
    write_snapshot()
    case = [e for e in _events(snap) if e["case_id"] == pseudonym("situation", situation.pk)]
    after = [e for e in case if e["day"] > (on - situation.identified_on).days]
    assert after
    assert all(e["level"] == "advice" for e in after)
    write_snapshot(tmp_path / "full", full=True)
    assert _events(snap) == _events(tmp_path / "full")
