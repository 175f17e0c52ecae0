"""Pilotage: the indicators (small counts hidden, each chart with its table), the comparison
of territories and the definitions; never a situation, nor the other roles' pages; an expired
session on the indicators. Takes the guide's pictures (docs/guide/pilotage.md) when
``make guide`` asks for them."""

from __future__ import annotations

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
)


@pytest.mark.usefixtures("demo_history")
def test_pilotage_reads_the_indicators(open_as: Any) -> None:
    page = open_as("t1-pilotage")
    expect(page.get_by_test_id("role")).to_have_text("Pilotage")
    expect(page.get_by_role("navigation").get_by_role("link", name="Situations")).to_have_count(0)
    audit(page)
    shot(page, "pilotage-accueil")

    page.get_by_role("navigation").get_by_role("link", name="Indicateurs").click()
    h1(page).to_have_text("Indicateurs")
    expect(page.locator("main")).to_contain_text("les effectifs inférieurs à 5")
    expect(page.locator("main")).to_contain_text("< 5")
    audit(page)
    shot(page, "pilotage-tableau-de-bord")
    # Each chart is drawn with its table of figures just below (no information in the picture
    # alone).
    chart = page.locator("main figure.chart").first
    expect(chart.locator("canvas, svg").first).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text("Ensemble")
    shot(page, "pilotage-graphique", target=chart)

    page.get_by_role("link", name="Comparaison des territoires").click()
    expect(page.locator("main")).to_contain_text("T1")
    audit(page)
    shot(page, "pilotage-comparaison")

    page.get_by_role("link", name="Définitions").first.click()
    expect(page.locator("main")).to_contain_text("Situations repérées")
    audit(page)
    shot(page, "pilotage-definitions")

    # The session expires on the definitions; the indicators' link leads to the login page,
    # then to the indicators.
    expire_session(page)
    page.get_by_role("navigation").get_by_role("link", name="Indicateurs").click()
    log_in_again(page, "t1-pilotage", back_to="/indicateurs/")
    h1(page).to_have_text("Indicateurs")
    audit(page)


@pytest.mark.usefixtures("demo_site")
def test_pilotage_is_refused_situations_and_the_other_roles_pages(open_as: Any) -> None:
    situation = a_referral()
    page = open_as("t1-pilotage")
    # Aggregates only: a situation's page does not exist for the steering committee.
    refused(page, f"/situations/{situation.pk}/", status=404)
    refused(page, f"/situations/{situation.pk}/journal/", status=404)
    refused(page, "/journal-des-acces/", status=403)
    refused(page, "/imports/", status=403)
