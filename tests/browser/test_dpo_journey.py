"""Issue 7's data-protection officer in a real browser: the officer searches the access log by
period and action and exports it as CSV for French spreadsheets, registers an access request
(errors first), finds a person with a reason and produces their file as JSON and PDF, and
reads the emergency-access register. A professional is refused the access log. Every page and
every form with errors passes the axe-core audit."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import audit

LAST_NAME = "Songeclair"


@pytest.fixture
def situation(demo_site: None) -> Any:
    """A situation of an invented household, read once by EMH's professional: the log has an
    entry of today for the officer to find."""
    from etage.accounts.models import User
    from etage.core.models import AccessAction
    from etage.core.services import access_log_record
    from etage.intake.services import ReferralData, referral_create_situation
    from etage.organisations.models import Organisation
    from etage.territories.models import Commune

    referral = referral_create_situation(
        user=User.objects.get(username="t1-signalement"),
        data=ReferralData(
            last_name=LAST_NAME,
            first_name="Apolline",
            landlord_id=Organisation.objects.get(code="EMH").pk,
            commune_id=Commune.objects.get(insee_code="69256").pk,
            address="12 rue des Glycines",
            source="caretaker",
            urgency="normal",
            difficulties=("rent_arrears",),
            description="Retards de loyer depuis trois mois.",
        ),
    )
    access_log_record(
        user=User.objects.get(username="t1-professionnel"),
        action=AccessAction.READ,
        obj=referral.situation,
        situation_id=referral.situation.pk,
        reason="Préparation du premier rendez-vous",
    )
    return referral.situation


def test_the_dpo_searches_and_exports_the_access_log(open_as, situation: Any) -> None:
    page = open_as("t1-dpd")
    page.get_by_role("link", name="Journal des accès").first.click()
    expect(page).to_have_url("/journal-des-acces/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Journal des accès")
    audit(page)

    today = timezone.localdate()
    page.get_by_label("Du").fill(today.isoformat())
    page.get_by_label("Au (inclus)").fill(today.isoformat())
    page.get_by_label("Action", exact=True).select_option(label="Consultation")
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"[?&]action=read(&|$)"))
    rows = page.get_by_test_id("entry")
    expect(rows.first).to_be_visible()
    for text in rows.all_inner_texts():
        assert "Consultation" in text
    expect(page.get_by_role("table")).to_contain_text("t1-professionnel")
    expect(page.get_by_role("table")).to_contain_text(situation.reference)
    expect(page.get_by_role("table")).to_contain_text("Préparation du premier rendez-vous")
    audit(page)

    # A period ending before it starts: explained, nothing listed, no export offered.
    page.get_by_label("Du").fill(today.isoformat())
    page.get_by_label("Au (inclus)").fill((today - dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("alert")).to_contain_text("La fin de la période est avant son début")
    expect(page.get_by_test_id("entry")).to_have_count(0)
    expect(page.get_by_test_id("export")).to_have_count(0)
    audit(page)

    page.get_by_label("Au (inclus)").fill(today.isoformat())
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_test_id("entry").first).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_test_id("export").click()
    download = download_info.value
    assert download.suggested_filename.startswith("journal-des-acces-")
    assert download.suggested_filename.endswith(".csv")
    content = Path(download.path()).read_text(encoding="utf-8")
    assert content.startswith("\ufeff")
    lines = content.lstrip("\ufeff").splitlines()
    assert ";" in lines[0]
    assert "," not in lines[0]
    assert len(lines) >= 2
    assert all(line.split(";")[3] == "Consultation" for line in lines[1:]), lines
    assert any(situation.reference in line for line in lines[1:])


def test_the_dpo_registers_a_request_and_produces_a_persons_file(open_as, situation: Any) -> None:
    page = open_as("t1-dpd")
    page.get_by_role("link", name="Demandes d'exercice des droits").first.click()
    expect(page).to_have_url("/protection/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Demandes d'exercice des droits")
    audit(page)

    page.get_by_role("link", name="Enregistrer une demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enregistrer une demande")
    audit(page)
    page.get_by_role("button", name="Enregistrer la demande").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Nom de la personne, tel que donné")
    expect(summary).to_contain_text("Droit exercé")
    expect(summary).to_contain_text("Reçue par")
    audit(page)

    page.get_by_label("Nom de la personne, tel que donné").fill(f"Apolline {LAST_NAME}")
    page.get_by_role("radio", name="Accès").check()
    page.get_by_role("radio", name="Courrier").check()
    page.get_by_role("button", name="Enregistrer la demande").click()
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"Demande \S+ enregistrée"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Demande")
    audit(page)

    page.goto("/protection/")
    expect(page.get_by_test_id("request-row")).to_contain_text(f"Apolline {LAST_NAME}")
    page.get_by_role("link", name="Retrouver une personne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Tout ce qui est détenu sur une personne"
    )
    audit(page)

    # A search without a reason lists nobody and says why.
    page.get_by_label(re.compile(r"^Nom \(")).fill(LAST_NAME)
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("alert")).to_contain_text("Motif")
    expect(page.get_by_test_id("household")).to_have_count(0)
    audit(page)

    page.get_by_label("Motif").fill("Demande d'accès de Mme Songeclair")
    page.get_by_role("button", name="Rechercher").click()
    household = page.get_by_test_id("household")
    expect(household).to_have_count(1)
    expect(household).to_contain_text(LAST_NAME.upper(), ignore_case=True)
    expect(household).to_contain_text(situation.reference)
    audit(page)

    with page.expect_download() as json_info:
        household.get_by_role("button", name="Produire le dossier (JSON)").click()
    json_download = json_info.value
    assert json_download.suggested_filename.endswith(".json")
    data = json.loads(Path(json_download.path()).read_text(encoding="utf-8"))
    assert LAST_NAME.lower() in json.dumps(data, ensure_ascii=False).lower()

    with page.expect_download() as pdf_info:
        household.get_by_role("button", name="Produire le dossier (PDF)").click()
    pdf_download = pdf_info.value
    assert pdf_download.suggested_filename.endswith(".pdf")
    assert Path(pdf_download.path()).read_bytes().startswith(b"%PDF")

    # Both files are in the access log, with the reason given to the search.
    page.goto("/journal-des-acces/")
    page.get_by_label("Action", exact=True).select_option(label="Export")
    page.get_by_label("Identifiant").fill("t1-dpd")
    page.get_by_role("button", name="Filtrer").click()
    exports = page.get_by_test_id("entry").filter(has_text="households.household")
    expect(exports).to_have_count(2)
    expect(exports.first).to_contain_text("Demande d'accès de Mme Songeclair")
    audit(page)


def test_the_dpo_reads_the_emergency_access_register(open_as, situation: Any) -> None:
    from etage.accounts.models import User
    from etage.breakglass.services import break_glass_open

    break_glass_open(
        user=User.objects.get(username="t1-admin"),
        reference=situation.reference,
        reason="Incident : la fiche de cette situation reste blanche.",
    )
    page = open_as("t1-dpd")
    page.get_by_role("link", name="Accès d’urgence").first.click()
    expect(page).to_have_url("/acces-urgence/registre/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès d’urgence")
    table = page.get_by_role("table")
    expect(table).to_contain_text(situation.reference)
    expect(table).to_contain_text("reste blanche")
    audit(page)


def test_a_professional_is_refused_the_access_log(open_as, demo_site: None) -> None:
    page: Page = open_as("t1-professionnel")
    response = page.goto("/journal-des-acces/")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès refusé")
    expect(page.get_by_role("main")).to_contain_text("Votre compte ne donne pas accès")
    expect(page.get_by_role("table")).to_have_count(0)
    audit(page)
    response = page.goto("/journal-des-acces/export.csv")
    assert response is not None
    assert response.status == 403
