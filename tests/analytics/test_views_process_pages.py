"""The other evaluator pages (compliance, quality, typology), the CSV exports and the filter
form's chips and labels."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from django.test import Client
from django.urls import reverse

from etage.analytics import compliance
from etage.analytics.filters import Filters
from etage.analytics.forms import (
    FilterStackForm,
    activity_label,
    chips,
    french_month,
    snapshot_choices,
)
from etage.analytics.store import connect
from tests.analytics.logs import BuiltLog, build_log

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def snapshot(tmp_path: Path, settings: Any) -> BuiltLog:
    settings.ETAGE_SNAPSHOT_DIR = tmp_path / "snapshot"
    return build_log(tmp_path / "snapshot", cases=120, seed=5)


@pytest.fixture
def evaluator(client_for: Callable[[str], Client]) -> Client:
    return client_for("t2-evaluation")


def test_compliance_lists_rates_per_territory_and_links_deviations(
    evaluator: Client, snapshot: BuiltLog
) -> None:
    rules = compliance.active_rules()
    assert rules, "the migration seeds reference rules"
    response = evaluator.get(reverse("analytics:compliance"), {"territory": "T3"})
    html = response.content.decode()
    shown = response.context["rules"]
    assert [item["rule"].code for item in shown] == [r.code for r in rules]
    for item in shown:
        assert {t for t, *_rest in item["territories"]} <= {"T3"}
        for case_id, territory, _late, _reached in item["deviations"]:
            assert territory == "T3"
            assert reverse("analytics:timeline", kwargs={"case_id": case_id}) in html
    assert any(item["deviations"] for item in shown)


def test_quality_and_typology_pages(evaluator: Client, snapshot: BuiltLog) -> None:
    quality = evaluator.get(reverse("analytics:quality"))
    checks = quality.context["checks"]
    assert checks
    assert quality.content.decode().count('data-testid="check"') == len(checks)
    typology = evaluator.get(reverse("analytics:typology"), {"k": "3"})
    types = typology.context["typology"].types
    assert len(types) == 3
    assert sum(t.size for t in types) == typology.context["typology"].sampled
    assert typology.content.decode().count('data-testid="type"') == 3


def test_the_cached_typology_follows_the_filters_and_the_snapshot(
    evaluator: Client, snapshot: BuiltLog
) -> None:
    every = evaluator.get(reverse("analytics:typology"), {"k": "2"}).context["typology"]
    t1 = evaluator.get(reverse("analytics:typology"), {"k": "2", "territory": "T1"})
    t1_cases = {s["case_id"] for s in snapshot.situations if s["territory"] == "T1"}
    found = t1.context["typology"]
    assert found.sampled < every.sampled
    assert {c for t in found.types for c in t.case_ids} <= t1_cases
    # Asked again, the same selection gives the same figures (from the cache).
    again = evaluator.get(reverse("analytics:typology"), {"k": "2", "territory": "T1"})
    assert [t.size for t in again.context["typology"].types] == [t.size for t in found.types]


def test_csv_exports_hold_the_table_of_the_page(evaluator: Client, snapshot: BuiltLog) -> None:
    page = evaluator.get(reverse("analytics:variants"), {"level": "agr", "coverage": "100"})
    export = evaluator.get(
        reverse("analytics:process_export", kwargs={"table": "variants"}),
        {"level": "agr", "coverage": "100"},
    )
    assert export["Content-Type"].startswith("text/csv")
    lines = b"".join(export.streaming_content).decode("utf-8").lstrip("\ufeff").splitlines()  # type: ignore[attr-defined]
    assert len(lines) - 1 == len(page.context["figures"]["variants"])
    assert lines[1].split(";")[0] == page.context["figures"]["variants"][0]["id"]
    edges = evaluator.get(reverse("analytics:process_export", kwargs={"table": "edges"}))
    rows = b"".join(edges.streaming_content).decode("utf-8").splitlines()  # type: ignore[attr-defined]
    assert len(rows) - 1 == len(
        evaluator.get(reverse("analytics:process_map")).context["figures"]["edges"]
    )
    assert (
        evaluator.get(reverse("analytics:process_export", kwargs={"table": "nope"})).status_code
        == 404
    )


def test_chips_remove_one_filter_each(snapshot: BuiltLog) -> None:
    filters = Filters(
        territories=("T1", "T2"),
        followed_by=("orient", "close"),
        min_days=10,
    )
    found = chips(filters, [("metric", "mean")])
    assert len(found) == 4  # two territories, one "followed by" pair, one duration
    by_label = {chip.label: dict(parse_qsl(chip.remove_query)) for chip in found}
    pair = next(label for label in by_label if "suivie un jour de" in label)
    assert pair == f"{activity_label('orient')} suivie un jour de {activity_label('close')}"
    assert "followed_by_a" not in by_label[pair]
    assert "followed_by_b" not in by_label[pair]
    assert by_label[pair]["metric"] == "mean"
    removed_t1 = parse_qsl(next(c.remove_query for c in found if c.label == "Territoire : T1"))
    assert ("territory", "T2") in removed_t1
    assert ("territory", "T1") not in removed_t1
    assert Filters.from_query(
        {k: [v for key, v in removed_t1 if key == k] for k, _v in removed_t1}
    ).territories == ("T2",)


def test_the_form_shows_the_filters_read(snapshot: BuiltLog) -> None:
    con = connect(snapshot.directory)
    filters = Filters(territories=("T1",), levels=("agr",), followed_by=("orient", "close"))
    form = FilterStackForm(filters, snapshot_choices(con))
    territory = str(form["territory"])
    t1 = re.search(r'<input[^>]*value="T1"[^>]*>', territory)
    t2 = re.search(r'<input[^>]*value="T2"[^>]*>', territory)
    assert t1 is not None
    assert t2 is not None
    assert "checked" in t1.group(0)
    assert "checked" not in t2.group(0)
    assert form["followed_by_a"].value() == "orient"
    assert form["followed_by_b"].value() == "close"
    choices = dict(form.fields["followed_by_a"].choices)  # type: ignore[attr-defined]
    assert choices["orient"] == activity_label("orient")
    assert activity_label("orient") != "orient"
    assert activity_label("commandement_de_payer") != "commandement_de_payer"
    assert french_month("2025-03") == "mars 2025"
    assert french_month("bad") == "bad"
