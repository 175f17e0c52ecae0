"""A professional switches their interface to English from the header link: pages, menus and
the login page after signing out are in English (and say so: ``<html lang="en">``); they
switch back to French. Every page is audited (axe-core)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from etage.demo.reference import DEMO_PASSWORD
from tests.browser.conftest import audit

pytestmark = pytest.mark.usefixtures("demo_site")


def test_a_professional_works_in_english_then_back_in_french(open_as) -> None:
    page: Page = open_as("t1-professionnel")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "fr")
    nav = page.get_by_role("navigation", name="Navigation principale")
    expect(nav.get_by_role("link", name="Mon travail")).to_be_visible()

    # The link is named in both languages while the page is French.
    page.get_by_role("link", name="Langue · Language").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Langue de l'interface")
    audit(page)
    page.get_by_role("radio", name="English").check()
    page.get_by_role("button", name="Enregistrer ma langue").click()

    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("status")).to_contain_text("Your interface language is saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Interface language")
    expect(page.get_by_role("radio", name="English")).to_be_checked()
    audit(page)

    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("link", name="My work").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    audit(page)
    nav.get_by_role("link", name="Situations").click()
    expect(page.get_by_role("button", name="Filter")).to_be_visible()
    audit(page)

    # Signed out, the login page stays in the language they chose.
    page.get_by_role("button", name="Sign out").click()
    expect(html).to_have_attribute("lang", "en")
    audit(page)
    page.get_by_label("Username").fill("t1-professionnel")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(html).to_have_attribute("lang", "en")

    page.get_by_role("link", name="Language").click()
    page.get_by_role("radio", name="Français").check()
    page.get_by_role("button", name="Save my language").click()
    expect(html).to_have_attribute("lang", "fr")
    expect(page.get_by_role("status")).to_contain_text("Votre langue d'interface est enregistrée.")
    expect(
        page.get_by_role("navigation", name="Navigation principale").get_by_role(
            "link", name="Mon travail"
        )
    ).to_be_visible()
    audit(page)
