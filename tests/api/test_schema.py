"""The OpenAPI schema is served, valid without a warning, and schemathesis, fuzzing every
endpoint of it with a valid token, finds no server error.

The fuzz calls the WSGI application in-process (``schemathesis.openapi.from_wsgi``) inside an
ordinary ``django_db`` test: the requests run in the test's thread and transaction, so the
data of the fixtures is seen and everything is rolled back after. Examples are bounded
(``max_examples``) to keep the suite fast; CI runs it on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from io import StringIO
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import close_old_connections
from django.test import Client, override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from etage.situations.models import Situation


def test_the_schema_is_valid_without_warnings(tmp_path: Any) -> None:
    target = tmp_path / "schema.yaml"
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(target), stderr=StringIO()
    )
    text = target.read_text(encoding="utf-8")
    for path in (
        "/api/v1/arrears-batches/",
        "/api/v1/arrears-batches/{id}/",
        "/api/v1/signals/",
        "/api/v1/referrals/",
        "/api/v1/referrals/{id}/",
    ):
        assert f"{path}:" in text
    assert "bearer" in text


@pytest.mark.django_db
def test_the_schema_is_served_by_the_application_without_a_token() -> None:
    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.0")
    assert schema["components"]["securitySchemes"]["jeton"]["scheme"] == "bearer"


@pytest.fixture
def keep_connection() -> Iterator[None]:
    """As Django's test client does, in-process requests must not close the database
    connection: the test's transaction lives on it."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_data(
    keep_connection: None, tokens: dict[str, str], refer: Callable[..., Situation]
) -> dict[str, str]:
    """A landlord with a token, two referrals and one batch; another landlord's referral."""
    refer("t1-signalement", last_name="Fictif")
    refer("t1-signalement", last_name="Imaginaire", address="8 rue des Acacias")
    refer("t2-signalement", insee="69259", landlord="LMH", last_name="Inventé")
    return tokens


# Loaded from the application itself when the tests are collected (the schema view reads no
# database).
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
@override_settings(ETAGE_API_RATES={"write": "100000/min", "read": "100000/min"})
@pytest.mark.django_db
def test_schemathesis_finds_no_server_error(case: Any, fuzz_data: dict[str, str]) -> None:
    response = case.call(headers={"Authorization": f"Bearer {fuzz_data['EMH']}"})
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
