"""Travailleur social, professionnel de l'accompagnement: their work, the situations, a
situation with its plan and journal (an entry, after a refused empty one), early detection and
the arrears imports; refused the data-protection officer's pages; an expired session while
filtering the situations (an HTMX request). Takes the guide's pictures
(docs/guide/professionnel.md) when ``make guide`` asks for them."""

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
    home,
    log_in_again,
    path_of,
    refused,
    tile,
)


@pytest.mark.usefixtures("demo_history")
def test_professionnel_follows_situations_plan_and_journal(open_as: Any) -> None:
    page = open_as("t1-professionnel")
    expect(page.get_by_test_id("role")).to_have_text("Professionnel·le de l'accompagnement")
    audit(page)
    shot(page, "professionnel-accueil")

    page.get_by_role("link", name="Voir mon travail en détail").click()
    h1(page).to_have_text("Mon travail")
    expect(page.locator("main")).to_contain_text("Échéances de procédure dans les 30 jours")
    audit(page)
    shot(page, "professionnel-mon-travail")

    home(page)
    tile(page, "Situations")
    h1(page).to_have_text("Situations")
    expect(page.locator(".results-count")).to_contain_text("situations")
    audit(page)
    shot(page, "professionnel-situations")

    page.get_by_role("table").get_by_role("link", name=re.compile(r"^T1-")).first.click()
    h1(page).to_contain_text("Situation T1-")
    expect(page.get_by_test_id("status")).to_be_visible()
    expect(page.get_by_test_id("household")).to_be_visible()
    audit(page)
    shot(page, "professionnel-situation")
    shot(page, "professionnel-situation-procedure", target=page.get_by_test_id("procedure-panel"))

    page.get_by_role("link", name="Ouvrir le plan partagé").click()
    h1(page).to_have_text("Plan partagé")
    audit(page)
    shot(page, "professionnel-plan")
    page.go_back()

    page.get_by_role("link", name="Ouvrir le journal").click()
    h1(page).to_have_text("Journal")
    # An entry without its text: refused, said in French, nothing added.
    entries = page.get_by_test_id("journal-entry")
    before = entries.count()
    page.get_by_role("button", name="Enregistrer l'entrée").click()
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
    expect(entries).to_have_count(before)
    audit(page)

    page.get_by_label("Appel téléphonique").check()
    page.get_by_label("Partagée avec le groupe de partage").check()
    page.locator("#id_text").fill("Appel : rendez-vous fixé mardi pour le dossier FSL.")
    page.get_by_role("button", name="Enregistrer l'entrée").click()
    expect(page.locator(".message--success")).to_contain_text("Entrée ajoutée au journal.")
    expect(page.get_by_test_id("journal")).to_contain_text("rendez-vous fixé mardi")
    audit(page)
    shot(page, "professionnel-journal", target=page.get_by_test_id("journal"))

    home(page)
    tile(page, "Repérage précoce")
    h1(page).to_have_text("Repérage précoce : ménages à qualifier")
    expect(page.get_by_role("link", name=re.compile("^Créer une situation")).first).to_be_visible()
    audit(page)
    shot(page, "professionnel-reperage")

    home(page)
    tile(page, "Importer l'extraction des impayés")
    h1(page).to_have_text("Imports des impayés")
    expect(page.get_by_role("table")).to_contain_text("Importé")
    audit(page)
    shot(page, "professionnel-imports")


@pytest.mark.usefixtures("demo_site")
def test_professionnel_is_refused_the_pages_of_other_roles(open_as: Any) -> None:
    page = open_as("t1-professionnel")
    refused(page, "/journal-des-acces/", status=403)
    refused(page, "/protection/", status=403)
    refused(page, "/acces-urgence/", status=403)


@pytest.mark.usefixtures("demo_site")
def test_professionnel_session_expires_while_filtering_situations(open_as: Any) -> None:
    a_referral()
    page = open_as("t1-professionnel")
    tile(page, "Situations")
    h1(page).to_have_text("Situations")
    page.locator("#id_include_closed").check()
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"include_closed=on"))
    asked_for = path_of(page)

    # The filter is sent by HTMX: without a session the whole page goes to the login page
    # (never a login form inside the results), then back to the list the person was on.
    expire_session(page)
    page.get_by_role("button", name="Filtrer").click()
    log_in_again(page, "t1-professionnel", back_to=asked_for)
    h1(page).to_have_text("Situations")
    expect(page.locator("#id_include_closed")).to_be_checked()
    expect(
        page.locator("#resultats").get_by_role("heading", name="Connexion à ETAGE")
    ).to_have_count(0)
    audit(page)
