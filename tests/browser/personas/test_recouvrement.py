"""Recouvrement / contentieux: the procedure deadlines, a situation's procedure panel (never
the plan nor the journal), a procedure event (refused when incomplete); refused the journal by
its address and the other roles' pages; an expired session while choosing the event (an HTMX
request). Takes the guide's pictures (docs/guide/recouvrement.md) when ``make guide`` asks for
them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import audit, shot
from tests.browser.personas.journeys import (
    expire_session,
    h1,
    log_in_again,
    path_of,
    refused,
)


@pytest.mark.usefixtures("demo_history")
def test_recouvrement_follows_procedure_deadlines(open_as: Any) -> None:
    page = open_as("t1-recouvrement")
    expect(page.get_by_test_id("role")).to_have_text("Recouvrement / contentieux")
    audit(page)
    shot(page, "recouvrement-accueil")

    page.get_by_role("link", name=re.compile("^Échéances de procédure")).first.click()
    h1(page).to_have_text("Situations")
    audit(page)
    shot(page, "recouvrement-echeances")

    page.get_by_role("table").get_by_role("link", name=re.compile(r"^T1-")).first.click()
    h1(page).to_contain_text("Situation T1-")
    panel = page.get_by_test_id("procedure-panel")
    expect(panel.get_by_test_id("milestones")).to_be_visible()
    expect(page.get_by_test_id("level")).to_be_visible()
    # The level, the referent and the procedure; never the plan, the journal or notes.
    expect(page.get_by_test_id("plan")).to_have_count(0)
    expect(page.get_by_test_id("journal")).to_have_count(0)
    audit(page)
    shot(page, "recouvrement-situation", target=panel)
    situation_path = path_of(page)

    panel.get_by_role("link", name="Enregistrer un événement de procédure").click()
    page.get_by_label("Que s’est-il passé ?").select_option("commandement_de_payer")
    expect(page.get_by_test_id("event-form")).to_be_visible()
    audit(page)
    shot(page, "recouvrement-evenement-procedure")

    # Recorded without its date: refused, said in French.
    page.get_by_label("Date du fait").fill("")
    page.get_by_test_id("event-form").get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
    audit(page)
    event_page = situation_path + "procedure/evenement/"

    # The journal, typed by its address: refused.
    refused(page, situation_path + "journal/", status=404)

    # The session expires on the event page; choosing another kind of event (an HTMX request)
    # sends the whole page to the login page, then back to the event page.
    asked_for = event_page + "?kind=commandement_de_payer"
    page.goto(asked_for)
    expect(page.get_by_test_id("event-form")).to_be_visible()
    expire_session(page)
    page.get_by_label("Que s’est-il passé ?").select_option("summons")
    page.wait_for_url(re.compile("/compte/connexion/"))
    log_in_again(page, "t1-recouvrement", back_to=asked_for)
    expect(page.get_by_label("Que s’est-il passé ?")).to_be_visible()
    audit(page)


@pytest.mark.usefixtures("demo_site")
def test_recouvrement_is_refused_the_pages_of_other_roles(open_as: Any) -> None:
    page = open_as("t1-recouvrement")
    refused(page, "/reperage/", status=403)
    refused(page, "/journal-des-acces/", status=403)
    refused(page, "/indicateurs/", status=403)
