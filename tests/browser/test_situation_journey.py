"""Issue 3's journey in a real browser: a caretaker refers a household, the landlord's social
worker informs and reaches it, the platform coordinator assesses it and orients it to AGR with
an association referent, the referent sees it — and a CCAS user of another territory cannot
reach it by URL, search or counts. Every page passes the axe-core audit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import audit


@pytest.fixture
def association_referent(demo_site: None) -> str:
    """The AGR operator's referent in T1 (a demo account once the demo history lands)."""
    from etage.accounts.models import User
    from etage.accounts.roles import Role
    from etage.demo.reference import DEMO_PASSWORD
    from etage.organisations.models import Organisation
    from etage.territories.models import Territory

    user, created = User.objects.get_or_create(
        username="t1-association",
        defaults={
            "first_name": "Noa",
            "last_name": "Référente",
            "organisation": Organisation.objects.get(code="ASSO-TDL"),
            "role": Role.PROFESSIONAL,
            "is_demo": True,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.territories.set([Territory.objects.get(code="T1")])
    return user.username


def record_step(page: Page, action: str) -> None:
    page.locator(f"a[href$='/etape/{action}/']").click()
    expect(page.locator("h1")).to_be_visible()
    audit(page)


def test_referral_to_agr_orientation_shared_only_with_the_group(
    open_as, association_referent: str
) -> None:
    # A caretaker refers a household in two minutes.
    caretaker = open_as("t1-signalement")
    caretaker.get_by_role("link", name="Signaler un ménage").first.click()
    audit(caretaker)
    caretaker.locator("#id_last_name").fill("Fictivel")
    caretaker.locator("#id_first_name").fill("Camille")
    caretaker.locator("#id_address").fill("14 rue des Acacias")
    caretaker.locator("#id_commune").select_option(label="Vaulx-en-Velin (69256)")
    caretaker.locator("#id_lease_reference").fill("EMH-000777")
    caretaker.get_by_label("Impayés de loyer").check()
    caretaker.get_by_label("Isolement").check()
    caretaker.locator("#id_description").fill(
        "Courriers non ouverts, loyer impayé depuis deux mois."
    )
    caretaker.get_by_role("button", name="Envoyer le signalement").click()
    expect(caretaker.locator("h1")).to_have_text("Mes signalements")
    audit(caretaker)
    reference = (
        caretaker.locator("td").filter(has_text=re.compile(r"^T1-\d{5}$")).first.inner_text()
    )
    expect(caretaker.get_by_test_id("referral-status").first).to_be_visible()

    # The landlord's social worker informs the household and reaches it.
    worker = open_as("t1-professionnel")
    worker.goto("/situations/")
    audit(worker)
    worker.locator("#id_q").fill(reference)
    worker.get_by_role("button", name="Filtrer").click()
    worker.get_by_role("link", name=reference).click()
    expect(worker.get_by_test_id("status")).to_contain_text("Repérée")
    audit(worker)
    situation_url = worker.url
    record_step(worker, "inform")
    worker.get_by_label("Par téléphone").check()
    worker.get_by_role("button", name="Enregistrer").click()
    expect(worker.get_by_test_id("status")).to_contain_text("Informée")
    record_step(worker, "contact_reached")
    worker.get_by_role("button", name="Enregistrer").click()
    expect(worker.get_by_test_id("status")).to_contain_text("Contact établi")

    # The platform coordinator assesses and orients to AGR with the association referent.
    coordinator = open_as("t1-coordination")
    coordinator.goto(situation_url)
    audit(coordinator)
    record_step(coordinator, "assess")
    coordinator.get_by_role("button", name="Enregistrer").click()
    record_step(coordinator, "orient")
    coordinator.get_by_label("Accompagnement global renforcé (AGR)").check()
    lead = coordinator.locator("#id_lead_professional option", has_text="ASSO-TDL").first
    coordinator.locator("#id_lead_professional").select_option(value=lead.get_attribute("value"))
    coordinator.get_by_role("button", name="Enregistrer").click()
    expect(coordinator.get_by_test_id("level")).to_contain_text("AGR")
    expect(coordinator.get_by_test_id("sharing-group")).to_contain_text("Trait d'Union")
    expect(coordinator.get_by_test_id("timeline")).to_contain_text("Orientation décidée")
    audit(coordinator)

    # The referent now sees it.
    referent = open_as(association_referent)
    referent.goto("/situations/")
    expect(referent.get_by_role("link", name=reference)).to_be_visible()
    referent.get_by_role("link", name=reference).click()
    expect(referent.get_by_test_id("lead")).to_contain_text("ASSO-TDL")
    audit(referent)

    # A CCAS user of another territory: 404 by URL, nothing by search, nothing in counts.
    outsider = open_as("t2-coordination")
    response = outsider.goto(situation_url)
    assert response is not None
    assert response.status == 404
    expect(outsider.locator("h1")).to_have_text("Page introuvable")
    audit(outsider)
    outsider.goto(f"/situations/?q={reference}&include_closed=on")
    expect(outsider.locator(".results-count")).to_contain_text("0 situation")
    outsider.goto("/")
    tile = outsider.locator("main").get_by_role("link", name=re.compile(r"^Situations"))
    expect(tile.locator(".badge")).to_have_text("0")
