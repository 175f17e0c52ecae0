"""Shared fixtures: the demo reference data and a named cast of personas built from it.

Personas are the demo accounts (``t1-professionnel``…), so that tests read like the product:
``client_for("t2-coordination")``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from etage.accounts.models import User
from tests import replay

#: Situation fixtures (``refer``, ``advance``), shared by every test package.
pytest_plugins = ["tests.pathways"]


@pytest.fixture
def demo_reference(db: None) -> dict[str, User]:
    """The three territories, their partners and one account per role and territory."""
    accounts = replay.demo_reference(seed=1)
    return {u.username: u for u in User.objects.filter(username__in=[a.username for a in accounts])}


@pytest.fixture
def client_for(demo_reference: dict[str, User]) -> Callable[[str], Client]:
    def make(username: str) -> Client:
        client = Client()
        client.force_login(demo_reference[username])
        return client

    return make
