"""Workshops in a real browser (evaluation.md part D, must-show): the facilitator types in the
hands raised in the room and the results page shows the new order; an attendee with an ETAGE
account votes with dots from their own device, is refused beyond the limit, and their ballot
reaches the facilitator's results page by itself (live polling). Retaining a card opens its
action-plan item; a past deadline makes it late in the follow-up, and the plan filtered to the
late actions downloads as XLSX. Every page passes the axe-core audit."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook
from playwright.sync_api import expect

from etage.accounts.models import User
from tests.browser.conftest import audit
from tests.evaluation.workshops_world import CARD_TITLES, WorkshopWorld, build_workshop_world

A, B, C = CARD_TITLES


@pytest.fixture
def world(demo_site: None) -> WorkshopWorld:
    people = {u.username: u for u in User.objects.filter(username__startswith="t")}
    # Warm up the URLconf, templates and catalogue in this process (the live server's): on a
    # loaded machine the first page a browser asks for can otherwise exceed its timeout.
    Client().get("/compte/connexion/")
    return build_workshop_world(people)


def test_the_facilitator_types_in_hand_votes_and_the_ranking_follows(
    open_as: Any, world: WorkshopWorld
) -> None:
    page = open_as("t1-evaluation")
    page.goto(f"/evaluation/projets/{world.project.pk}/")
    page.get_by_role("navigation", name="Sections du projet").get_by_role(
        "link", name="Ateliers"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ateliers participatifs")
    expect(page.get_by_test_id("workshops")).to_contain_text("12 mars 2026")
    audit(page)

    page.get_by_role("link", name=world.workshop.title).click()
    expect(page.get_by_test_id("attendees-by-type")).to_contain_text("Ménage")
    audit(page)

    page.get_by_role("link", name="Saisir les votes à main levée").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Votes à main levée")
    audit(page)
    page.get_by_label(f"Mains levées pour « {C} »").fill("2")
    page.get_by_label(f"Mains levées pour « {B} »").fill("5")
    page.get_by_role("button", name="Enregistrer les votes à main levée").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Résultats")
    expect(page.get_by_text("Votes à main levée enregistrés")).to_be_visible()
    rows = page.get_by_test_id("result-row")
    expect(rows.nth(0)).to_contain_text(B)
    expect(rows.nth(0)).to_contain_text("5 gommettes")
    expect(rows.nth(1)).to_contain_text(C)
    audit(page)

    # The room changes its mind: the new count replaces the previous one.
    page.get_by_role("link", name="Saisir les votes à main levée").click()
    expect(page.get_by_label(f"Mains levées pour « {B} »")).to_have_value("5")
    page.get_by_label(f"Mains levées pour « {B} »").fill("1")
    page.get_by_label(f"Mains levées pour « {A} »").fill("1")
    page.get_by_role("button", name="Enregistrer les votes à main levée").click()
    expect(rows.nth(0)).to_contain_text(C)
    # A and B are tied on one dot each: the tie is explained, the card order decides.
    expect(rows.nth(1)).to_contain_text(A)
    expect(rows.nth(1)).to_contain_text("Ex aequo avec")
    expect(rows.nth(2)).to_contain_text(B)
    audit(page)

    # Retaining the winner makes it an item of the action plan.
    page.get_by_role("link", name=f"Retour à l'atelier « {world.workshop.title} »").click()
    page.get_by_role("button", name=f"Retenir pour le plan d'action — {C}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(C)
    audit(page)
    page.get_by_label("Pilote").fill("Direction de la plateforme")
    # A deadline already past: the follow-up counts the action as late, in words.
    page.get_by_label("Échéance").fill("2020-01-31")
    page.get_by_label("Statut").select_option(label="En cours")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_test_id("action-row")).to_contain_text(world.workshop.title)
    expect(page.get_by_test_id("action-row")).to_contain_text("en retard")
    expect(page.get_by_test_id("overdue-count")).to_have_text("1 action dont l'échéance est passée")
    audit(page)

    # Only the late actions, then the plan as a spreadsheet.
    page.get_by_label("Actions en retard seulement").check()
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_test_id("actions-count")).to_contain_text("1 action affichée sur 1.")
    audit(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le plan (XLSX)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    # The saved download has no extension, which openpyxl insists on: read it from memory.
    workbook = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[1][0] == C
    assert rows[1][6] == "oui"


def test_an_attendee_votes_with_dots_and_is_refused_beyond_the_limit(
    open_as: Any, world: WorkshopWorld
) -> None:
    facilitator = open_as("t1-evaluation")
    facilitator.goto(f"/evaluation/projets/{world.project.pk}/ateliers/{world.workshop.pk}/")
    facilitator.get_by_role("button", name="Ouvrir le vote").click()
    expect(facilitator.get_by_test_id("vote-status")).to_have_text("Le vote est ouvert.")
    facilitator.get_by_role("link", name="Résultats", exact=True).click()
    expect(facilitator.get_by_test_id("result-row").nth(0)).to_contain_text("0 gommette")
    audit(facilitator)

    attendee = open_as("t1-professionnel")
    vote_url = f"/evaluation/projets/{world.project.pk}/ateliers/{world.workshop.pk}/voter/"
    attendee.goto(vote_url)
    expect(attendee.get_by_role("heading", level=1)).to_contain_text(world.workshop.title)
    audit(attendee)

    attendee.get_by_label(A).fill("2")
    attendee.get_by_label(B).fill("2")
    expect(attendee.locator("#dots-used")).to_contain_text("c'est trop")
    attendee.get_by_role("button", name="Enregistrer mon bulletin").click()
    expect(attendee.get_by_role("alert")).to_contain_text(
        "Vous avez donné 4 gommettes mais chaque personne en a 3"
    )
    audit(attendee)

    attendee.get_by_label(B).fill("1")
    attendee.get_by_role("button", name="Enregistrer mon bulletin").click()
    expect(attendee.get_by_text("Votre bulletin est enregistré.")).to_be_visible()
    expect(attendee.get_by_test_id("result-row").nth(0)).to_contain_text(A)
    audit(attendee)

    # The facilitator's results page, left open, shows the ballot by itself.
    expect(facilitator.get_by_test_id("result-row").nth(0)).to_contain_text(A, timeout=15_000)
    expect(facilitator.get_by_test_id("result-row").nth(0)).to_contain_text("2 gommettes")
    expect(facilitator.get_by_test_id("results-status")).to_contain_text("Résultats mis à jour")

    # The attendee reaches nothing else of the project.
    response = attendee.goto(f"/evaluation/projets/{world.project.pk}/")
    assert response is not None
    assert response.status == 404
    response = attendee.goto(
        f"/evaluation/projets/{world.project.pk}/ateliers/{world.sibling.pk}/voter/"
    )
    assert response is not None
    assert response.status == 404

    # Once the vote is closed, the page says so and takes no ballot.
    facilitator.goto(f"/evaluation/projets/{world.project.pk}/ateliers/{world.workshop.pk}/")
    facilitator.get_by_role("button", name="Fermer le vote").click()
    attendee.goto(vote_url)
    expect(attendee.get_by_test_id("vote-closed")).to_be_visible()
    expect(attendee.get_by_test_id("ballot")).to_have_count(0)
    audit(attendee)


def test_every_other_workshop_page_passes_the_audit(open_as: Any, world: WorkshopWorld) -> None:
    """The forms, and the voting and hand-vote pages of the other two methods."""
    base = f"/evaluation/projets/{world.project.pk}"
    workshop = f"{base}/ateliers/{world.workshop.pk}"
    card = f"{base}/ateliers/cartes/{world.cards[0].pk}"
    page = open_as("t1-evaluation")
    for path, heading in (
        (f"{base}/ateliers/nouveau/", "Nouvel atelier"),
        (f"{workshop}/modifier/", "Modifier l'atelier"),
        (f"{workshop}/participants/ajouter/", "Ajouter un participant"),
        (f"{workshop}/cartes/nouvelle/", "Nouvelle carte"),
        (f"{card}/modifier/", "Modifier la carte"),
        (f"{card}/supprimer/", "Supprimer la carte"),
        (f"{base}/plan-d-action/", "Plan d'action"),
        (f"{base}/plan-d-action/nouvelle/", "Nouvelle action"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        audit(page)

    # A form sent with errors is audited too.
    page.goto(f"{base}/ateliers/nouveau/")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_be_visible()
    audit(page)

    attendee = open_as("t1-pilotage")
    for method in ("ranking", "scoring"):
        page.goto(f"{workshop}/modifier/")
        page.get_by_label("Mode de vote").select_option(method)
        page.get_by_role("button", name="Enregistrer").click()
        page.get_by_role("link", name="Saisir les votes à main levée").click()
        expect(page.get_by_test_id("hand-votes")).to_be_visible()
        audit(page)
        page.goto(f"{workshop}/")
        page.get_by_role("button", name="Ouvrir le vote").click()
        attendee.goto(f"{workshop}/voter/")
        expect(attendee.get_by_test_id("ballot")).to_be_visible()
        audit(attendee)
        if method == "scoring":  # a card scored on one criterion only: refused
            attendee.get_by_role("group", name=A).get_by_label("Impact").select_option("4")
        attendee.get_by_role("button", name="Enregistrer mon bulletin").click()
        expect(attendee.get_by_role("alert")).to_be_visible()
        audit(attendee)
        page.get_by_role("button", name="Fermer le vote").click()
