"""Évaluation: the pathway analysis and its process map, the evaluation workspace, a project
with its case studies and report; never a situation, nor the access log; an expired session
while redrawing the map (an HTMX request). Takes the guide's pictures (docs/guide/evaluation.md)
when ``make guide`` asks for them. The evaluation workspace's own forms and their errors are
covered by tests/browser/test_evaluation_*.py."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import audit, shot
from tests.browser.personas.journeys import (
    a_referral,
    expire_session,
    h1,
    log_in_again,
    path_of,
    refused,
)


@pytest.mark.usefixtures("demo_history")
def test_evaluation_analyses_pathways_and_writes_the_report(open_as: Any) -> None:
    page = open_as("t1-evaluation")
    expect(page.get_by_test_id("role")).to_have_text("Évaluation")
    audit(page)
    shot(page, "evaluation-accueil")

    page.get_by_role("navigation").get_by_role("link", name="Analyse des parcours").click()
    h1(page).to_have_text("Analyse des parcours")
    audit(page)
    shot(page, "evaluation-analyse")

    page.get_by_role("navigation", name="Analyse des parcours").get_by_role(
        "link", name="Carte des processus"
    ).click()
    expect(page.get_by_test_id("process-map")).to_be_visible()
    audit(page)
    shot(page, "evaluation-carte-des-processus", target=page.get_by_test_id("process-map"))
    process_map = path_of(page)

    page.get_by_role("navigation").get_by_role("link", name="Espace d’évaluation").click()
    h1(page).to_have_text("Espace d’évaluation")
    audit(page)
    shot(page, "evaluation-espace")

    page.get_by_role("link", name="Évaluation de l'expérimentation ETAGE").click()
    h1(page).to_contain_text("Évaluation de l'expérimentation ETAGE")
    expect(page.locator("main")).to_contain_text("Recueilli à ce jour")
    audit(page)
    shot(page, "evaluation-projet")

    sections = page.get_by_role("navigation", name="Sections du projet")
    sections.get_by_role("link", name="Études de cas").click()
    expect(page.get_by_role("link", name="Tirer des études de cas").first).to_be_visible()
    audit(page)
    shot(page, "evaluation-etudes-de-cas")

    sections.get_by_role("link", name="Rapport").click()
    h1(page).to_have_text("Rapport d'évaluation")
    expect(page.get_by_test_id("report-outline")).to_be_visible()
    audit(page)
    shot(page, "evaluation-rapport")

    # The session expires on the process map; redrawing it (an HTMX request) sends the whole
    # page to the login page — never a login form inside the map — then back to the map.
    page.goto(process_map)
    expect(page.get_by_test_id("process-map")).to_be_visible()
    expire_session(page)
    page.get_by_role("button", name="Redessiner la carte").click()
    page.wait_for_url(re.compile("/compte/connexion/"))
    log_in_again(page, "t1-evaluation", back_to=process_map)
    expect(page.get_by_test_id("process-map")).to_be_visible()
    audit(page)


@pytest.mark.usefixtures("demo_site")
def test_evaluation_is_refused_situations_and_the_access_log(open_as: Any) -> None:
    situation = a_referral()
    page = open_as("t1-evaluation")
    # Pseudonymised data only: a situation's page does not exist for the evaluator.
    refused(page, f"/situations/{situation.pk}/", status=404)
    refused(page, "/journal-des-acces/", status=403)
    refused(page, "/protection/", status=403)
