"""Every demo account logs in through the real login page and lands on its role's home page;
every page visited passes the axe-core audit."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from etage.demo import reference as ref
from tests.browser.conftest import audit, log_in

ACCOUNTS = [
    (f"{t.lower()}-{ref.ROLE_SLUGS[role]}", role, org, t)
    for t, roles in ref.ROLE_ORGS.items()
    for role, org in roles.items()
]


@pytest.mark.usefixtures("demo_site")
@pytest.mark.parametrize(("username", "role", "org", "territory"), ACCOUNTS)
def test_each_role_logs_in_and_sees_its_home_page(
    page: Page, username: str, role: str, org: str, territory: str
) -> None:
    from etage.accounts.roles import Role

    log_in(page, username)
    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")
    expect(page.get_by_test_id("role")).to_have_text(str(Role(role).label))
    expect(page.get_by_test_id("organisation")).to_contain_text(f"({org})")
    expect(page.get_by_test_id("territories")).to_contain_text(territory)
    expect(page.get_by_role("link", name="Changer mon mot de passe")).to_be_visible()
    audit(page)

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", name="Connexion à ETAGE")).to_be_visible()


@pytest.mark.usefixtures("demo_site")
def test_wrong_password_is_explained_in_french_and_accessible(page: Page) -> None:
    log_in(page, "t1-signalement", "pas-le-bon-mot-de-passe")
    expect(page.get_by_role("alert")).to_contain_text("Saisissez un nom d’utilisateur")
    audit(page)


@pytest.mark.usefixtures("demo_site")
def test_keyboard_user_reaches_content_through_the_skip_link(page: Page) -> None:
    log_in(page, "t1-coordination")
    expect(page).to_have_url("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu principal")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url("/#contenu")
    expect(page.locator("main")).to_be_focused()


@pytest.mark.usefixtures("demo_site")
def test_administrator_configures_organisations_in_the_back_office(page: Page) -> None:
    log_in(page, "t2-admin")
    page.get_by_role("link", name="Gérer les organisations").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="EMH", exact=True))
    expect(row).to_contain_text("Est Métropole Habitat")
    audit(page)


@pytest.mark.usefixtures("demo_site")
def test_password_change_page_is_accessible(page: Page) -> None:
    log_in(page, "t3-professionnel")
    page.get_by_role("link", name="Changer mon mot de passe").click()
    audit(page)
    page.get_by_role("button", name="Enregistrer le nouveau mot de passe").click()
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
    audit(page)
