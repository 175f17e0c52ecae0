"""Coordination de plateforme: the situations awaiting a decision, the platform's meetings
(agenda, a meeting held, a new meeting refused when incomplete), the indicators; refused the
other roles' pages; an expired session while planning a meeting. Takes the guide's pictures
(docs/guide/coordination.md) when ``make guide`` asks for them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import audit, shot
from tests.browser.personas.journeys import expire_session, h1, log_in_again, path_of, refused


@pytest.mark.usefixtures("demo_history")
def test_coordination_prepares_and_holds_meetings(open_as: Any) -> None:
    page = open_as("t1-coordination")
    expect(page.get_by_test_id("role")).to_have_text("Coordination de plateforme")
    audit(page)
    shot(page, "coordination-accueil")

    page.get_by_role("link", name=re.compile("^En attente d'une décision")).first.click()
    h1(page).to_have_text("Situations")
    expect(page.get_by_label("En attente d'une décision de la plateforme")).to_be_checked()
    audit(page)
    shot(page, "coordination-en-attente")

    page.get_by_role("navigation").get_by_role("link", name="Réunions", exact=True).click()
    h1(page).to_contain_text("Réunions — Plateforme territoriale Vaulx-en-Velin et Bron")
    audit(page)
    shot(page, "coordination-reunions")

    upcoming = page.get_by_role("table").first
    upcoming.get_by_role("link").first.click()
    h1(page).to_contain_text("Réunion du")
    expect(page.get_by_test_id("meeting-status")).to_contain_text("Prévue")
    expect(page.get_by_test_id("agenda")).to_contain_text("À examiner")
    audit(page)
    shot(page, "coordination-ordre-du-jour", target=page.get_by_test_id("agenda"))

    page.go_back()
    past = page.get_by_role("table").nth(1)
    past.get_by_role("link").first.click()
    expect(page.get_by_test_id("meeting-status")).to_contain_text("Tenue")
    expect(page.get_by_role("link", name="Version de diffusion (PDF)")).to_be_visible()
    audit(page)
    shot(page, "coordination-reunion-tenue")

    page.get_by_role("navigation").get_by_role("link", name="Indicateurs").click()
    h1(page).to_have_text("Indicateurs")
    expect(page.locator("main")).to_contain_text("Situations repérées")
    audit(page)
    shot(page, "coordination-indicateurs")

    # A new meeting sent without its start: refused, said in French, none planned.
    page.get_by_role("navigation").get_by_role("link", name="Réunions", exact=True).click()
    meetings = page.get_by_role("table").first.get_by_role("row")
    count = meetings.count()
    page.get_by_role("link", name="Prévoir une réunion").click()
    page.get_by_role("button", name="Prévoir la réunion").click()
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
    audit(page)
    page.get_by_role("navigation").get_by_role("link", name="Réunions", exact=True).click()
    expect(page.get_by_role("table").first.get_by_role("row")).to_have_count(count)


@pytest.mark.usefixtures("demo_site")
def test_coordination_is_refused_the_pages_of_other_roles(open_as: Any) -> None:
    page = open_as("t1-coordination")
    refused(page, "/protection/", status=403)
    refused(page, "/journal-des-acces/", status=403)
    refused(page, "/imports/", status=403)


@pytest.mark.usefixtures("demo_site")
def test_coordination_session_expires_while_planning_a_meeting(open_as: Any) -> None:
    page = open_as("t1-coordination")
    page.get_by_role("navigation").get_by_role("link", name="Réunions", exact=True).click()
    h1(page).to_contain_text("Réunions — Plateforme territoriale")
    new_meeting = path_of(page) + "nouvelle/"  # /reunions/plateforme/<n>/nouvelle/

    expire_session(page)
    page.get_by_role("link", name="Prévoir une réunion").click()
    log_in_again(page, "t1-coordination", back_to=new_meeting)
    expect(page.get_by_role("button", name="Prévoir la réunion")).to_be_visible()
    audit(page)
