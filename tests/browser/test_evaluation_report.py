"""The report page in a real browser: the lead evaluator reads the outline and what is missing,
writes the executive summary, downloads the Word document and finds the summary in it, and
the HTML report; a coder sees the same outline without the form. Every page, and the HTML
report itself, passes the axe-core audit."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from playwright.sync_api import expect

from etage.accounts.models import User
from tests.browser.conftest import audit
from tests.evaluation.report_world import QUESTION_TEXTS, ReportWorld, build_report_world


@pytest.fixture
def world(demo_site: None, settings: Any, tmp_path: Path) -> ReportWorld:
    settings.ETAGE_SNAPSHOT_DIR = tmp_path / "no-snapshot"
    people = {u.username: u for u in User.objects.filter(username__endswith="-evaluation")}
    return build_report_world(people)


def test_the_lead_writes_the_summary_and_downloads_the_report(open_as: Any, world) -> None:
    page = open_as("t1-evaluation")
    page.goto(f"/evaluation/projets/{world.project.pk}/")
    page.get_by_role("navigation", name="Sections du projet").get_by_role(
        "link", name="Rapport"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapport d'évaluation")
    outline = page.get_by_test_id("report-outline")
    for text in QUESTION_TEXTS:
        expect(outline).to_contain_text(text)
    expect(page.get_by_test_id("report-gaps")).to_contain_text("etage_snapshot")
    audit(page)

    page.get_by_label("Résumé exécutif").fill("Un résumé écrit dans le navigateur.")
    page.get_by_role("button", name="Enregistrer les textes").click()
    expect(page.get_by_role("status")).to_contain_text("Les textes du rapport sont enregistrés.")
    audit(page)

    with page.expect_download(timeout=60_000) as download:  # built on request, with charts
        page.get_by_role("link", name="Document Word (DOCX, modifiable)").click()
    data = Path(download.value.path()).read_bytes()
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "Un résumé écrit dans le navigateur." in text

    # The standalone HTML report passes the same audit as the pages.
    with page.expect_download(timeout=60_000) as download:  # built on request, with charts
        page.get_by_role("link", name="Page web (HTML, un seul fichier)").click()
    page.set_content(Path(download.value.path()).read_text(encoding="utf-8"))
    expect(page.get_by_role("heading", level=2, name=f"Q1. {QUESTION_TEXTS[0]}")).to_be_visible()
    expect(page.get_by_role("img")).to_have_count(1)
    audit(page)


def test_a_coder_reads_the_outline_without_the_form(open_as: Any, world) -> None:
    page = open_as("t2-evaluation")
    page.goto(f"/evaluation/projets/{world.project.pk}/rapport/")
    expect(page.get_by_test_id("report-outline")).to_contain_text(QUESTION_TEXTS[0])
    expect(page.get_by_test_id("report-texts")).to_have_count(0)
    expect(page.get_by_role("link", name="PDF")).to_be_visible()
    audit(page)
