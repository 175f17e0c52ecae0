"""The demo world of the security proofs, built once per worker for the whole package (about
half a minute on SQLite) inside a transaction rolled back at its end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from tests.security.world import World, build_world


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    media = tmp_path_factory.mktemp("security-media")
    # As in production: no demo waiver of the second factor; each persona verifies one.
    with (
        override_settings(MEDIA_ROOT=str(media), ETAGE_DEMO_WAIVE_SECOND_FACTOR=False),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """API rate limits and lockouts live in the cache: each test starts afresh."""
    cache.clear()
    yield
    cache.clear()
