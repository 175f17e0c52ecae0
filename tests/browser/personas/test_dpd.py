"""Délégué·e à la protection des données: the access log, the rights requests, everything
held on a person (refused without its reason), the emergency accesses; never a situation's
page nor the operational pages; an expired session on the way to the access log. Takes the
guide's pictures (docs/guide/dpd.md) when ``make guide`` asks for them."""

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
    refused,
    tile,
)


@pytest.mark.usefixtures("demo_history")
def test_dpd_answers_a_rights_request(open_as: Any) -> None:
    from etage.situations.models import Situation

    situation = Situation.objects.filter(platform__territory__code="T1").order_by("pk").first()
    assert situation is not None
    person = situation.household.people.order_by("pk").first()
    assert person is not None

    page = open_as("t1-dpd")
    expect(page.get_by_test_id("role")).to_have_text("Délégué·e à la protection des données")
    audit(page)
    shot(page, "dpd-accueil")

    tile(page, "Journal des accès")
    h1(page).to_have_text("Journal des accès")
    expect(page.get_by_test_id("entry").first).to_be_visible()
    audit(page)
    shot(page, "dpd-journal-des-acces")

    home(page)
    tile(page, "Demandes d'exercice des droits")
    h1(page).to_have_text("Demandes d'exercice des droits")
    audit(page)
    shot(page, "dpd-demandes")

    page.get_by_role("link", name="Retrouver une personne").click()
    h1(page).to_have_text("Tout ce qui est détenu sur une personne")
    page.get_by_label(re.compile(r"^Nom \(")).fill(person.last_name)
    # Without its reason (written to the access log): refused, nothing shown.
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
    expect(page.get_by_test_id("household")).to_have_count(0)
    audit(page)

    page.get_by_label("Motif").fill("Demande d'accès reçue par courrier")
    page.get_by_role("button", name="Rechercher").click()
    household = page.get_by_test_id("household").filter(has_text=situation.reference)
    expect(household).to_contain_text(person.last_name.upper(), ignore_case=True)
    expect(household.get_by_role("button", name="Produire le dossier (JSON)")).to_be_visible()
    audit(page)
    shot(page, "dpd-recherche-personne", target=household)

    home(page)
    tile(page, "Accès d’urgence")
    h1(page).to_have_text("Accès d’urgence")
    audit(page)
    shot(page, "dpd-acces-urgence")


@pytest.mark.usefixtures("demo_site")
def test_dpd_is_refused_situations_and_operational_pages(open_as: Any) -> None:
    situation = a_referral()
    page = open_as("t1-dpd")
    # The officer checks who read what (the access log), never reads a case by its page.
    refused(page, f"/situations/{situation.pk}/", status=404)
    refused(page, "/imports/", status=403)
    refused(page, "/reperage/", status=403)


@pytest.mark.usefixtures("demo_site")
def test_dpd_session_expires_on_the_way_to_the_access_log(open_as: Any) -> None:
    page = open_as("t1-dpd")
    expire_session(page)
    tile(page, "Journal des accès")
    log_in_again(page, "t1-dpd", back_to="/journal-des-acces/")
    h1(page).to_have_text("Journal des accès")
    audit(page)
