"""The replay of test worlds (tests/replay.py) gives back exactly what the builder wrote."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from etage.accounts.models import User
from etage.demo.services import demo_build_reference
from tests.replay import _dump, replay

pytestmark = pytest.mark.django_db


def _counting(build: Callable[[], Any]) -> tuple[Callable[[], Any], list[int]]:
    calls: list[int] = []

    def wrapped() -> Any:
        calls.append(1)
        return build()

    return wrapped, calls


def _in_rolled_back_transaction(run: Callable[[], Any]) -> tuple[Any, dict[str, Any]]:
    with transaction.atomic():
        result = run()
        rows = _dump()
        transaction.set_rollback(True)
    return result, rows


def test_a_second_call_inserts_the_same_rows_without_running_the_builder():
    build, calls = _counting(lambda: [a.username for a in demo_build_reference(seed=1)])
    key = ("test_replay", "same rows")
    first, built = _in_rolled_back_transaction(lambda: replay(key, build))
    assert not User.objects.exists()
    second, replayed = _in_rolled_back_transaction(lambda: replay(key, build))
    assert calls == [1]
    assert second == first
    assert replayed == built
    assert sum(len(rows) for rows in built.values()) > len(first)
    # New rows after a replay take ids past the replayed ones (sequences moved on PostgreSQL).
    with transaction.atomic():
        replay(key, build)
        User.objects.create(username="après-rejeu", is_superuser=True)
        transaction.set_rollback(True)


def test_another_starting_state_runs_the_builder_again():
    build, calls = _counting(lambda: demo_build_reference(seed=1) and None)
    key = ("test_replay", "other state")
    _in_rolled_back_transaction(lambda: replay(key, build))
    with transaction.atomic():
        User.objects.create(username="déjà-là", is_superuser=True)
        replay(key, build)
        transaction.set_rollback(True)
    assert calls == [1, 1]


def test_a_builder_that_changes_existing_rows_is_never_replayed():
    def build() -> None:
        User.objects.filter(username="existant").update(first_name="Modifié")
        User.objects.create(username="nouveau", is_superuser=True)

    counted, calls = _counting(build)
    key = ("test_replay", "changes")
    for _ in range(2):
        with transaction.atomic():
            User.objects.create(username="existant", first_name="Initial", is_superuser=True)
            replay(key, counted)
            assert User.objects.get(username="existant").first_name == "Modifié"
            transaction.set_rollback(True)
    assert calls == [1, 1]
