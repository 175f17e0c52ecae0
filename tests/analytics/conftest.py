"""Shared fixtures of the analytics tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from tests import replay


@pytest.fixture(scope="module")
def history(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo's 40-situation history, built once per module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        replay.demo_reference(seed=1)
        replay.demo_history(seed=5, count=40)
        yield
        transaction.set_rollback(True)
