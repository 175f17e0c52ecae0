"""Indicators survive the purges (data-protection.md #12): on a generated history, figures
are computed from a snapshot, the retention job anonymises the situations at the end of their
archive period, a new snapshot no longer holds them, and a recompute leaves every stored figure
of a final period exactly as it was — while the figures of the new snapshot alone do differ."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from etage.analytics import indicators
from etage.analytics.catalogue import BY_CODE
from etage.analytics.indicators import (
    compute_indicators,
    is_final,
    iter_indicators,
    refresh_indicators,
    store_indicators,
)
from etage.analytics.models import IndicatorDefinition, IndicatorValue
from etage.analytics.snapshot import write_snapshot
from etage.analytics.store import connect
from etage.demo.history import MIN_COUNT
from etage.situations.models import Situation
from tests import replay

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


def _values() -> dict[tuple[str, str, str, str, str], tuple[float | None, int]]:
    return {
        (v.code, v.period, v.territory, v.dimension, v.key): (v.value, v.cases)
        for v in IndicatorValue.objects.all()
    }


def _final(key: tuple[str, str, str, str, str]) -> bool:
    return is_final(key[1], BY_CODE[key[0]].final_after_months, TODAY)


def _compute(directory: Path, snapshot: str) -> list[Any]:
    con = connect(directory)
    try:
        rows = compute_indicators(con, costs=[])
    finally:
        con.close()
    store_indicators(rows, snapshot=snapshot, today=TODAY)
    return rows


def test_final_periods_survive_the_purge_and_the_recompute(
    demo_reference: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ETAGE_SNAPSHOT_DIR = tmp_path / "snapshot"
    moment = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(12)))
    with time_machine.travel(moment, tick=False):
        replay.demo_history(seed=5, count=MIN_COUNT)
        write_snapshot(full=True)
        _compute(settings.ETAGE_SNAPSHOT_DIR, "first")
        before = _values()
        assert IndicatorDefinition.objects.count() == len(BY_CODE)

        call_command("etage_retention", "--date", TODAY.isoformat(), stdout=io.StringIO())
        purged = Situation._base_manager.filter(purged_on=TODAY).count()
        assert purged > 0

        write_snapshot()
        rows = _compute(settings.ETAGE_SNAPSHOT_DIR, "second")
    after = _values()

    final_before = {k: v for k, v in before.items() if _final(k)}
    assert final_before
    assert {k: v for k, v in after.items() if _final(k)} == final_before
    # The new snapshot alone would have changed final figures: the test means something.
    fresh = {(r.code, r.period, r.territory, r.dimension, r.key): (r.value, r.cases) for r in rows}
    changed = [k for k, v in final_before.items() if fresh.get(k) != v]
    assert changed
    # Open periods are recomputed from the new snapshot.
    open_rows = IndicatorValue.objects.exclude(
        pk__in=[
            v.pk
            for v in IndicatorValue.objects.all()
            if _final((v.code, v.period, v.territory, v.dimension, v.key))
        ]
    )
    assert open_rows.exists()
    assert set(open_rows.values_list("snapshot", flat=True)) == {"second"}
    assert set(
        IndicatorValue.objects.filter(
            pk__in=[
                v.pk
                for v in IndicatorValue.objects.all()
                if _final((v.code, v.period, v.territory, v.dimension, v.key))
            ]
        ).values_list("snapshot", flat=True)
    ) == {"first"}


def test_a_final_period_never_stored_is_written_once(tmp_path: Path) -> None:
    """The first computation stores old periods too; later ones keep them."""
    from tests.analytics.logs import build_log

    log = build_log(tmp_path / "log", cases=60, seed=4)
    con = connect(log.directory)
    try:
        rows = compute_indicators(con, costs=[])
    finally:
        con.close()
    first = store_indicators(rows, snapshot="a", today=TODAY)
    assert first.written == len(rows)
    assert first.kept_final == 0
    doubled = [r._replace(cases=r.cases * 2) for r in rows]
    second = store_indicators(doubled, snapshot="b", today=TODAY)
    assert second.kept_final > 0
    stored = {
        (v.code, v.period, v.territory, v.dimension, v.key): v.cases
        for v in IndicatorValue.objects.all()
    }
    for row in rows:
        key = (row.code, row.period, row.territory, row.dimension, row.key)
        final = is_final(row.period, BY_CODE[row.code].final_after_months, TODAY)
        assert stored[key] == (row.cases if final else row.cases * 2), key


def test_the_streamed_store_writes_every_computed_row_exactly_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows go from DuckDB to the table as they come: with batches far smaller than an
    (indicator, period)'s rows, which span several queries (one per breakdown), the stored
    figures are still exactly the computed list, on a first store and on a rewrite (a pair's
    old figures deleted once, before its first new row, never after its later batches)."""
    from tests.analytics.logs import build_log

    monkeypatch.setattr(indicators, "STORE_BATCH", 50)
    log = build_log(tmp_path / "log", cases=120, seed=7)
    con = connect(log.directory)
    try:
        rows = compute_indicators(con)
    finally:
        con.close()
    expected = {
        (r.code, r.period, r.territory, r.dimension, r.key): (r.value, r.cases) for r in rows
    }
    assert len(expected) == len(rows) > 20 * indicators.STORE_BATCH

    # The nightly path: refresh_indicators streams iter_indicators into the store.
    assert refresh_indicators(log.directory) == (len(rows), len(rows), 0)
    assert IndicatorValue.objects.count() == len(rows)
    assert _values() == expected

    # A rewrite in which no period is final yet: every pair replaced, nothing lost or left.
    con = connect(log.directory)
    try:
        report = store_indicators(
            (r._replace(cases=r.cases + 1) for r in iter_indicators(con)),
            snapshot="b",
            today=dt.date(2000, 1, 1),
        )
    finally:
        con.close()
    assert (report.computed, report.written, report.kept_final) == (len(rows), len(rows), 0)
    assert IndicatorValue.objects.count() == len(rows)
    assert _values() == {k: (value, cases + 1) for k, (value, cases) in expected.items()}
    assert set(IndicatorValue.objects.values_list("snapshot", flat=True)) == {"b"}
