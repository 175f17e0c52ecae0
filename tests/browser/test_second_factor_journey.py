"""A coordinator (an ordinary account, the demo waiver off) logs in, sets up the second factor
with the key shown on the page, keeps the backup codes, reaches the home page; next time a
wrong code is explained in French and a backup code lets them in. Every page is audited."""

from __future__ import annotations

import time
from base64 import b32decode
from typing import Any

import pytest
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from tests.browser.conftest import audit, log_in


@pytest.fixture
def real_coordinator(demo_site, settings):
    from etage.accounts.models import User

    settings.ETAGE_DEMO_WAIVE_SECOND_FACTOR = False
    User.objects.filter(username="t1-coordination").update(is_demo=False)


def code_from(key: str) -> str:
    return f"{totp(b32decode(key.replace(' ', ''))):06d}"


@pytest.mark.usefixtures("real_coordinator")
def test_a_coordinator_sets_up_the_second_factor_and_uses_a_backup_code(page: Page) -> None:
    log_in(page, "t1-coordination")
    expect(page).to_have_url("/compte/second-facteur/activation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Configurez votre second facteur")
    expect(page.get_by_role("img", name="QR code à scanner")).to_be_visible()
    audit(page)
    key = page.get_by_test_id("secret-key").inner_text()

    page.get_by_role("textbox", name="Code").fill("000000")
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_role("alert")).to_contain_text("Ce code n’est pas valide")
    audit(page)

    time.sleep(1.5)  # django-otp's delay after a wrong code
    page.get_by_role("textbox", name="Code").fill(code_from(key))
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre second facteur est configuré")
    audit(page)
    codes = page.get_by_test_id("backup-codes").get_by_role("listitem").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="Continuer").click()
    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")

    page.get_by_role("button", name="Se déconnecter").click()
    log_in(page, "t1-coordination")
    expect(page).to_have_url("/compte/second-facteur/")
    audit(page)
    page.get_by_role("textbox", name="Code").fill("999999")
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("alert")).to_contain_text("Ce code n’est pas valide")
    audit(page)
    time.sleep(1.5)
    page.get_by_role("textbox", name="Code").fill(codes[0])
    page.get_by_role("button", name="Vérifier").click()
    expect(page).to_have_url("/")
    page.goto("/situations/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page).to_have_url("/situations/")


@pytest.fixture
def situation(demo_site: None) -> Any:
    from etage.accounts.models import User
    from etage.intake.services import ReferralData, referral_create_situation
    from etage.organisations.models import Organisation
    from etage.territories.models import Commune

    referral = referral_create_situation(
        user=User.objects.get(username="t1-signalement"),
        data=ReferralData(
            last_name="Fictivon",
            first_name="Camille",
            landlord_id=Organisation.objects.get(code="EMH").pk,
            commune_id=Commune.objects.get(insee_code="69256").pk,
            address="5 rue des Tilleuls",
            source="caretaker",
            urgency="normal",
            difficulties=("rent_arrears",),
            description="Retards de loyer.",
        ),
    )
    return referral.situation


def test_an_administrator_opens_an_emergency_access_and_the_dpo_sees_it(open_as, situation) -> None:
    admin = open_as("t1-admin")
    admin.get_by_role("link", name="Accès d’urgence à une situation").click()
    audit(admin)
    admin.get_by_label("Référence de la situation").fill(situation.reference)
    admin.get_by_label("Motif").fill("Incident : la page de cette situation ne s'affiche plus.")
    admin.get_by_role("button", name="Ouvrir l’accès d’urgence").click()
    expect(admin).to_have_url(f"/situations/{situation.pk}/")
    expect(admin.get_by_role("status")).to_contain_text("en lecture seule")

    dpo = open_as("t1-dpd")
    dpo.get_by_role("link", name="Accès d’urgence", exact=False).first.click()
    expect(dpo.get_by_role("table")).to_contain_text(situation.reference)
    expect(dpo.get_by_role("table")).to_contain_text("ne s'affiche plus")
    audit(dpo)
