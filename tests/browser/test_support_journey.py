"""Issue 4's support journey in a real browser: the association referent builds the shared
plan, a CCAS worker of the sharing group completes an action in place, the referent writes a
private note (after the sensitive-terms check) and a shared one, the landlord's social worker
sees only the shared one, and the rent-recovery officer sees no plan and no journal. Every
page passes the axe-core audit."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import audit


def _partner(username: str, org_code: str) -> None:
    """Demo partner accounts (a demo change adds them); created here until then."""
    from etage.accounts.models import User
    from etage.accounts.roles import Role
    from etage.demo.reference import DEMO_PASSWORD
    from etage.organisations.models import Organisation
    from etage.territories.models import Territory

    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": "Camille",
            "last_name": org_code.title(),
            "organisation": Organisation.objects.get(code=org_code),
            "role": Role.PROFESSIONAL,
            "is_demo": True,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.territories.set([Territory.objects.get(code="T1")])


@pytest.fixture
def situation_in_support(demo_site: None) -> Any:
    """A T1 situation in AGR support with the association as referent, shared with the
    CCAS of Vaulx-en-Velin — set up through the real services."""
    from etage.accounts.models import User
    from etage.intake.services import ReferralData, referral_create_situation
    from etage.organisations.models import Organisation
    from etage.situations.services import share_grant, situation_transition
    from etage.territories.models import Commune
    from tests.pathways import PATH

    _partner("t1-association", "ASSO-TDL")
    _partner("t1-ccas", "CCAS-VAULX")
    users = {u.username: u for u in User.objects.filter(username__startswith="t1-")}
    situation = referral_create_situation(
        user=users["t1-signalement"],
        data=ReferralData(
            last_name="Fictivel",
            first_name="Alix",
            landlord_id=Organisation.objects.get(code="EMH").pk,
            commune_id=Commune.objects.get(insee_code="69256").pk,
            address="7 rue des Glycines",
            source="caretaker",
            urgency="normal",
            difficulties=("rent_arrears",),
            lease_reference="",
            description="Loyers impayés depuis trois mois.",
            identified_on=dt.date(2026, 3, 2),
        ),
    ).situation
    day = situation.identified_on
    for action, payload, username in PATH:
        day += dt.timedelta(days=3)
        if action == "orient":
            payload = {
                **payload,
                "lead_professional_id": users["t1-association"].pk,
                "referent_organisation_id": Organisation.objects.get(code="ASSO-TDL").pk,
            }
        situation.refresh_from_db()
        situation_transition(
            user=users[username],
            situation_id=situation.pk,
            action=action,
            expected_version=situation.version,
            occurred_on=day,
            payload=payload,
        )
    share_grant(
        user=users["t1-professionnel"],
        situation_id=situation.pk,
        organisation_id=Organisation.objects.get(code="CCAS-VAULX").pk,
        legal_basis="casf",
    )
    return situation


def plan_action(page: Page, title: str) -> Any:
    return page.get_by_test_id("plan-action").filter(has_text=title)


def test_shared_plan_private_notes_and_what_rent_recovery_does_not_see(
    open_as: Any, situation_in_support: Any
) -> None:
    url = f"/situations/{situation_in_support.pk}/"

    # The association referent builds the plan: an objective, an action from a suggestion
    # for the CCAS, and an action in its own words.
    referent = open_as("t1-association")
    referent.goto(url)
    expect(referent.get_by_test_id("plan")).to_contain_text("Aucun objectif pour l'instant")
    audit(referent)
    referent.get_by_role("link", name="Ouvrir le plan partagé").click()
    expect(referent.locator("h1")).to_have_text("Plan partagé")
    audit(referent)
    referent.locator("#id_theme").select_option(label="Budget et dettes")
    referent.locator("#id_title").fill("Stopper la progression de la dette")
    referent.get_by_role("button", name="Ajouter l'objectif").click()
    expect(referent.locator("h1")).to_have_text("Ajouter une action")
    audit(referent)
    referent.locator("#id_template").select_option(label="Déposer une demande FSL maintien")
    referent.locator("#id_owner_organisation").select_option(
        label="CCAS de Vaulx-en-Velin (CCAS-VAULX)"
    )
    referent.locator("#id_due_on").fill("2026-12-15")
    referent.get_by_role("button", name="Ajouter et en écrire une autre").click()
    expect(referent.locator(".message--success")).to_contain_text("Action ajoutée au plan.")
    referent.locator("#id_title").fill("Proposer un plan d'apurement à EMH")
    referent.locator("#id_owner_organisation").select_option(
        label="Association Trait d'Union Logement (fictive) (ASSO-TDL)"
    )
    referent.get_by_role("button", name="Ajouter l'action", exact=True).click()
    expect(referent.locator("h1")).to_have_text("Plan partagé")
    expect(referent.get_by_test_id("plan")).to_contain_text("2 actions")
    expect(plan_action(referent, "FSL")).to_contain_text("CCAS de Vaulx-en-Velin")
    audit(referent)

    # A CCAS worker of the sharing group completes the FSL action in place (HTMX).
    ccas = open_as("t1-ccas")
    ccas.goto(url)
    action = plan_action(ccas, "FSL")
    expect(action.get_by_test_id("action-status")).to_have_text("Prévue")
    audit(ccas)
    action.get_by_label("Changer le statut").select_option(label="Terminée")
    action.get_by_role("button", name=re.compile("^Enregistrer")).click()
    action = plan_action(ccas, "FSL")
    expect(action.get_by_role("status")).to_have_text("Statut enregistré.")
    expect(action.get_by_test_id("action-status")).to_have_text("Terminée")
    audit(ccas)

    # The referent writes a private note: the sensitive term is flagged first, nothing is
    # saved until confirmed. Then a note shared with the group.
    referent.goto(url)
    expect(plan_action(referent, "FSL").get_by_test_id("action-status")).to_have_text("Terminée")
    referent.get_by_role("link", name="Écrire une entrée").click()
    expect(referent.locator("h1")).to_have_text("Journal")
    audit(referent)
    referent.get_by_label("Visite à domicile").check()
    referent.get_by_label(re.compile("^Privée à mon organisation")).check()
    referent.locator("#id_text").fill("Visite : Mme évoque une hospitalisation prochaine.")
    referent.get_by_role("button", name="Enregistrer l'entrée").click()
    expect(referent.get_by_test_id("sensitive-warning")).to_contain_text("santé")
    audit(referent)
    referent.get_by_label("Je confirme que ces précisions sont nécessaires").check()
    referent.get_by_role("button", name="Enregistrer l'entrée").click()
    expect(referent.locator(".message--success")).to_contain_text("Entrée ajoutée au journal.")
    referent.get_by_label("Appel téléphonique").check()
    referent.get_by_label("Partagée avec le groupe de partage").check()
    referent.locator("#id_text").fill("Appel : dossier FSL déposé par le CCAS.")
    referent.get_by_role("button", name="Enregistrer l'entrée").click()
    journal = referent.get_by_test_id("journal")
    expect(journal).to_contain_text("hospitalisation prochaine")
    expect(journal).to_contain_text("Privée à Association Trait d'Union Logement")
    expect(journal).to_contain_text("dossier FSL déposé")
    audit(referent)

    # The landlord's social worker reads the shared note, never the private one.
    landlord = open_as("t1-professionnel")
    landlord.goto(url)
    expect(landlord.get_by_test_id("journal")).to_contain_text("dossier FSL déposé")
    expect(landlord.get_by_test_id("journal")).not_to_contain_text("hospitalisation")
    audit(landlord)
    landlord.get_by_role("link", name="Ouvrir le journal").click()
    expect(landlord.get_by_test_id("journal")).to_contain_text("dossier FSL déposé")
    expect(landlord.get_by_test_id("journal")).not_to_contain_text("hospitalisation")
    audit(landlord)

    # The rent-recovery officer sees the situation, but no plan and no journal.
    recovery = open_as("t1-recouvrement")
    recovery.goto(url)
    expect(recovery.get_by_test_id("status")).to_contain_text("En accompagnement")
    expect(recovery.get_by_test_id("plan")).to_have_count(0)
    expect(recovery.get_by_test_id("journal")).to_have_count(0)
    expect(recovery.locator("main")).not_to_contain_text("dossier FSL")
    expect(recovery.locator("main")).not_to_contain_text("Stopper la progression")
    audit(recovery)
    response = recovery.goto(f"{url}journal/")
    assert response is not None
    assert response.status == 404
    audit(recovery)
