"""Administration: the organisations and accounts in the back-office (a new organisation
refused when incomplete), back to ETAGE and the platform start checklist; never a case, nor
the access log or the indicators; an expired session on the checklist. Takes the guide's
pictures (docs/guide/administration.md) when ``make guide`` asks for them."""

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
    refused,
    tile,
)


@pytest.mark.usefixtures("demo_site")
def test_admin_configures_organisations_accounts_and_platforms(open_as: Any) -> None:
    from etage.organisations.models import Organisation

    page = open_as("t1-admin")
    expect(page.get_by_test_id("role")).to_have_text("Administration")
    audit(page)
    shot(page, "admin-accueil")

    tile(page, "Gérer les organisations")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="EMH", exact=True))
    expect(row).to_contain_text("Est Métropole Habitat")
    audit(page)
    shot(page, "admin-organisations")

    # A new organisation saved empty: refused, said in French, nothing created.
    count = Organisation.objects.count()
    page.locator(".object-tools .addlink").click()
    expect(page).to_have_url(re.compile(r"/organisation/add/"))
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".errornote")).to_contain_text("Corrigez les erreurs")
    audit(page)
    assert Organisation.objects.count() == count
    page.go_back()
    page.go_back()

    # The back-office's side menu leads to the accounts; "Voir le site" back to ETAGE.
    page.get_by_role("link", name="Utilisateur·rices", exact=True).first.click()
    expect(page.get_by_role("link", name="t1-signalement")).to_be_visible()
    audit(page)
    shot(page, "admin-comptes")

    page.get_by_role("link", name="Voir le site").click()
    h1(page).to_contain_text("Bonjour")
    page.get_by_role("navigation").get_by_role("link", name="Démarrer une plateforme").click()
    h1(page).to_have_text("Démarrer une plateforme")
    expect(page.locator("main")).to_contain_text(re.compile(r"\d+ étapes faites sur 10"))
    expect(page.locator("main")).to_contain_text("Fait : Communes couvertes")
    audit(page)
    shot(page, "admin-demarrer-plateforme")


@pytest.mark.usefixtures("demo_site")
def test_admin_is_refused_cases_and_the_other_roles_pages(open_as: Any) -> None:
    situation = a_referral()
    page = open_as("t1-admin")
    # Configuration, no case data: a situation's page does not exist for the administrator.
    refused(page, f"/situations/{situation.pk}/", status=404)
    refused(page, "/journal-des-acces/", status=403)
    refused(page, "/indicateurs/", status=403)


@pytest.mark.usefixtures("demo_site")
def test_admin_session_expires_on_the_platform_checklist(open_as: Any) -> None:
    page = open_as("t1-admin")
    page.get_by_role("navigation").get_by_role("link", name="Démarrer une plateforme").click()
    h1(page).to_have_text("Démarrer une plateforme")
    expire_session(page)
    page.get_by_role("navigation").get_by_role("link", name="Démarrer une plateforme").click()
    log_in_again(page, "t1-admin", back_to="/territoires/demarrer/")
    h1(page).to_have_text("Démarrer une plateforme")
    audit(page)
