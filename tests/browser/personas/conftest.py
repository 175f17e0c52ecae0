"""Fixtures of the persona journeys (one file per person, tests/browser/personas/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import demo_site_with_history


@pytest.fixture
def demo_history(demo_site: None, tmp_path: Path, settings: Any) -> None:
    """The demo as ``make demo`` builds it, smaller: a few years of situations, meetings and
    procedures, the landlords' arrears extracts, the pseudonymised snapshot with its
    indicators, and the evaluation project."""
    from etage.demo.analytics import demo_build_analytics
    from etage.demo.evaluation import demo_build_evaluation
    from etage.demo.imports import demo_import_extracts
    from etage.notifications.dispatch import suppressed

    with suppressed():
        demo_site_with_history(seed=1, count=80)
    demo_import_extracts(seed=1)
    settings.ETAGE_SNAPSHOT_DIR = tmp_path / "snapshot"
    demo_build_analytics()
    demo_build_evaluation(seed=1)
