"""Issue 5's meeting in a real browser: the coordinator of T2 plans a platform meeting, finds on
the agenda the situation waiting for orientation and the one whose review is due, records who
came, an AGR orientation and a postponement, and downloads the minutes — whose text holds the
decisions and, in the circulation version, no household name. Every page passes axe-core."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.conftest import audit

#: The two fictional households of the journey.
ASSESSED = ("Brisefer", "5 rue des Mésanges")
REVIEW_DUE = ("Capelière", "17 allée des Sorbiers")


def _situation(last_name: str, address: str, steps: int) -> str:
    """A T2 situation referred by the caretaker and moved ``steps`` steps along the pathway
    by the landlord's social worker and the coordinator, through the real services."""
    from etage.accounts.models import User
    from etage.intake.services import ReferralData, referral_create_situation
    from etage.organisations.models import Organisation
    from etage.situations.services import situation_transition
    from etage.territories.models import Commune

    users = {u.username: u for u in User.objects.filter(username__startswith="t2-")}
    referral = referral_create_situation(
        user=users["t2-signalement"],
        data=ReferralData(
            last_name=last_name,
            first_name="Zénobie",
            landlord_id=Organisation.objects.get(code="LMH").pk,
            commune_id=Commune.objects.get(insee_code="69259").pk,
            address=address,
            source="caretaker",
            urgency="normal",
            difficulties=("rent_arrears",),
            lease_reference="",
            description="Retards de loyer.",
            identified_on=dt.date(2026, 3, 2),
        ),
    )
    situation = referral.situation
    lead = users["t2-professionnel"]
    moves: list[tuple[str, dict[str, Any], str]] = [
        ("inform", {"method": "phone"}, "t2-professionnel"),
        ("contact_reached", {}, "t2-professionnel"),
        ("assess", {}, "t2-coordination"),
        (
            "orient",
            {
                "orientation": "coordination",
                "lead_professional_id": lead.pk,
                "referent_organisation_id": lead.organisation_id,
            },
            "t2-coordination",
        ),
        ("start_support", {"next_review_on": dt.date(2026, 6, 1)}, "t2-professionnel"),
    ]
    day = situation.identified_on
    for action, payload, username in moves[:steps]:
        day += dt.timedelta(days=3)
        situation.refresh_from_db()
        situation_transition(
            user=users[username],
            situation_id=situation.pk,
            action=action,
            expected_version=situation.version,
            occurred_on=day,
            payload=payload,
        )
    situation.refresh_from_db()
    return str(situation.reference)


@pytest.fixture
def waiting(demo_site: None) -> dict[str, str]:
    """Two T2 situations waiting for the platform: one assessed, one in support with its
    review due. Returns their references."""
    return {"assessed": _situation(*ASSESSED, steps=3), "review": _situation(*REVIEW_DUE, steps=5)}


@pytest.fixture
def lead_label(demo_site: None) -> str:
    from etage.accounts.models import User

    lead = User.objects.get(username="t2-professionnel")
    return f"{lead.get_full_name()} — LMH"


def docx_text(path: Path) -> str:
    document = Document(io.BytesIO(path.read_bytes()))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def pdf_text(path: Path) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(str(path)).pages)


def download(page: Page, link_name: str) -> Path:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    path = info.value.path()
    assert path is not None
    return Path(path)


