"""A landlord pushes arrears lines: accepted whole or rejected whole with French errors by line
and field; its batches are its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from etage.api.models import ApiAccount
from etage.intake.models import ArrearsImport, ArrearsLine, ImportSource, ImportStatus
from tests.api.conftest import post_json

URL = "/api/v1/arrears-batches/"


def line(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "lease_reference": "B-000123",
        "balance_on": "2026-05-31",
        "tenant_names": "Camille Fictif",
        "address": "3 rue des Tilleuls",
        "commune": "69256",
        "monthly_rent": 420.5,
        "balance": "1261.50",
        "months_in_arrears": 3,
        "last_payment_on": "2026-02-05",
    }
    return base | overrides


@pytest.mark.django_db
def test_a_landlord_pushes_lines_and_reads_its_batch(api: Callable[[str], Client]) -> None:
    lines = [line(), line(lease_reference="B-000124", tenant_names="Dominique Imaginaire")]
    response = post_json(api("EMH"), URL, {"lines": lines})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "done"
    assert body["source"] == "api"
    assert (body["lines_created"], body["lines_unchanged"], body["errors"]) == (2, 0, [])
    batch = ArrearsImport.objects.get(pk=body["id"])
    assert batch.landlord.code == "EMH"
    assert batch.source == ImportSource.API
    assert batch.submitted_by == ApiAccount.objects.get(organisation__code="EMH").user
    assert set(ArrearsLine.objects.values_list("landlord__code", flat=True)) == {"EMH"}

    again = post_json(api("EMH"), URL, {"lines": lines}).json()
    assert (again["lines_created"], again["lines_unchanged"]) == (0, 2)
    assert ArrearsLine.objects.count() == 2

    read = api("EMH").get(f"{URL}{body['id']}/")
    assert read.status_code == 200
    assert read.json()["lines_created"] == 2


@pytest.mark.django_db
def test_a_dry_run_checks_and_writes_nothing(api: Callable[[str], Client]) -> None:
    response = post_json(api("EMH"), URL, {"lines": [line()], "dry_run": True})
    assert response.status_code == 200
    assert response.json()["status"] == ImportStatus.CHECKED
    assert not ArrearsLine.objects.exists()


@pytest.mark.django_db
def test_a_rejected_batch_writes_nothing_and_says_why_by_line_and_field(
    api: Callable[[str], Client],
) -> None:
    lines = [line(), line(lease_reference="B-2", commune="99999"), line(lease_reference="=CMD()")]
    response = post_json(api("EMH"), URL, {"lines": lines})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("Le lot a été refusé")
    assert {(e["line"], e["field"]) for e in body["errors"]} == {
        (2, "commune"),
        (3, "lease_reference"),
    }
    assert all(e["message"] for e in body["errors"])
    assert not ArrearsLine.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "where"),
    [
        ({"lines": [line(balance_on="31 mai")]}, (1, "balance_on")),
        ({"lines": [line(), line(monthly_rent="beaucoup")]}, (2, "monthly_rent")),
        ({"lines": [line(balance=10**40)]}, (1, "balance")),
        ({"lines": [line(procedure_stage="expulsion_demain")]}, (1, "procedure_stage")),
        ({"lines": [line(tenant_names=None)]}, (1, "tenant_names")),
        ({"lines": [line(tenant_names="Camille 1 85 05 78 006 048 22")]}, (1, "tenant_names")),
        ({"lines": [line(last_paiment_on="2026-01-01")]}, (1, "last_paiment_on")),
        ({"lines": []}, (None, "lines")),
        ({"lines": "tout"}, (None, "lines")),
        ({"lignes": []}, (None, "lignes")),
        ({"lines": [42]}, (1, None)),
        ([1, 2], (None, None)),
    ],
)
def test_malformed_lines_get_french_errors_and_change_nothing(
    api: Callable[[str], Client], payload: Any, where: tuple[int | None, str | None]
) -> None:
    response = post_json(api("EMH"), URL, payload)
    assert response.status_code == 400, response.content
    body = response.json()
    assert where in {(e["line"], e["field"]) for e in body["errors"]}, body
    assert not ArrearsLine.objects.exists()


@pytest.mark.django_db
def test_more_than_5000_lines_are_refused(api: Callable[[str], Client]) -> None:
    response = post_json(api("EMH"), URL, {"lines": [line()] * 5001})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "lines"
    assert not ArrearsImport.objects.exists()


@pytest.mark.django_db
def test_a_token_of_one_landlord_cannot_read_another_landlords_batch(
    api: Callable[[str], Client],
) -> None:
    batch_id = post_json(api("LMH"), URL, {"lines": [line(commune="69259")]}).json()["id"]
    assert api("LMH").get(f"{URL}{batch_id}/").status_code == 200
    refused = api("EMH").get(f"{URL}{batch_id}/")
    assert refused.status_code == 404
    assert refused.json()["detail"] == "Aucun lot de votre organisation ne porte ce numéro."
    assert api("EMH").get(f"{URL}{10**30}/").status_code == 404


@pytest.mark.django_db
def test_pushed_lines_belong_to_the_tokens_landlord_whatever_the_body_says(
    api: Callable[[str], Client],
) -> None:
    response = post_json(api("LMH"), URL, {"lines": [line(commune="69259", landlord="EMH")]})
    assert response.status_code == 400  # no such field: refused, not ignored
    post_json(api("LMH"), URL, {"lines": [line(commune="69259")]})
    assert set(ArrearsLine.objects.values_list("landlord__code", flat=True)) == {"LMH"}


@pytest.mark.django_db
def test_a_ccas_may_not_push_arrears(api: Callable[[str], Client]) -> None:
    response = post_json(api("CCAS-VAULX"), URL, {"lines": [line()]})
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Seul le jeton d'un bailleur social")
    assert not ArrearsImport.objects.exists()
    assert api("CCAS-VAULX").get(f"{URL}1/").status_code == 403
