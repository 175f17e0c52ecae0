"""Notifications are created after the commit of the work that causes them: tests run the
on-commit callbacks with ``django_capture_on_commit_callbacks(execute=True)``. The situation
helpers are those of the "My work" tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from etage.notifications.models import Delivery, NotificationPreference
from tests.worklist.conftest import new_situation, walk, world  # noqa: F401 — fixtures

__all__ = ["walk"]


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """``with committed(): service(...)`` — the service's on-commit work runs at the end."""

    @contextmanager
    def run() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return run


@pytest.fixture
def prefer() -> Callable[..., None]:
    def set_(user: Any, kind: str, delivery: str) -> None:
        assert delivery in Delivery.values
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"delivery": delivery}
        )

    return set_
