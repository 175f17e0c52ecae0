"""Shared fixtures of the analytics tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from etage.demo.history import demo_build_history
from etage.demo.services import demo_build_reference


@pytest.fixture(scope="module")
def history(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo's 40-situation history, built once per module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_build_reference(seed=1)
        demo_build_history(seed=5, count=40)
        yield
        transaction.set_rollback(True)
