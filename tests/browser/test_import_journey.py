"""A rent-recovery officer imports the monthly arrears extract from the page: a file with an
error is rejected with its report, the corrected file is imported; every page passes axe."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import audit
from tests.intake.imports.conftest import line, sample_rows, write_csv


@pytest.mark.usefixtures("demo_site")
def test_an_officer_sends_a_wrong_extract_then_the_corrected_one(open_as, tmp_path: Path):
    bad = write_csv(
        tmp_path / "extrait-octobre.csv",
        [*sample_rows(2), line(lease="X", commune="Atlantis")],
        encoding="cp1252",
    )
    good = write_csv(tmp_path / "extrait-octobre-corrige.csv", sample_rows(3), encoding="cp1252")
    page = open_as("t2-recouvrement")
    page.goto("/")
    page.get_by_role("link", name="Importer l'extraction des impayés").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Imports des impayés")
    audit(page)

    page.get_by_label("Extraction mensuelle des impayés").set_input_files(str(bad))
    page.get_by_role("button", name="Envoyer l'extraction").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import n°")
    expect(page.get_by_text("1 erreur trouvée")).to_be_visible()
    table = page.get_by_role("table", name="Erreurs trouvées, par ligne et par colonne")
    expect(table).to_contain_text("Commune inconnue « Atlantis »")
    expect(table.get_by_role("row").nth(1)).to_contain_text("4")
    audit(page)

    page.get_by_role("link", name="Imports des impayés").click()
    page.get_by_label("Extraction mensuelle des impayés").set_input_files(str(good))
    page.get_by_role("button", name="Envoyer l'extraction").click()
    expect(page.get_by_text("L'extraction a été importée.")).to_be_visible()
    expect(page.get_by_test_id("lines-created")).to_have_text("3")
    audit(page)
    page.get_by_role("link", name="Imports des impayés").click()
    expect(page.get_by_role("link", name="extrait-octobre-corrige.csv")).to_be_visible()
