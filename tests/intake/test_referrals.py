"""Referral ("signalement"): quick form, possible duplicates shown before creating, and a
signaller who sees only the status of their own referrals."""

from __future__ import annotations

import pytest
from django.urls import reverse

from etage.intake.models import Referral
from etage.organisations.models import Organisation
from etage.situations.models import Situation
from etage.territories.models import Commune

pytestmark = pytest.mark.django_db


def form(**overrides):
    data = {
        "last_name": "Lenoir",
        "first_name": "Sacha",
        "phone": "",
        "adults": 1,
        "children": 1,
        "address": "8 avenue des Frênes",
        "commune": Commune.objects.get(insee_code="69029").pk,
        "landlord": Organisation.objects.get(code="GLH").pk,
        "lease_reference": "GLH-12345",
        "difficulties": ["rent_arrears", "isolation"],
        "source": "caretaker",
        "urgency": "normal",
        "entry_stage": "none",
        "description": "Courriers qui s'accumulent.",
    }
    data.update(overrides)
    return data


def test_caretaker_refers_a_household_and_follows_its_status(client_for, demo_reference):
    client = client_for("t1-signalement")
    assert client.get(reverse("intake:referral_create")).status_code == 200
    response = client.post(reverse("intake:referral_create"), form())
    assert response.status_code == 302
    situation = Situation.objects.get()
    assert situation.platform.territory.code == "T1"
    assert situation.origin_organisation.code == "EMH"
    assert set(situation.difficulties.values_list("code", flat=True)) == {
        "rent_arrears",
        "isolation",
    }
    mine = client.get(reverse("intake:my_referrals")).content.decode()
    assert situation.reference in mine
    assert "Courriers" not in mine


def test_same_lease_shows_the_possible_duplicate_before_creating(client_for, demo_reference):
    client_for("t1-professionnel").post(reverse("intake:referral_create"), form())
    caretaker = client_for("t1-signalement")
    response = caretaker.post(reverse("intake:referral_create"), form(last_name="Autre"))
    page = response.content.decode()
    assert response.status_code == 200
    assert Situation.objects.count() == 1
    existing = Situation.objects.get()
    assert f'value="join:{existing.pk}"' in page
    # The caretaker may not see the situation: only its existence, never its details.
    assert existing.reference not in page
    joined = caretaker.post(
        reverse("intake:referral_create"), form(last_name="Autre", decision=f"join:{existing.pk}")
    )
    assert joined.status_code == 302
    assert Situation.objects.count() == 1
    assert Referral.objects.filter(situation=existing).count() == 2
    assert existing.events.filter(action="referral_added").count() == 1


def test_similar_name_at_the_same_address_is_a_possible_duplicate(client_for, demo_reference):
    client_for("t1-professionnel").post(reverse("intake:referral_create"), form(lease_reference=""))
    response = client_for("t1-coordination").post(
        reverse("intake:referral_create"),
        form(lease_reference="", last_name="LE NOIR", address="8 av. des Frenes"),
    )
    existing = Situation.objects.get()
    page = response.content.decode()
    assert f'value="join:{existing.pk}"' in page
    assert existing.reference in page  # the coordinator may see it


def test_creating_anyway_makes_a_second_situation(client_for, demo_reference):
    client = client_for("t1-professionnel")
    client.post(reverse("intake:referral_create"), form())
    client.post(reverse("intake:referral_create"), form(decision="new"))
    assert Situation.objects.count() == 2


def test_a_forged_join_on_an_unrelated_situation_is_refused(client_for, demo_reference):
    client_for("t1-professionnel").post(reverse("intake:referral_create"), form())
    unrelated = Situation.objects.get()
    response = client_for("t1-signalement").post(
        reverse("intake:referral_create"),
        form(
            last_name="Zzz",
            lease_reference="GLH-99999",
            address="1 place Ailleurs",
            decision=f"join:{unrelated.pk}",
        ),
    )
    assert response.status_code == 200
    assert Referral.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", "Son numéro est 1 84 12 76 451 089 46, à vérifier."),
        ("last_name", "2840569123456"),
        ("lease_reference", "185127645108946"),
    ],
)
def test_a_social_security_number_is_refused_with_a_clear_message(
    client_for, demo_reference, field, value
):
    response = client_for("t1-signalement").post(
        reverse("intake:referral_create"), form(**{field: value})
    )
    assert response.status_code == 200
    assert "NIR" in response.content.decode()
    assert not Situation.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"last_name": ""},
        {"difficulties": []},
        {"difficulties": ["unknown-code"]},
        {"commune": "999999"},
        {"commune": "abc"},
        {"landlord": Organisation.objects.none().count() or 10**9},
        {"adults": "-1"},
        {"urgency": "tomorrow"},
    ],
)
def test_bad_referral_input_is_explained_and_creates_nothing(client_for, demo_reference, overrides):
    response = client_for("t1-signalement").post(
        reverse("intake:referral_create"), form(**overrides)
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not Situation.objects.exists()


def test_referral_form_offers_only_the_communes_of_the_users_territories(client_for):
    page = client_for("t2-signalement").get(reverse("intake:referral_create")).content.decode()
    assert "Vénissieux" in page
    assert "Bron" not in page
