"""The data-quality panel on a hand-made broken log, and silent on generated clean logs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from etage.analytics.filters import Filters
from etage.analytics.quality import QualityCheck, data_quality
from etage.analytics.store import connect
from tests.analytics.logs import build_log, write_log

START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def at(day: float) -> dt.datetime:
    return START + dt.timedelta(days=day)


def broken_log(directory: Path) -> None:
    rows: list[dict[str, Any]] = []

    def add(
        case: str,
        activity: str,
        when: dt.datetime | None,
        move: tuple[str, str],
        category: str = "",
        details: list[tuple[str, str]] | None = None,
    ) -> None:
        rows.append(
            {
                "case_id": case,
                "activity": activity,
                "timestamp": when,
                "seq": len(rows) + 1,
                "from_status": move[0],
                "to_status": move[1],
                "category": category or ("review" if activity == "review" else "pathway"),
                "details": details or [],
            }
        )

    # OK: a clean pathway, with a review that moves nothing.
    add("OK", "identify", at(0), ("", "identified"))
    add("OK", "contact_reached", at(3), ("identified", "contacted"))
    add("OK", "inform", at(3), ("contacted", "contacted"))
    add("OK", "review", at(9), ("", ""))
    # NODATE: one step without a date.
    add("NODATE", "identify", at(0), ("", "identified"))
    add("NODATE", "contact_reached", None, ("identified", "contacted"))
    # FUTURE: a step after the snapshot (observed for 300 days).
    add("FUTURE", "identify", at(0), ("", "identified"))
    add("FUTURE", "contact_reached", at(400), ("identified", "contacted"))
    # SKIP: oriented straight from identified; then a move landing on the wrong status.
    add("SKIP", "identify", at(0), ("", "identified"))
    add("SKIP", "orient", at(5), ("identified", "oriented"))
    add("SKIP", "start_support", at(6), ("oriented", "closed"))
    # BACK: assessment recorded after the contact but dated before it.
    add("BACK", "identify", at(0), ("", "identified"))
    add("BACK", "contact_reached", at(10), ("identified", "contacted"))
    add("BACK", "assess", at(4), ("contacted", "assessed"))
    # DUP: the same review twice at the same time.
    add("DUP", "identify", at(0), ("", "identified"))
    add("DUP", "review", at(20), ("", ""))
    add("DUP", "review", at(20), ("", ""))
    # Not duplicates: two reviews deciding different things, shares to several partners.
    add("OK", "review", at(30), ("", ""), details=[("decision", "continue")])
    add("OK", "review", at(30), ("", ""), details=[("decision", "change_level")])
    add("OK", "share_granted", at(3), ("", ""), category="sharing")
    add("OK", "share_granted", at(3), ("", ""), category="sharing")
    # NOIDENT: a log that starts with information.
    add("NOIDENT", "inform", at(1), ("identified", "informed"))
    # GHOST: an event whose situation is not in the snapshot.
    add("GHOST", "identify", at(0), ("", "identified"))
    situations: list[dict[str, Any]] = [
        {"case_id": c, "identified_at": START, "observed_until_day": 300, "territory": "T1"}
        for c in ("OK", "NODATE", "FUTURE", "SKIP", "BACK", "DUP", "NOIDENT", "EMPTY")
    ]
    situations.append(
        {"case_id": "NOANCHOR", "identified_at": None, "observed_until_day": 300, "territory": "T2"}
    )
    write_log(directory, situations, rows)


def by_code(checks: list[QualityCheck]) -> dict[str, QualityCheck]:
    return {c.code: c for c in checks}


def test_each_check_finds_its_broken_cases(tmp_path: Path) -> None:
    broken_log(tmp_path)
    con = connect(tmp_path)
    checks = by_code(data_quality(con, Filters()))
    con.close()
    found = {code: (c.count, c.examples) for code, c in checks.items()}
    assert found == {
        "missing_dates": (2, ["NOANCHOR", "NODATE"]),
        "future_dates": (1, ["FUTURE"]),
        "disallowed_moves": (2, ["SKIP"]),
        "broken_status_chain": (2, ["BACK"]),
        "dates_backwards": (1, ["BACK"]),
        "duplicates": (1, ["DUP"]),
        # NOANCHOR and EMPTY have no events at all.
        "no_identification": (3, ["EMPTY", "NOANCHOR", "NOIDENT"]),
        "no_events": (2, ["EMPTY", "NOANCHOR"]),
        "orphan_events": (1, ["GHOST"]),
    }
    assert not checks["duplicates"].ok
    assert {c.unit for c in checks.values()} == {"events", "situations"}


def test_checks_follow_the_filters(tmp_path: Path) -> None:
    broken_log(tmp_path)
    con = connect(tmp_path)
    checks = by_code(data_quality(con, Filters(territories=("T2",))))
    con.close()
    assert {code: c.count for code, c in checks.items() if c.count} == {
        "missing_dates": 1,
        "no_identification": 1,
        "no_events": 1,
    }
    # Events without a situation cannot be filtered: left out of a filtered panel.
    assert "orphan_events" not in checks


def test_labels_are_french(tmp_path: Path) -> None:
    broken_log(tmp_path)
    con = connect(tmp_path)
    with translation.override("fr"):
        checks = data_quality(con, Filters())
    con.close()
    assert by_code(checks)["duplicates"].label == "Événements en double"
    assert all(c.label and c.description for c in checks)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generated_logs_are_clean(tmp_path: Path, seed: int) -> None:
    # The generator follows the pathway table: a check firing here would be a false alarm.
    build_log(tmp_path, cases=150, seed=seed)
    con = connect(tmp_path)
    checks = data_quality(con, Filters())
    con.close()
    assert {c.code: c.count for c in checks if c.count} == {}
