"""``manage.py etage_analyse``: the pages' filters as options, JSON figures, French errors."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from etage.analytics import figures
from etage.analytics.filters import Filters
from etage.analytics.management.commands.etage_analyse import query_from_options
from etage.analytics.store import connect
from tests.analytics.logs import BuiltLog, build_log


@pytest.fixture
def log(tmp_path: Path) -> BuiltLog:
    return build_log(tmp_path / "snap", cases=90, seed=11)


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("etage_analyse", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_options_are_read_as_the_pages_read_their_query() -> None:
    options: dict[str, Any] = {
        "period_from": "2025-01",
        "period_to": "2026-10",
        "territory": ["T1,T2"],
        "level": ["agr"],
        "attr": ["urgency:urgent"],
        "followed_by": "orient,close",
        "never_followed_by": "identify,contact_reached",
        "min_days": 3.0,
        "max_days": None,
    }
    filters = Filters.from_query(query_from_options(options))
    assert filters == Filters(
        period_from="2025-01",
        period_to="2026-10",
        territories=("T1", "T2"),
        levels=("agr",),
        attributes=(("urgency", "urgent"),),
        followed_by=("orient", "close"),
        never_followed_by=("identify", "contact_reached"),
        min_days=3.0,
    )


def test_dfg_json_is_the_figures_of_the_filtered_log(log: BuiltLog) -> None:
    out, _err = _run(
        "dfg",
        "--json",
        "--snapshot",
        str(log.directory),
        "--territory",
        "T2",
        "--activities",
        "100",
        "--paths",
        "100",
    )
    data = json.loads(out)
    expected = figures.dfg(connect(log.directory), Filters(territories=("T2",)))
    assert data == expected
    # Counted independently from the rows the log builder wrote.
    t2 = {s["case_id"] for s in log.situations if s["territory"] == "T2"}
    traces = {c: t for c, t in log.traces(("pathway", "procedure", "review")).items() if c in t2}
    pairs = sum(len(t) - 1 for t in traces.values())
    assert sum(e["count"] for e in data["edges"]) == pairs
    assert data["cases"] == len(traces)


def test_variants_and_survival_as_json(log: BuiltLog) -> None:
    snap = ["--snapshot", str(log.directory)]
    variants = json.loads(_run("variants", "--json", "--coverage", "100", *snap)[0])
    traces = log.traces(("pathway", "procedure", "review"))
    assert variants["cases"] == len(traces)
    assert sum(v["cases"] for v in variants["variants"]) == len(traces)
    assert variants["total"] == len({tuple(t) for t in traces.values()})
    survival = json.loads(
        _run("survival", "--json", "--endpoint", "closure", "--group", "level", *snap)[0]
    )
    assert survival["group_by"] == "level"
    assert {g["group"] for g in survival["groups"]} == {s["level"] for s in log.situations}
    assert survival["logrank"]["degrees_of_freedom"] == len(survival["groups"]) - 1


def test_text_output_and_ignored_values(log: BuiltLog) -> None:
    out, err = _run("variants", "--snapshot", str(log.directory), "--from", "janvier")
    assert "variants" in out.splitlines()[0]
    assert "janvier" in err


def test_without_a_snapshot_the_error_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="etage_snapshot"):
        _run("dfg", "--json", "--snapshot", str(tmp_path / "none"))


@pytest.mark.django_db
def test_indicators_are_part_d_rows_for_the_territory(log: BuiltLog) -> None:
    data = json.loads(
        _run("indicators", "--json", "--snapshot", str(log.directory), "--territory", "T1")[0]
    )
    assert data["rows"]
    assert {row["territory"] for row in data["rows"]} == {"T1"}
