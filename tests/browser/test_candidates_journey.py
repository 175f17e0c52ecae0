"""Issue 6's early-warning journey in a real browser: after EMH's monthly extract is
imported, EMH's social worker in T1 opens the candidate list, creates a situation from one
candidate (the referral form comes pre-filled), sees the new situation, and dismisses
another candidate with a reason. Every page passes the axe-core audit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import audit

HEADER = (
    "reference_bail;date_solde;locataires;adresse;commune;loyer_mensuel;solde;mois_impayes;"
    "date_dernier_paiement;etape_procedure;date_etape_procedure"
)
ROWS = [
    "EMH-1001;30/04/2026;M. FICTIVEL Gaspard;5 rue des Peupliers;69256;400,00;600,00;1,5;"
    "10/04/2026;;",
    "EMH-1001;31/05/2026;M. FICTIVEL Gaspard;5 rue des Peupliers;69256;400,00;1 280,00;3,2;"
    "10/04/2026;commandement_de_payer;20/05/2026",
    "EMH-1002;31/05/2026;Mme IMAGINAIRE Zélie;9 allée des Cerisiers;69029;450,00;1 000,00;2,2;"
    "15/05/2026;;",
    "EMH-1003;31/05/2026;M. PAISIBLE Jules;2 place Centrale;69256;420,00;0,00;0;28/05/2026;;",
]
EXTRACT = "\n".join([HEADER, *ROWS]) + "\n"


@pytest.fixture
def imported_extract(demo_site: None, tmp_path: Path) -> None:
    from etage.intake.arrears.services import arrears_import_file
    from etage.intake.models import ImportStatus
    from etage.organisations.models import Organisation

    path = tmp_path / "extrait-emh-mai-2026.csv"
    path.write_text(EXTRACT, encoding="utf-8")
    batch = arrears_import_file(
        landlord=Organisation.objects.get(code="EMH"),
        path=path,
        file_name=path.name,
        submitted_by=None,
    )
    assert batch.status == ImportStatus.DONE, batch.errors


def test_social_worker_creates_a_situation_from_a_candidate_and_dismisses_another(
    open_as, imported_extract: None
) -> None:
    page = open_as("t1-professionnel")
    page.get_by_role("link", name="Repérage précoce").first.click()
    expect(page.locator("h1")).to_have_text("Repérage précoce : ménages à qualifier")
    audit(page)
    table = page.get_by_test_id("candidates")
    # Most severe first; reasons in words; the lease without debt is not there.
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").first).to_contain_text("FICTIVEL")
    expect(table).to_contain_text("Dette de 3,2 mois de loyer (seuil : 2)")
    expect(table).not_to_contain_text("PAISIBLE")

    # Create a situation from the first candidate: the form is pre-filled.
    table.get_by_role("link", name=re.compile("Créer une situation — EMH-1001")).click()
    expect(page.locator("h1")).to_contain_text("EMH-1001")
    audit(page)
    expect(page.locator("#id_last_name")).to_have_value("FICTIVEL")
    expect(page.locator("#id_first_name")).to_have_value("Gaspard")
    expect(page.locator("#id_address")).to_have_value("5 rue des Peupliers")
    expect(page.locator("#id_commune")).to_have_value(re.compile(r"\d+"))
    expect(page.locator("#id_commune option:checked")).to_contain_text("Vaulx-en-Velin")
    expect(page.locator("#id_lease_reference")).to_have_value("EMH-1001")
    expect(page.locator("#id_entry_stage")).to_have_value("commandement")
    expect(page.locator("#id_entry_debt")).to_have_value("1280.00")
    expect(page.get_by_label("Impayés de loyer")).to_be_checked()
    page.locator("#id_adults").fill("2")
    page.get_by_role("button", name="Créer la situation").click()
    expect(page.locator(".message--success")).to_contain_text("Situation créée depuis le candidat")
    expect(page.get_by_test_id("household")).to_contain_text("Gaspard FICTIVEL")
    audit(page)

    # Back to the list: one candidate left; dismiss it with a reason.
    page.get_by_role("link", name="Repérage précoce").first.click()
    table = page.get_by_test_id("candidates")
    expect(table.locator("tbody tr")).to_have_count(1)
    table.get_by_role("link", name=re.compile("Écarter — EMH-1002")).click()
    expect(page.locator("h1")).to_contain_text("EMH-1002")
    audit(page)
    page.get_by_role("button", name="Confirmer la mise à l’écart").click()
    expect(page.locator(".error-summary")).to_be_visible()  # no reason chosen
    page.get_by_label("Dette en cours d’apurement").check()
    page.get_by_role("button", name="Confirmer la mise à l’écart").click()
    expect(page.locator(".message--success")).to_contain_text("EMH-1002 écarté")
    expect(page.locator(".empty")).to_be_visible()
    audit(page)
    page.locator("#id_status").select_option("dismissed")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_test_id("candidates")).to_contain_text("Dette en cours d’apurement")
    audit(page)