def test_coordinator_runs_a_meeting_and_downloads_minutes_without_names(
    open_as, waiting: dict[str, str], lead_label: str
) -> None:
    coordinator = open_as("t2-coordination")
    audit(coordinator)

    # The meetings of the platform, then a new meeting that began half an hour ago.
    coordinator.get_by_role("link", name="Réunions", exact=True).click()
    expect(coordinator.locator("h1")).to_contain_text("Réunions — Plateforme territoriale")
    audit(coordinator)
    coordinator.get_by_role("link", name="Prévoir une réunion").click()
    audit(coordinator)
    start = dt.datetime.now(ZoneInfo("Europe/Paris")) - dt.timedelta(minutes=30)
    coordinator.get_by_label("Début").fill(start.strftime("%Y-%m-%dT%H:%M"))
    coordinator.get_by_label("Lieu").fill("Salle du conseil, CCAS de Vénissieux")
    coordinator.get_by_role("button", name="Prévoir la réunion").click()
    expect(coordinator.get_by_test_id("meeting-status")).to_contain_text("Prévue")
    audit(coordinator)

    # The agenda holds both situations, each with its reason.
    agenda = coordinator.get_by_test_id("agenda")
    expect(agenda).to_contain_text(waiting["assessed"])
    expect(agenda).to_contain_text(waiting["review"])
    expect(agenda).to_contain_text("Évaluée, en attente d'orientation")
    expect(agenda).to_contain_text("Revue à faire")

    # Reorder with the keyboard-reachable buttons (HTMX swaps the agenda in place).
    coordinator.get_by_role("button", name=f"Descendre — {waiting['assessed']}").click()
    expect(coordinator.get_by_test_id("agenda-item").first).to_contain_text(waiting["review"])
    audit(coordinator)

    # Who came.
    coordinator.get_by_label("Lyon Métropole Habitat").check()
    coordinator.get_by_label("CCAS de Vénissieux").check()
    coordinator.get_by_role("button", name="Enregistrer les présences").click()
    expect(coordinator.get_by_label("Lyon Métropole Habitat")).to_be_checked()
    audit(coordinator)

    # An AGR orientation, with the landlord's social worker as lead professional.
    coordinator.get_by_role("link", name=f"Enregistrer la décision — {waiting['assessed']}").click()
    expect(coordinator.locator("h1")).to_contain_text(waiting["assessed"])
    audit(coordinator)
    coordinator.locator("#id_kind_0").check()  # the first decision offered: orientation
    coordinator.get_by_label("Accompagnement global renforcé (AGR)").check()
    coordinator.locator("#id_lead_professional").select_option(label=lead_label)
    coordinator.get_by_role("button", name="Enregistrer la décision").click()
    expect(coordinator.locator(".messages")).to_contain_text(
        f"Décision enregistrée pour la situation {waiting['assessed']}"
    )
    audit(coordinator)

    # A postponement for the review: information is missing.
    coordinator.get_by_role("link", name=f"Enregistrer la décision — {waiting['review']}").click()
    audit(coordinator)
    coordinator.get_by_label("Report à la prochaine réunion").check()
    coordinator.get_by_label("Informations manquantes pour décider").check()
    coordinator.get_by_role("button", name="Enregistrer la décision").click()
    expect(coordinator.get_by_test_id("meeting-status")).to_contain_text("Tenue")
    agenda = coordinator.get_by_test_id("agenda")
    expect(agenda).to_contain_text("Report à la prochaine réunion")
    expect(agenda).to_contain_text("Orientation")
    audit(coordinator)

    # The situation page shows the orientation made at the meeting.
    coordinator.get_by_role("link", name=waiting["assessed"]).click()
    expect(coordinator.get_by_test_id("level")).to_contain_text("AGR")
    audit(coordinator)
    coordinator.go_back()

    # The minutes: circulation version (PDF and Word) and members' version (Word).
    circulation_pdf = pdf_text(download(coordinator, "Version de diffusion (PDF)"))
    circulation_docx = docx_text(download(coordinator, "Version de diffusion (Word)"))
    members_docx = docx_text(download(coordinator, "Version membres (Word)"))
    for text in (circulation_pdf, circulation_docx, members_docx):
        assert "Compte rendu de la réunion" in text
        assert re.search(r"Orientation\s*:\s*Accompagnement global renforcé \(AGR\)", text)
        assert "Informations manquantes pour décider" in text
        assert "Lyon Métropole Habitat" in text
    for text in (circulation_pdf, circulation_docx):
        for name, address in (ASSESSED, REVIEW_DUE):
            assert name.upper() not in text.upper()
            assert address not in text
        assert "Zénobie" not in text
        for reference in waiting.values():
            assert reference not in text
    # The coordination's CCAS is in neither sharing group: references, no names, there too.
    assert waiting["assessed"] in members_docx
    assert ASSESSED[0].upper() not in members_docx.upper()
