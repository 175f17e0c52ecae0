"""The procedure tracker in a real browser: the rent-recovery officer records a formal order to
pay and the arrears balance, sees the summons date highlighted on the situation page and the
balance chart with its table; the landlord's social worker records an FSL aid and updates it.
Every page passes the axe-core audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import audit


@pytest.fixture
def situation(demo_site: None) -> Any:
    from decimal import Decimal

    from etage.accounts.models import User
    from etage.households.models import Tenancy
    from etage.intake.services import ReferralData, referral_create_situation
    from etage.organisations.models import Organisation
    from etage.territories.models import Commune

    referral = referral_create_situation(
        user=User.objects.get(username="t1-signalement"),
        data=ReferralData(
            last_name="Fictivel",
            first_name="Alix",
            landlord_id=Organisation.objects.get(code="EMH").pk,
            commune_id=Commune.objects.get(insee_code="69256").pk,
            address="3 rue des Tilleuls",
            source="rent_recovery",
            urgency="normal",
            difficulties=("rent_arrears",),
            description="Loyers impayés depuis quatre mois.",
        ),
    )
    Tenancy.objects.filter(pk=referral.situation.tenancy_id).update(
        lease_signed_on=dt.date(2024, 2, 1), monthly_rent=Decimal("480.00")
    )
    return referral.situation


def test_rent_recovery_records_the_procedure_and_sees_the_deadline(open_as, situation) -> None:
    today = dt.date.today()
    officer = open_as("t1-recouvrement")
    officer.goto(f"/situations/{situation.pk}/")
    audit(officer)
    panel = officer.get_by_test_id("procedure-panel")
    expect(panel).to_contain_text("Procédure et échéances")

    # A formal order to pay served 20 days ago: the kind chooser brings its form (HTMX).
    panel.get_by_role("link", name="Enregistrer un événement de procédure").click()
    audit(officer)
    officer.get_by_label("Que s’est-il passé ?").select_option("commandement_de_payer")
    expect(officer.get_by_test_id("event-form")).to_be_visible()
    officer.get_by_label("Date du fait").fill((today - dt.timedelta(days=20)).isoformat())
    officer.get_by_label("Signalé par").select_option("bailiff")
    officer.get_by_label("Six semaines, ou aucun délai indiqué").check()
    officer.get_by_label("Montant (€)").fill("1920")
    audit(officer)
    officer.get_by_role("button", name="Enregistrer", exact=True).click()

    upcoming = officer.get_by_test_id("upcoming-deadlines")
    expect(upcoming).to_contain_text("Assignation possible à partir du")
    expect(upcoming).to_contain_text("Dans les 30 jours")
    expect(upcoming).to_contain_text((today + dt.timedelta(days=22)).strftime("%d/%m/%Y"))
    expect(officer.get_by_test_id("milestones")).to_contain_text("Commandement de payer")
    audit(officer)

    # Two balances: the chart and its table.
    for days, amount in ((60, "950"), (5, "1920")):
        officer.get_by_role("link", name="Enregistrer le solde de la dette locative").click()
        officer.get_by_label("Solde au").fill((today - dt.timedelta(days=days)).isoformat())
        officer.get_by_label("Dette locative (€)").fill(amount)
        audit(officer)
        officer.get_by_role("button", name="Enregistrer").click()
    expect(officer.locator("svg.chart__svg circle")).to_have_count(2)
    expect(officer.get_by_test_id("balances")).to_contain_text("4")  # 4 months of rent
    expect(officer.get_by_role("link", name="Enregistrer une aide")).to_have_count(0)
    audit(officer)

    # The landlord's social worker records an FSL aid, then its decision.
    worker = open_as("t1-professionnel")
    worker.goto(f"/situations/{situation.pk}/")
    worker.get_by_role("link", name="Enregistrer une aide").click()
    audit(worker)
    worker.locator("#id_kind").select_option("fsl_maintien")
    worker.get_by_label("Montant demandé (€)").fill("1200")
    worker.get_by_role("button", name="Enregistrer").click()
    aids = worker.get_by_test_id("aids")
    expect(aids).to_contain_text("Demandée")
    aids.get_by_role("link", name="Mettre à jour").click()
    audit(worker)
    worker.get_by_label("Accordée").check()
    worker.get_by_label("Décision le").fill(today.isoformat())
    worker.get_by_label("Montant accordé (€)").fill("900")
    worker.get_by_role("button", name="Enregistrer").click()
    expect(worker.get_by_test_id("aids")).to_contain_text("Accordée")
    audit(worker)
