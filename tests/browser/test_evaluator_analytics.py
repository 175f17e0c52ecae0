"""Issue 8's must-show in a real browser: the evaluator filters to T1 + AGR, opens the process
map, the variants, one pseudonymised timeline and a survival curve with its table. The filters
follow from page to page as removable chips; every page passes the axe-core audit."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import audit, demo_site_with_history


@pytest.fixture
def snapshot(demo_site: None, tmp_path: Path, settings: Any) -> Path:
    """The demo history, pseudonymised into a snapshot as the nightly job writes it."""
    from etage.analytics.snapshot import write_snapshot
    from etage.notifications.dispatch import suppressed

    # Without notifications, as the persona journeys: one recording per worker for all.
    with suppressed():
        demo_site_with_history(seed=1, count=80)
    settings.ETAGE_SNAPSHOT_DIR = tmp_path / "snapshot"
    write_snapshot(settings.ETAGE_SNAPSHOT_DIR, full=True)
    return Path(settings.ETAGE_SNAPSHOT_DIR)


def _chips(page: Page) -> list[str]:
    return page.get_by_test_id("filter-chips").get_by_role("listitem").all_inner_texts()


def test_the_evaluator_explores_t1_agr_pathways(open_as: Any, snapshot: Path) -> None:
    page = open_as("t1-evaluation")
    page.get_by_role("link", name="Analyse des parcours").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Analyse des parcours")
    audit(page)

    page.get_by_role("group", name="Territoire").get_by_label("T1").check()
    page.get_by_role("group", name="Niveau d'accompagnement").get_by_label(
        "Accompagnement global renforcé (AGR)"
    ).check()
    page.get_by_role("button", name="Appliquer les filtres").click()
    expect(page).to_have_url(re.compile(r"territory=T1.*level=agr"))
    chips = _chips(page)
    assert any("Territoire : T1" in chip for chip in chips), chips
    assert any("AGR" in chip for chip in chips), chips
    audit(page)

    # The process map: an SVG drawing and the table of the same figures.
    page.get_by_role("navigation", name="Analyse des parcours").get_by_role(
        "link", name="Carte des processus"
    ).click()
    expect(page).to_have_url(re.compile(r"/analyse/carte/\?territory=T1&level=agr"))
    expect(page.get_by_test_id("process-map")).to_be_visible()
    edges = page.get_by_test_id("edge")
    expect(edges.first).to_be_visible()
    assert len(_chips(page)) == 2
    audit(page)
    # The metric switch redraws the map in place (HTMX), the filters still applied.
    page.get_by_label("Chiffres sur les flèches").select_option("mean")
    expect(page.get_by_test_id("process-map").locator("figcaption")).to_contain_text("moyenne")
    expect(page.locator(".edge text").first).to_contain_text("moyenne")
    audit(page)

    # The variants, then the situations of the most frequent one, then one timeline.
    page.get_by_role("navigation", name="Analyse des parcours").get_by_role(
        "link", name="Variantes"
    ).click()
    expect(page).to_have_url(re.compile(r"/analyse/variantes/\?territory=T1&level=agr"))
    variants = page.get_by_test_id("variant")
    expect(variants.first).to_be_visible()
    audit(page)
    variants.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Situations d’une variante")
    audit(page)
    page.get_by_test_id("variant-cases").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Parcours pseudonymisé")
    events = page.get_by_test_id("timeline-event")
    expect(events.first).to_be_visible()
    expect(
        page.get_by_test_id("timeline").get_by_role("cell", name="jour 0", exact=True).first
    ).to_be_visible()
    attributes = page.get_by_test_id("timeline-attributes").inner_text()
    assert "T1" in attributes
    assert "Accompagnement global renforcé (AGR)" in attributes
    # Days since identification and months, never a calendar date.
    body = page.locator("main").inner_text()
    assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{4}\b", body), body
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", body), body
    audit(page)

    # A survival curve with its at-risk table and the table of the curve.
    page.get_by_role("navigation", name="Analyse des parcours").get_by_role(
        "link", name="Délais (survie)"
    ).click()
    page.get_by_label("Étape", exact=True).select_option("orientation")
    page.get_by_role("button", name="Tracer la courbe").click()
    expect(page).to_have_url(re.compile(r"endpoint=orientation"))
    expect(page).to_have_url(re.compile(r"territory=T1"))
    expect(page.get_by_test_id("at-risk").first).to_be_visible()
    chart = page.locator('figure[data-chart="survie-spec"]')
    expect(chart).to_have_attribute("data-drawn", "1")
    expect(chart.locator("canvas")).to_be_visible()
    rows = chart.locator("tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() > 1
    audit(page)

    # The other pages of the analysis keep the filters and pass the audit too.
    for link, heading in (
        ("Parcours de référence", "Parcours de référence"),
        ("Qualité des données", "Qualité des données"),
        ("Typologie des parcours", "Typologie des parcours"),
    ):
        page.get_by_role("navigation", name="Analyse des parcours").get_by_role(
            "link", name=link
        ).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page).to_have_url(re.compile(r"territory=T1&level=agr"))
        audit(page)


def test_the_slider_redraws_the_map_with_fewer_activities(open_as: Any, snapshot: Path) -> None:
    page = open_as("t1-evaluation")
    page.goto("/analyse/carte/?activities=100")
    boxes = page.locator(".process-map .node")
    expect(boxes.first).to_be_visible()
    before = boxes.count()
    page.get_by_label("Activités affichées").fill("30")
    expect(page.get_by_test_id("map-shown")).to_contain_text("(30 %")
    # The fragment arrives after the slider's text: wait for the redrawn map.
    expect(boxes).not_to_have_count(before)
    assert boxes.count() < before
    audit(page)
