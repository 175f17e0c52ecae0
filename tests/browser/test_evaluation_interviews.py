"""The interview register in a real browser: an evaluator adds an interview, records the
consent, uploads a transcript, checks the replacements on the preview and saves it; the
register and the interview page then show the pseudonymised text only; the consent is then
withdrawn after a confirmation. Every page passes the axe-core audit. Names are invented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from etage.accounts.models import User
from etage.evaluation.models import Project, ProjectMember, Transcript
from tests.browser.conftest import audit

RAW = (
    "Enquêtrice : Comment avez-vous connu la plateforme ?\n"
    "Aïcha Benali : Par Madame Durandal, du bailleur.\n"
    "Enquêtrice : Et ensuite ?\n"
    "Aïcha Benali : Elle m'a écrit à aicha.benali@example.org, tout s'est enchaîné.\n"
)


@pytest.fixture
def project(demo_site: None) -> Project:
    lead = User.objects.get(username="t1-evaluation")
    project = Project.objects.create(name="Évaluation navigateur", created_by=lead)
    ProjectMember.objects.create(project=project, user=lead, role=ProjectMember.Role.LEAD)
    return project


def test_an_evaluator_registers_an_interview_and_its_pseudonymised_transcript(
    open_as: Any, project: Project, tmp_path: Path
) -> None:
    page = open_as("t1-evaluation")
    page.goto(f"/evaluation/projets/{project.pk}/")
    page.get_by_role("navigation", name="Sections du projet").get_by_role(
        "link", name="Entretiens"
    ).click()
    expect(page.get_by_test_id("no-interview")).to_be_visible()
    audit(page)

    page.get_by_role("link", name="Ajouter un entretien").click()
    page.get_by_label("Référence").fill("E01")
    page.get_by_label("Type d'acteur").select_option(label="Ménage")
    page.get_by_label("Date").fill("2025-03-12")
    page.get_by_label("Individuel").check()
    audit(page)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Entretien E01")
    expect(page.get_by_test_id("consent-status")).to_contain_text("Manquant")
    audit(page)

    page.get_by_role("link", name="Enregistrer le consentement").click()
    page.get_by_label("Consentement donné le").fill("2025-03-12")
    page.get_by_label("Formulaire signé").check()
    audit(page)
    page.get_by_role("button", name="Enregistrer le consentement").click()
    expect(page.get_by_test_id("consent-status")).to_contain_text("Donné")

    page.get_by_role("link", name="Téléverser la transcription").click()
    source = tmp_path / "entretien.txt"
    source.write_text(RAW, encoding="utf-8")
    page.get_by_label("Fichier de la transcription").set_input_files(str(source))
    page.get_by_label("Autres noms à remplacer").fill("Durandal")
    audit(page)
    page.get_by_role("button", name="Pseudonymiser et prévisualiser").click()

    replacements = page.get_by_test_id("replacements")
    expect(replacements).to_contain_text("Aïcha Benali")
    expect(replacements).to_contain_text("Durandal")
    expect(page.get_by_test_id("preview-text")).not_to_contain_text("Durandal")
    audit(page)
    page.get_by_role("button", name="Enregistrer cette transcription").click()

    expect(page.get_by_role("status")).to_contain_text("Transcription enregistrée.")
    transcript = page.get_by_test_id("transcript")
    expect(transcript).to_contain_text("Personne 1 : Par Madame Personne 2, du bailleur.")
    expect(transcript).not_to_contain_text("Aïcha")
    audit(page)
    stored = Transcript.objects.get(interview__project=project)
    assert "Aïcha" not in stored.text
    assert "aicha.benali@example.org" not in stored.text

    page.get_by_role("link", name="Retour au registre").click()
    register = page.get_by_test_id("register")
    expect(register).to_contain_text("12/03/2025")
    expect(register).to_contain_text("Donné")
    expect(register).to_contain_text("Oui (3 remplacements)")
    audit(page)

    page.get_by_role("link", name="E01").click()
    page.get_by_role("link", name="Enregistrer un retrait du consentement").click()
    audit(page)
    page.get_by_role("button", name="Confirmer le retrait").click()
    expect(page.get_by_role("status")).to_contain_text("ne peut plus être codé ni cité")
    expect(page.get_by_test_id("consent-status")).to_contain_text("Retiré")
    audit(page)
