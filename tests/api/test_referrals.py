"""An organisation reads the coarse status of the referrals it sent, never another's, never the
detail; every referral read is in the access log under its technical account."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from etage.api.models import ApiAccount
from etage.core.models import AccessLogEntry
from etage.intake.models import Referral
from etage.situations.models import Situation

URL = "/api/v1/referrals/"


def _french(message: str) -> bool:
    return bool(message) and not any(
        word in message for word in (" is ", " not ", "Enter ", " must ", "This ")
    )


@pytest.fixture
def referred(
    refer: Callable[..., Situation], advance: Callable[..., Situation]
) -> dict[str, Situation]:
    """Two EMH referrals (one advanced to support), one LMH referral, one CCAS referral."""
    emh_new = refer("t1-signalement", last_name="Fictif", address="3 rue des Tilleuls")
    emh_supported = advance(
        refer("t1-signalement", last_name="Imaginaire", address="8 rue des Acacias"), 5
    )
    lmh = refer("t2-signalement", insee="69259", landlord="LMH", last_name="Inventé")
    ccas = refer("t1-ccas", last_name="Supposé", address="12 avenue des Platanes")
    return {"emh_new": emh_new, "emh_supported": emh_supported, "lmh": lmh, "ccas": ccas}


@pytest.mark.django_db
def test_a_landlord_reads_only_its_own_referrals_with_their_coarse_status(
    api: Callable[[str], Client], referred: dict[str, Situation]
) -> None:
    response = api("EMH").get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    by_ref = {r["situation_reference"]: r for r in body["results"]}
    assert set(by_ref) == {referred["emh_new"].reference, referred["emh_supported"].reference}
    assert by_ref[referred["emh_new"].reference]["status"] == "received"
    assert by_ref[referred["emh_supported"].reference]["status"] == "supported"
    assert by_ref[referred["emh_supported"].reference]["status_label"] == "Accompagnement en cours"
    # What a referrer may know, nothing more: no names, address, description, difficulties.
    assert set(body["results"][0]) == {
        "id",
        "situation_reference",
        "status",
        "status_label",
        "submitted_at",
        "closed_on",
    }
    text = response.content.decode()
    for secret in ("Fictif", "Imaginaire", "Tilleuls", "Retards de loyer", "rent_arrears"):
        assert secret not in text


@pytest.mark.django_db
def test_a_token_of_one_landlord_cannot_read_another_landlords_referral(
    api: Callable[[str], Client], referred: dict[str, Situation]
) -> None:
    lmh_referral = Referral.objects.get(situation=referred["lmh"])
    emh_referral = Referral.objects.get(situation=referred["emh_new"])
    assert api("LMH").get(f"{URL}{lmh_referral.pk}/").status_code == 200
    refused = api("EMH").get(f"{URL}{lmh_referral.pk}/")
    assert refused.status_code == 404
    assert refused.json()["detail"] == "Aucun signalement de votre organisation ne porte ce numéro."
    assert api("LMH").get(f"{URL}{emh_referral.pk}/").status_code == 404
    lmh_refs = {r["situation_reference"] for r in api("LMH").get(URL).json()["results"]}
    assert lmh_refs == {referred["lmh"].reference}
    # A filter cannot widen the scope either.
    assert api("EMH").get(URL, {"status": "received"}).json()["count"] == 1


@pytest.mark.django_db
def test_a_ccas_reads_its_referrals(
    api: Callable[[str], Client], referred: dict[str, Situation]
) -> None:
    body = api("CCAS-VAULX").get(URL).json()
    assert [r["situation_reference"] for r in body["results"]] == [referred["ccas"].reference]


@pytest.mark.django_db
def test_referrals_filter_by_status_and_date(
    api: Callable[[str], Client], referred: dict[str, Situation]
) -> None:
    client = api("EMH")
    supported = client.get(URL, {"status": "supported"}).json()
    assert [r["situation_reference"] for r in supported["results"]] == [
        referred["emh_supported"].reference
    ]
    assert client.get(URL, {"status": "closed"}).json()["count"] == 0
    assert client.get(URL, {"submitted_from": "2000-01-01"}).json()["count"] == 2
    assert client.get(URL, {"submitted_to": "2000-01-01"}).json()["count"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "perdu"}, "status"),
        ({"submitted_from": "31/02/2026"}, "submitted_from"),
        ({"submitted_from": "2026-06-02", "submitted_to": "2026-06-01"}, "submitted_to"),
    ],
)
def test_a_bad_filter_gets_a_french_400(
    api: Callable[[str], Client], referred: dict[str, Situation], params: dict[str, str], field: str
) -> None:
    response = api("EMH").get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("Les données envoyées ne sont pas valides")
    assert [e["field"] for e in body["errors"]] == [field]
    assert all(_french(e["message"]) for e in body["errors"])


@pytest.mark.django_db
def test_referrals_are_paginated(
    api: Callable[[str], Client], referred: dict[str, Situation]
) -> None:
    first = api("EMH").get(URL, {"page_size": 1}).json()
    assert first["count"] == 2
    assert len(first["results"]) == 1
    assert first["next"]
    beyond = api("EMH").get(URL, {"page": 9})
    assert beyond.status_code == 404
    assert beyond.json()["detail"]


@pytest.mark.django_db
def test_every_referral_read_is_in_the_access_log_under_the_technical_account(
    api: Callable[[str], Client], referred: dict[str, Situation]
) -> None:
    technical = ApiAccount.objects.get(organisation__code="EMH").user
    before = AccessLogEntry.objects.count()
    api("EMH").get(URL)
    entries = list(AccessLogEntry.objects.order_by("pk")[before:])
    assert {e.situation_id for e in entries} == {
        referred["emh_new"].pk,
        referred["emh_supported"].pk,
    }
    assert all(
        e.user_id == technical.pk
        and e.username == "api-emh"
        and e.organisation_code == "EMH"
        and e.action == "read"
        and e.object_type == "intake.referral"
        for e in entries
    )
    one = Referral.objects.get(situation=referred["emh_new"])
    api("EMH").get(f"{URL}{one.pk}/")
    last = AccessLogEntry.objects.order_by("-pk").first()
    assert last is not None
    assert last.object_id == str(one.pk)
    assert last.user_id == technical.pk
    # A refused read writes nothing.
    count = AccessLogEntry.objects.count()
    api("LMH").get(f"{URL}{one.pk}/")
    assert AccessLogEntry.objects.count() == count
