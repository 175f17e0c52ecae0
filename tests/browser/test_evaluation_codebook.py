"""The codebook in a real browser: the lead evaluator reads the tree, adds a sub-code linked to
a question (after a refused empty name), merges a code after reading what will move, splits
another, reads the history, exports the codebook and imports it into a fresh project through
the preview. A coder sees no merge or split link. Every page passes the axe-core audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from etage.accounts.models import User
from etage.evaluation.models import Code, Project, ProjectMember
from tests.browser.conftest import audit
from tests.evaluation.codebook_world import CodebookWorld, build, segment


@pytest.fixture
def world(demo_site: None) -> CodebookWorld:
    people = {u.username: u for u in User.objects.filter(username__endswith="-evaluation")}
    world = build(people)
    segment(world.transcript, world.orientation, world.coder, 0, 20)
    segment(world.transcript, world.orientation, world.coder, 30, 60)
    return world


def test_the_lead_edits_merges_splits_and_moves_the_codebook(open_as: Any, world, tmp_path):
    page = open_as("t1-evaluation")
    page.goto(f"/evaluation/projets/{world.project.pk}/")
    page.get_by_role("navigation", name="Sections du projet").get_by_role(
        "link", name="Livre de codes"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Livre de codes")
    tree = page.get_by_test_id("codebook-tree")
    expect(tree.get_by_role("heading", level=2, name="Accès au logement")).to_be_visible()
    expect(tree.get_by_role("heading", level=3, name="Orientation (2 segments)")).to_be_visible()
    audit(page)

    # A sub-code: an empty name is refused first, then the code is created.
    page.get_by_role("link", name="Ajouter un sous-code — Relations avec le bailleur").click()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("Ce champ est obligatoire")
    audit(page)
    page.get_by_label("Nom").fill("Gardien")
    page.get_by_label("Définition").fill("Le gardien comme premier relais.")
    page.get_by_label("Q1. La plateforme agit-elle plus tôt ?").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Code « Gardien » créé.")
    expect(tree.get_by_role("heading", level=3, name="Gardien (0 segment)")).to_be_visible()

    # Merge "Orientation" into "Gardien", after reading what will move.
    page.get_by_role("link", name="Fusionner — Orientation").click()
    page.get_by_label("Fusionner dans").select_option(label="— Gardien")
    page.get_by_role("button", name="Voir ce que fera la fusion").click()
    plan = page.get_by_test_id("merge-plan")
    expect(plan).to_contain_text("2 segments seront recodés avec « Gardien ».")
    audit(page)
    plan.get_by_role("button", name="Fusionner").click()
    expect(page.get_by_role("status")).to_contain_text("2 segments recodés")
    expect(page.get_by_test_id("codebook-closed")).to_contain_text(
        "Orientation — fusionné dans « Gardien »"
    )
    audit(page)

    # Split "Gardien": one segment goes to the new code.
    page.get_by_role("link", name="Scinder — Gardien").click()
    page.get_by_label("Nom du nouveau code").fill("Gardien absent")
    page.get_by_role("checkbox").first.check()
    audit(page)
    page.get_by_role("button", name="Scinder").click()
    expect(page.get_by_role("status")).to_contain_text("avec 1 segment")

    page.get_by_role("link", name="Historique — Gardien", exact=True).click()
    history = page.get_by_test_id("codebook-history")
    expect(history).to_contain_text("« Orientation » a été fusionné dans ce code.")
    expect(history).to_contain_text("Scindé : « Gardien absent » créé avec 1 de ses segments.")
    audit(page)

    # Export, then import into a fresh project through the preview.
    page.goto(f"/evaluation/projets/{world.project.pk}/livre-de-codes/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter le livre de codes (.qdc, REFI-QDA)").click()
    assert download.value.suggested_filename == "livre-de-codes.qdc"
    qdc = tmp_path / "livre-de-codes.qdc"
    qdc.write_bytes(Path(download.value.path()).read_bytes())
    fresh = Project.objects.create(name="Projet neuf", created_by=world.lead)
    ProjectMember.objects.create(project=fresh, user=world.lead, role=ProjectMember.Role.LEAD)
    page.goto(f"/evaluation/projets/{fresh.pk}/livre-de-codes/")
    expect(page.get_by_test_id("codebook-empty")).to_be_visible()
    audit(page)
    page.get_by_role("link", name="Importer un livre de codes (.qdc)").click()
    page.get_by_label("Fichier de livre de codes (.qdc, REFI-QDA)").set_input_files(qdc)
    page.get_by_role("button", name="Prévisualiser l’import").click()
    expect(page.get_by_test_id("import-new")).to_contain_text("5 codes seront créés")
    audit(page)
    page.get_by_role("button", name="Importer ces codes").click()
    expect(page.get_by_role("status")).to_contain_text("5 codes importés.")
    assert Code.objects.filter(project=fresh).count() == 5


def test_a_coder_reads_the_codebook_without_merge_or_split(open_as: Any, world) -> None:
    page = open_as("t2-evaluation")
    page.goto(f"/evaluation/projets/{world.project.pk}/livre-de-codes/")
    expect(page.get_by_test_id("codebook-tree")).to_contain_text("Accès au logement")
    expect(page.get_by_role("link", name="Fusionner — Orientation")).to_have_count(0)
    page.get_by_role("link", name="Historique du livre de codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Historique du livre de codes")
    audit(page)
