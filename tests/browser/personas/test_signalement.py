"""Signalement (caretaker, agency staff): log in, refer a household (with the form's errors
first), follow its status; never the situation itself nor the other roles' pages; an expired
session while referring. Takes the guide's pictures (docs/guide/signalement.md and the first
day) when ``make guide`` asks for them."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import audit, log_in, shot
from tests.browser.personas.journeys import expire_session, h1, home, log_in_again, refused, tile


def _fill_referral(page: Page, last_name: str) -> None:
    page.locator("#id_last_name").fill(last_name)
    page.locator("#id_first_name").fill("Camille")
    page.locator("#id_address").fill("14 rue des Acacias, bât. B")
    page.locator("#id_commune").select_option(label="Vaulx-en-Velin (69256)")
    page.locator("#id_landlord").select_option(label="Est Métropole Habitat (EMH)")
    page.get_by_label("Impayés de loyer").check()
    page.get_by_label("Isolement").check()
    page.locator("#id_description").fill("Courriers non ouverts, loyer impayé depuis deux mois.")


@pytest.mark.usefixtures("demo_site")
def test_signalement_refers_a_household_and_follows_its_status(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="Connexion à ETAGE")).to_be_visible()
    # A first visit: nothing about an expired session.
    expect(page.get_by_test_id("session-notice")).to_have_count(0)
    audit(page)
    shot(page, "premier-jour-connexion")

    # A wrong password: said in French, and the person stays on the login page.
    page.get_by_label("Nom d’utilisateur").fill("t1-signalement")
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Saisissez un nom d’utilisateur et un mot de passe valides"
    )
    audit(page)

    log_in(page, "t1-signalement")
    h1(page).to_contain_text("Bonjour")
    expect(page.get_by_test_id("role")).to_have_text("Signalement (gardien, agence)")
    audit(page)
    shot(page, "signalement-accueil")

    tile(page, "Signaler un ménage")
    h1(page).to_have_text("Signaler un ménage")
    audit(page)
    shot(page, "signalement-formulaire")

    # Sent empty: every missing field is named, nothing is recorded.
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
    audit(page)
    shot(page, "signalement-erreurs")

    _fill_referral(page, "Fictivel")
    page.get_by_role("button", name="Envoyer le signalement").click()
    h1(page).to_have_text("Mes signalements")
    row = page.get_by_role("row").filter(has_text="FICTIVEL")
    expect(row).to_contain_text("Reçu par la plateforme")
    audit(page)
    shot(page, "signalement-mes-signalements")

    # The status only: no detail of the support, and the situations list is not offered.
    home(page)
    expect(page.get_by_role("navigation").get_by_role("link", name="Situations")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Reçu par la plateforme")


@pytest.mark.usefixtures("demo_site")
def test_signalement_is_refused_the_pages_of_other_roles(page: Page) -> None:
    from etage.situations.models import Situation

    log_in(page, "t1-signalement")
    tile(page, "Signaler un ménage")
    _fill_referral(page, "Fictivel")
    page.get_by_role("button", name="Envoyer le signalement").click()
    h1(page).to_have_text("Mes signalements")
    mine = Situation.objects.get(household__people__last_name__iexact="Fictivel")

    # The household they referred: its page is not theirs (not even said to exist).
    refused(page, f"/situations/{mine.pk}/", status=404)
    # The access log belongs to the data-protection officer.
    refused(page, "/journal-des-acces/", status=403)
    # Early detection belongs to the landlords' social workers.
    refused(page, "/reperage/", status=403)


@pytest.mark.usefixtures("demo_site")
def test_signalement_session_expires_while_referring(page: Page) -> None:
    log_in(page, "t1-signalement")
    tile(page, "Signaler un ménage")
    h1(page).to_have_text("Signaler un ménage")

    # Half an hour away from the form: the session is over, the sending leads to the login
    # page, then back to the form (what was typed is not kept: nothing was recorded).
    _fill_referral(page, "Expirel")
    expire_session(page, keep_csrf=True)
    page.get_by_role("button", name="Envoyer le signalement").click()
    log_in_again(page, "t1-signalement", back_to="/signalements/nouveau/")
    h1(page).to_have_text("Signaler un ménage")
    expect(page.locator("#id_last_name")).to_have_value("")
    audit(page)

    # The browser forgot every cookie (the CSRF one too): the sending still leads to the login
    # page (not a technical refusal), and so does a link.
    _fill_referral(page, "Expirel")
    expire_session(page)
    page.get_by_role("button", name="Envoyer le signalement").click()
    log_in_again(page, "t1-signalement", back_to="/signalements/nouveau/")
    expire_session(page)
    page.get_by_role("link", name="Mes signalements").first.click()
    log_in_again(page, "t1-signalement", back_to="/signalements/")
    h1(page).to_have_text("Mes signalements")
    expect(page.get_by_role("row").filter(has_text="EXPIREL")).to_have_count(0)
