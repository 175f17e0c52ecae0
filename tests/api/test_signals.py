"""A landlord pushes complaints and procedure steps: all or nothing, idempotent by its own
identifier, a changed content refused (409), scoped to the token's landlord."""

from __future__ import annotations

import datetime as dt
import sys
import types
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from etage.intake.models import LeaseSignal
from tests.api.conftest import post_json

URL = "/api/v1/signals/"


def signal(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "external_id": "PL-2026-001",
        "lease_reference": "B-000123",
        "kind": "complaint",
        "occurred_on": "2026-05-12",
    }
    return base | overrides


PUSH = [
    signal(),
    signal(
        external_id="PR-2026-007",
        kind="procedure",
        stage="commandement_de_payer",
        occurred_on="2026-05-20",
    ),
]


@pytest.fixture
def evaluated(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Records the calls to the early-warning rules (etage.alerts.services.evaluate_leases)."""
    calls: list[dict[str, Any]] = []

    def fake(*, landlord: Any, lease_references: Any) -> None:
        calls.append({"landlord": landlord.code, "lease_references": list(lease_references)})

    try:
        import etage.alerts.services as alerts
    except ModuleNotFoundError:
        alerts = types.ModuleType("etage.alerts.services")
        monkeypatch.setitem(sys.modules, "etage.alerts.services", alerts)
    monkeypatch.setattr(alerts, "evaluate_leases", fake, raising=False)
    return calls


@pytest.mark.django_db
def test_the_same_push_twice_creates_nothing_new(
    api: Callable[[str], Client], evaluated: list[dict[str, Any]]
) -> None:
    first = post_json(api("EMH"), URL, {"signals": PUSH})
    assert first.status_code == 200, first.json()
    assert first.json() == {"created": 2, "unchanged": 0}
    assert evaluated == [{"landlord": "EMH", "lease_references": ["B-000123"]}]
    stored = LeaseSignal.objects.get(external_id="PR-2026-007")
    assert (stored.landlord.code, stored.kind, stored.stage, stored.occurred_on) == (
        "EMH",
        "procedure",
        "commandement_de_payer",
        dt.date(2026, 5, 20),
    )

    second = post_json(api("EMH"), URL, {"signals": PUSH})
    assert second.json() == {"created": 0, "unchanged": 2}
    assert LeaseSignal.objects.count() == 2
    assert len(evaluated) == 1  # nothing new, nothing to evaluate


@pytest.mark.django_db
def test_a_known_identifier_with_another_content_is_refused_and_nothing_is_written(
    api: Callable[[str], Client], evaluated: list[dict[str, Any]]
) -> None:
    post_json(api("EMH"), URL, {"signals": PUSH})
    changed = [signal(occurred_on="2026-05-13"), signal(external_id="PL-2026-002")]
    response = post_json(api("EMH"), URL, {"signals": changed})
    assert response.status_code == 409
    assert "PL-2026-001" in response.json()["detail"]
    assert "nouvel identifiant" in response.json()["detail"]
    assert not LeaseSignal.objects.filter(external_id="PL-2026-002").exists()
    assert LeaseSignal.objects.get(external_id="PL-2026-001").occurred_on == dt.date(2026, 5, 12)


@pytest.mark.django_db
def test_identifiers_are_per_landlord(
    api: Callable[[str], Client], evaluated: list[dict[str, Any]]
) -> None:
    post_json(api("EMH"), URL, {"signals": PUSH})
    response = post_json(api("LMH"), URL, {"signals": [signal(occurred_on="2026-04-01")]})
    assert response.json() == {"created": 1, "unchanged": 0}
    assert LeaseSignal.objects.get(landlord__code="LMH").occurred_on == dt.date(2026, 4, 1)
    assert LeaseSignal.objects.get(
        landlord__code="EMH", external_id="PL-2026-001"
    ).occurred_on == dt.date(2026, 5, 12)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bad", "field", "words"),
    [
        (signal(kind="procedure"), "stage", "étape"),
        (signal(stage="hearing"), "stage", "plainte"),
        (signal(kind="rumeur"), "kind", "choix"),
        (signal(occurred_on="2999-01-01"), "occurred_on", "futur"),
        (signal(occurred_on="12/05/2026"), "occurred_on", "date"),
        (signal(lease_reference="1850578006048"), "lease_reference", "sécurité sociale"),
        (signal(external_id=""), "external_id", "vide"),
        (signal(external_id="x" * 65), "external_id", "64"),
        (signal(external_id="A\x00B"), "external_id", "nul"),
        (signal(lease_reference=None), "lease_reference", "nul"),
        (signal(note="urgent"), "note", "inconnu"),
    ],
)
def test_one_bad_signal_refuses_the_whole_push_in_french(
    api: Callable[[str], Client],
    evaluated: list[dict[str, Any]],
    bad: dict[str, Any],
    field: str,
    words: str,
) -> None:
    response = post_json(api("EMH"), URL, {"signals": [signal(external_id="OK-1"), bad]})
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert [(e["line"], e["field"]) for e in errors] == [(2, field)]
    assert words in errors[0]["message"].lower(), errors
    assert not LeaseSignal.objects.exists()
    assert evaluated == []


@pytest.mark.django_db
def test_the_same_identifier_twice_in_one_push_is_refused(
    api: Callable[[str], Client], evaluated: list[dict[str, Any]]
) -> None:
    response = post_json(api("EMH"), URL, {"signals": [signal(), signal()]})
    assert response.status_code == 400
    assert response.json()["detail"] == "Le même identifiant apparaît deux fois dans cet envoi."
    assert not LeaseSignal.objects.exists()


@pytest.mark.django_db
def test_a_ccas_may_not_push_signals(api: Callable[[str], Client]) -> None:
    response = post_json(api("CCAS-VAULX"), URL, {"signals": PUSH})
    assert response.status_code == 403
    assert not LeaseSignal.objects.exists()
