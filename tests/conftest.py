"""Shared fixtures: the demo reference data and a named cast of personas built from it.

Personas are the demo accounts (``t1-professionnel``…), so that tests read like the product:
``client_for("t2-coordination")``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from etage.accounts.models import User
from tests import replay

#: Situation fixtures (``refer``, ``advance``), shared by every test package.
pytest_plugins = ["tests.pathways"]

#: The longest files (seconds each, from ``--durations``), collected first. The suite runs
#: with ``--dist loadfile``: xdist hands out whole files in their collection order, so a long
#: file collected late becomes the run's tail while the other workers wait.
LONGEST_FIRST = (
    "security/test_leak_hunt.py",
    "demo/test_history_reset.py",
    "analytics/test_dashboards.py",
    "security/test_same_scope.py",
    "performance/test_query_counts.py",
    "demo/test_history.py",
    "worklist/test_pages.py",
    "scenarios/test_views.py",
)
_TESTS = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}

    def place(item: pytest.Item) -> int:
        path = Path(str(item.fspath))
        name = path.relative_to(_TESTS).as_posix() if _TESTS in path.parents else ""
        return rank.get(name, len(rank))

    items.sort(key=place)  # stable: the rest keep their order


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
