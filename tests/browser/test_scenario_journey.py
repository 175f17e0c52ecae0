"""Issue 10's must-show in a real browser: an evaluator builds a metropolis scenario from the
durations observed by the platforms, runs it, sees the bands and the tornado chart, and
exports the result. Every page passes the axe-core audit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import audit, demo_site_with_history


@pytest.fixture
def project(demo_site: None, tmp_path: Path, settings: Any) -> Any:
    from etage.accounts.models import User
    from etage.analytics.snapshot import write_snapshot
    from etage.evaluation.models import Project, ProjectMember
    from etage.notifications.dispatch import suppressed

    # Without notifications, as the persona journeys: one recording per worker for all.
    with suppressed():
        demo_site_with_history(seed=1, count=80)
    settings.ETAGE_SNAPSHOT_DIR = tmp_path / "snapshot"
    write_snapshot(settings.ETAGE_SNAPSHOT_DIR, full=True)
    evaluator = User.objects.get(username="t1-evaluation")
    project = Project.objects.create(name="Évaluation ETAGE", created_by=evaluator)
    ProjectMember.objects.create(project=project, user=evaluator, role=ProjectMember.Role.LEAD)
    return project


def test_the_evaluator_runs_a_metropolis_scenario_from_observed_durations(
    open_as: Any, project: Any, tmp_path: Path
) -> None:
    page: Page = open_as("t1-evaluation")
    page.get_by_role("link", name="Espace d’évaluation").first.click()
    page.get_by_role("link", name="Évaluation ETAGE").click()
    page.get_by_role("navigation", name="Sections du projet").get_by_role(
        "link", name="Scénarios"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scénarios de généralisation")
    expect(page.get_by_test_id("no-scenario")).to_be_visible()
    audit(page)

    page.get_by_label("Nom").fill("Métropole, durées observées")
    page.get_by_label("Échelle").select_option(
        label="Parc social de la Métropole de Lyon (estimation)"
    )
    expect(page.get_by_label("Prendre les durées d'accompagnement observées")).to_be_checked()
    page.get_by_role("button", name="Créer le scénario").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Métropole, durées observées")
    expect(page.get_by_text("Observées par les plateformes")).to_be_visible()
    expect(page.get_by_test_id("analytic-check")).to_contain_text("Vérification instantanée")
    audit(page)

    # A short horizon keeps the run quick in the test; the seed makes it reproducible.
    page.get_by_label("Horizon (mois)").fill("30")
    page.get_by_label("Mise en régime (mois)").fill("12")
    page.get_by_role("button", name="Enregistrer les paramètres").click()
    expect(page.get_by_text("Paramètres enregistrés")).to_be_visible()
    page.get_by_label("Graine").fill("7")
    page.get_by_label("Réplications").fill("4")
    page.get_by_role("button", name="Lancer", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Exécution de")
    bands = page.get_by_test_id("run-bands")
    expect(bands).to_contain_text("Accompagnement global renforcé (AGR)")
    expect(page.get_by_role("heading", name="Sensibilité")).to_be_visible()
    tornado = page.locator("figure[data-chart='tornado-spec']")
    expect(tornado).to_contain_text("Taux de repérage")
    expect(tornado.locator("canvas")).to_be_visible()
    audit(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter toute l'exécution (JSON)").click()
    path = tmp_path / "execution.json"
    download_info.value.save_as(path)
    exported = json.loads(path.read_text(encoding="utf-8"))
    assert exported["seed"] == 7
    assert exported["replications"] == 4
    kinds = {level["duration"]["kind"] for level in exported["scenario"]["levels"].values()}
    assert "empirical" in kinds

    # Back to the comparison: the scenario and its run are listed side by side.
    page.get_by_role("link", name="Scénarios côte à côte").first.click()
    expect(page.get_by_test_id("scenario-comparison")).to_contain_text("4 réplications, graine 7")
    audit(page)
