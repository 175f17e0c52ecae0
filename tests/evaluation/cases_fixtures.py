"""Snapshot fixtures of the case-study tests (``pytest_plugins`` of those modules): one
synthetic snapshot per module (tests/analytics/logs.py), pointed at by the settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.analytics.logs import BuiltLog, build_log
from tests.evaluation.cases_world import snapshot_at


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltLog:
    return build_log(tmp_path_factory.mktemp("cases-snapshot"), cases=80, seed=3)


@pytest.fixture
def snapshot(built: BuiltLog, settings: Any) -> BuiltLog:
    snapshot_at(settings, built.directory)
    return built


@pytest.fixture
def no_snapshot(settings: Any, tmp_path: Path) -> None:
    snapshot_at(settings, tmp_path / "nothing-yet")
