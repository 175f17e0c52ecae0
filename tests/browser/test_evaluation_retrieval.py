"""Retrieval, matrices and exchange in a real browser: an evaluator finds the segments of a
code and its sub-codes in their speaker turns, takes them away as CSV, opens the segments
behind a matrix cell and behind a co-occurrence, and exports the project as .qdpx. A bad
filter is refused in French. Every page passes the axe-core audit."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import pytest
from playwright.sync_api import expect

from etage.accounts.models import User
from tests.browser.conftest import audit
from tests.evaluation.retrieval_world import WITHDRAWN_MARK, RetrievalWorld, build_retrieval_world


@pytest.fixture
def world(demo_site: None) -> RetrievalWorld:
    people = {u.username: u for u in User.objects.filter(username__endswith="-evaluation")}
    return build_retrieval_world(people)


def test_an_evaluator_retrieves_compares_and_exports_coded_material(open_as: Any, world):
    page = open_as("t2-evaluation")
    page.goto(f"/evaluation/projets/{world.project.pk}/")
    page.get_by_role("navigation", name="Sections du projet").get_by_role(
        "link", name="Extraits et matrices"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Extraits codés")
    expect(page.get_by_role("heading", level=2)).to_contain_text("10 segments codés")
    expect(page.get_by_test_id("excerpts")).not_to_contain_text(WITHDRAWN_MARK)
    audit(page)

    # A code with its sub-codes, each excerpt in its speaker turn.
    page.get_by_label("Code", exact=True).select_option(label="Repérage")
    page.get_by_label("Inclure les sous-codes").check()
    page.get_by_label("Contexte affiché").select_option(label="Le tour de parole")
    page.get_by_role("button", name="Afficher les segments").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("4 segments codés")
    first = page.get_by_test_id("excerpts").get_by_role("listitem").first
    expect(first).to_contain_text("[Ménage]")
    expect(first.locator("mark")).to_contain_text("Début de l'extrait")
    expect(page.get_by_test_id("excerpts")).to_contain_text("Citation non autorisée")
    audit(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Tableur (CSV)").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(lines) == 1 + 4
    assert {line[4] for line in lines[1:]} == {"Repérage", "Premier contact"}

    # A bad width of context is refused in French, nothing shown.
    page.goto(page.url + "&caracteres=-5")
    expect(page.get_by_role("alert")).to_contain_text("supérieure ou égale à 0")
    audit(page)

    # The matrix: the cell "Repérage × Ménage" opens its two segments.
    page.get_by_role("link", name="Codes × attributs").click()
    matrix = page.get_by_test_id("code-matrix")
    expect(matrix.get_by_role("columnheader", name="Ménage")).to_be_visible()
    audit(page)
    row = matrix.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Repérage"))
    row.get_by_role("link", name="2 segments").first.click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("2 segments codés")
    expect(page.get_by_label("Type d'acteur")).to_have_value("household")

    # Co-occurrence: the reconciled pair of "Repérage" and "Coordination".
    page.get_by_role("link", name="Co-occurrences des codes").click()
    table = page.get_by_test_id("cooccurrence")
    expect(table).to_be_visible()
    audit(page)
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Repérage"))
    row.get_by_role("cell").nth(2).get_by_role("link", name="1").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("1 segment codé")
    expect(page.get_by_test_id("excerpts")).to_contain_text("codage réconcilié")

    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter le projet (REFI-QDA .qdpx)").click()
    archive = zipfile.ZipFile(download.value.path())
    assert "project.qde" in archive.namelist()
    assert len([n for n in archive.namelist() if n.startswith("sources/")]) == 2
