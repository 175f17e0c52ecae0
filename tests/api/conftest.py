"""Fixtures of the API tests: tokens of two landlords (EMH, LMH) and of a CCAS, and clients
that send them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from etage.accounts.models import User
from etage.api.services import api_token_create
from etage.organisations.models import Organisation


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    """Rate-limit counters live in the cache: each test starts with full budgets."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tokens(demo_reference: dict[str, User]) -> dict[str, str]:
    """Secret of one token per organisation code."""
    secrets: dict[str, str] = {}
    for code in ("EMH", "LMH", "CCAS-VAULX"):
        _token, secret = api_token_create(
            organisation=Organisation.objects.get(code=code), name=f"SI {code}"
        )
        secrets[code] = secret
    return secrets


@pytest.fixture
def api(tokens: dict[str, str]) -> Callable[[str], Client]:
    """``api("EMH")``: a client sending the EMH token."""

    def make(code: str) -> Client:
        return Client(headers={"Authorization": f"Bearer {tokens[code]}"})

    return make


def post_json(client: Client, url: str, data: Any) -> Any:
    return client.post(url, data=data, content_type="application/json")
