"""Record linkage in a real browser: after an import, a landlord's social worker opens the
review queue from the home page, compares the imported lease with the proposed households and
says which one it is; a platform coordinator merges two records of one household after
confirming, then undoes it. Every page passes the axe-core audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import audit


@pytest.fixture
def uncertain_lease(demo_site: None) -> None:
    """Two EMH households close to one imported lease, as the import leaves them."""
    from etage.households.models import Household, Person, Tenancy
    from etage.intake.models.arrears import ArrearsImport, ArrearsLine, ImportStatus
    from etage.linkage.services import link_import
    from etage.organisations.models import Organisation
    from etage.territories.models import Commune

    emh = Organisation.objects.get(code="EMH")
    vaulx = Commune.objects.get(insee_code="69256")
    for last in ("Dupont", "Dupond"):
        household = Household.objects.create()
        Person.objects.create(household=household, last_name=last, first_name="Maëlle")
        Tenancy.objects.create(
            household=household, landlord=emh, address="12 rue des Lilas", commune=vaulx
        )
    batch = ArrearsImport.objects.create(landlord=emh, status=ImportStatus.DONE)
    ArrearsLine.objects.create(
        landlord=emh,
        lease_reference="EMH-004242",
        balance_on=dt.date(2026, 5, 31),
        tenant_names="DUPONS Maëlle",
        address="12 rue des Lilas",
        commune=vaulx,
        monthly_rent=Decimal("450"),
        balance=Decimal("1350"),
        months_in_arrears=Decimal("3"),
        content_hash="x",
        first_import=batch,
        last_import=batch,
    )
    link_import(batch=batch)


def test_a_landlord_social_worker_decides_an_uncertain_match(open_as, uncertain_lease) -> None:
    from etage.intake.models.arrears import ArrearsLine, LinkStatus

    worker = open_as("t1-professionnel")
    worker.get_by_role("link", name="Rapprochements à vérifier").first.click()
    expect(worker.locator("h1")).to_have_text("Rapprochements à vérifier")
    expect(worker.get_by_test_id("imported-names")).to_have_text("DUPONS Maëlle")
    audit(worker)
    review = worker.get_by_test_id("review")
    expect(review.get_by_role("row")).to_have_count(3)  # header + two households
    review.get_by_role("row").filter(has_text="Maëlle DUPONT").get_by_role(
        "button", name="C’est ce ménage"
    ).click()
    expect(worker.locator(".message--success")).to_contain_text("EMH-004242")
    expect(worker.get_by_text("Rien à vérifier")).to_be_visible()
    audit(worker)
    line = ArrearsLine.objects.get()
    assert line.link_status == LinkStatus.CONFIRMED
    assert line.household is not None
    assert line.household.people.get().last_name == "Dupont"

    # Another landlord's social worker never sees it.
    other = open_as("t3-professionnel")
    other.goto("/rapprochement/")
    expect(other.get_by_text("Rien à vérifier")).to_be_visible()


def test_a_coordinator_merges_two_records_then_undoes_it(open_as, demo_site: None) -> None:
    from etage.accounts.models import User
    from etage.intake.services import ReferralData, referral_create_situation
    from etage.organisations.models import Organisation
    from etage.situations.models import Situation
    from etage.territories.models import Commune

    def refer(username: str, last_name: str) -> Situation:
        return referral_create_situation(
            user=User.objects.get(username=username),
            data=ReferralData(
                last_name=last_name,
                first_name="Alix",
                landlord_id=Organisation.objects.get(code="EMH").pk,
                commune_id=Commune.objects.get(insee_code="69256").pk,
                address="3 rue des Tilleuls",
                source="caretaker",
                urgency="normal",
                difficulties=("rent_arrears",),
                description="Retards de loyer.",
            ),
        ).situation

    first = refer("t1-signalement", "Fictif")
    second = refer("t1-professionnel", "Fictive")

    coordinator = open_as("t1-coordination")
    coordinator.goto(f"/situations/{first.pk}/")
    coordinator.get_by_test_id("merge-link").click()
    expect(coordinator.locator("h1")).to_have_text("Fusionner avec un autre dossier")
    audit(coordinator)
    coordinator.get_by_label("Alix FICTIVE", exact=False).check()
    coordinator.get_by_label("Pourquoi s’agit-il du même ménage").fill(
        "Signalé deux fois, même personne."
    )
    coordinator.get_by_role("button", name="Continuer").click()
    expect(coordinator.locator("h1")).to_have_text("Confirmer la fusion")
    expect(coordinator.get_by_test_id("merge-preview")).to_contain_text("Situations")
    audit(coordinator)
    coordinator.get_by_role("button", name="Fusionner les deux dossiers").click()
    expect(coordinator.locator("h1")).to_have_text("Fusions de ménages")
    expect(coordinator.get_by_test_id("merge-status")).to_contain_text("En vigueur")
    audit(coordinator)
    second.refresh_from_db()
    assert second.household_id == first.household_id

    coordinator.get_by_role("button", name="Annuler la fusion").click()
    expect(coordinator.get_by_test_id("merge-status")).to_contain_text("Annulée le")
    audit(coordinator)
    second.refresh_from_db()
    assert second.household_id != first.household_id
