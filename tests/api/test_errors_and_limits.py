"""Every 4xx of the API is JSON with a French message in one shape; nothing is a 500; each
token has its own rate limits, answered with 429 and Retry-After."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, override_settings

from etage.intake.models import ArrearsImport, LeaseSignal
from tests.api.conftest import post_json

SIGNALS = "/api/v1/signals/"


def _shape(response: object) -> dict[str, Any]:
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"detail", "errors"}, body
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b"",
        b"null",
        b"\xff\xfe\x00",
        b'{"signals": NaN}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"signals": [{"external_id": "\\ud800"}]}',
        b'{"signals": [{"external_id": 1e400}]}',
    ],
)
def test_unreadable_bodies_get_a_french_400(api: Callable[[str], Client], raw: bytes) -> None:
    response = api("EMH").post(SIGNALS, data=raw, content_type="application/json")
    assert response.status_code == 400
    body = _shape(response)
    assert "Expecting" not in str(body)
    assert "JSON parse" not in str(body)
    assert not LeaseSignal.objects.exists()


@pytest.mark.django_db
def test_a_form_instead_of_json_gets_a_french_415(api: Callable[[str], Client]) -> None:
    response = api("EMH").post(SIGNALS, {"signals": "x"})
    assert response.status_code == 415
    assert "non supporté" in _shape(response)["detail"]


@pytest.mark.django_db
@override_settings(ETAGE_API_MAX_BODY_BYTES=2048)
def test_a_body_over_the_limit_gets_a_french_413(api: Callable[[str], Client]) -> None:
    response = post_json(api("EMH"), SIGNALS, {"signals": [{"external_id": "x" * 4000}]})
    assert response.status_code == 413
    assert "moins de lignes" in _shape(response)["detail"]


@pytest.mark.django_db
def test_wrong_methods_and_addresses_are_json_too(api: Callable[[str], Client]) -> None:
    client = api("EMH")
    deleted = client.delete(SIGNALS)
    assert deleted.status_code == 405
    assert "non autorisée" in _shape(deleted)["detail"]
    for url in ("/api/v2/signals/", "/api/v1/referrals/abc/", "/api/v1/signals"):
        missing = client.get(url)
        assert missing.status_code == 404
        assert missing["Content-Type"] == "application/json"
        assert _shape(missing)["detail"] == "Cette adresse de l'API n'existe pas."


@pytest.mark.django_db
@override_settings(ETAGE_API_RATES={"write": "2/min", "read": "3/min"})
def test_each_token_has_its_own_read_and_write_budgets(api: Callable[[str], Client]) -> None:
    emh = api("EMH")
    for _ in range(3):
        assert emh.get("/api/v1/referrals/").status_code == 200
    refused = emh.get("/api/v1/referrals/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Requête ralentie" in _shape(refused)["detail"]
    # Writes have their own budget, other tokens theirs.
    assert post_json(emh, SIGNALS, {"signals": []}).status_code == 400
    assert post_json(emh, SIGNALS, {"signals": []}).status_code == 400
    assert post_json(emh, SIGNALS, {"signals": []}).status_code == 429
    assert api("LMH").get("/api/v1/referrals/").status_code == 200
    assert not ArrearsImport.objects.exists()
