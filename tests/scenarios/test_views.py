"""The scenario pages: a scenario from a scale (with the observed durations), its
parameters and instant check, runs in the background with their bands and tornado, exports,
the prospective table; members of the project only."""

from __future__ import annotations

import html
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from etage.accounts.models import User
from etage.evaluation.models import Project, ProjectMember
from etage.scenarios.models import (
    ContextFigure,
    Hypothesis,
    ProspectiveVariable,
    Scenario,
    ScenarioRun,
)
from tests import replay

pytestmark = pytest.mark.django_db
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "scenarios" / "metropole.json"


@pytest.fixture
def project(demo_reference: dict[str, User]) -> Project:
    project = Project.objects.create(name="Évaluation", created_by=demo_reference["t1-evaluation"])
    ProjectMember.objects.create(
        project=project, user=demo_reference["t1-evaluation"], role=ProjectMember.Role.LEAD
    )
    return project


def _small(parameters: dict[str, Any]) -> dict[str, Any]:
    return {**parameters, "horizon_months": 24, "warmup_months": 6}


def _create(
    client: Any, project: Project, scale_key: str = "social-stock-metropole", **extra: Any
) -> Scenario:
    scale = ContextFigure.objects.get(key=scale_key)
    response = client.post(
        reverse("scenarios:list", args=[project.pk]),
        {"new-name": "Métropole", "new-scale": scale.pk, **extra},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Scenario.objects.get(project=project, name="Métropole")


def test_a_scenario_from_a_scale_starts_feasible_and_is_compared(client_for, project):
    client = client_for("t1-evaluation")
    scenario = _create(client, project)
    assert scenario.parameters["scale"]["housing_stock"] == 155000
    page = html.unescape(
        client.get(reverse("scenarios:detail", args=[project.pk, scenario.pk])).content.decode()
    )
    assert "Vérification instantanée" in page
    assert "saturé" not in page
    listing = client.get(reverse("scenarios:list", args=[project.pk])).content.decode()
    assert "Métropole" in listing


def test_observed_durations_come_from_the_snapshot(client_for, project, tmp_path, settings):
    from etage.analytics.snapshot import write_snapshot

    replay.demo_history(seed=5, count=80)
    settings.ETAGE_SNAPSHOT_DIR = tmp_path / "snapshot"
    write_snapshot(settings.ETAGE_SNAPSHOT_DIR, full=True)
    scenario = _create(client_for("t1-evaluation"), project, **{"new-observed": "on"})
    kinds = {
        code: level["duration"]["kind"] for code, level in scenario.parameters["levels"].items()
    }
    assert "empirical" in kinds.values(), kinds
    assert scenario.durations_source.startswith("Observées")


def _form_data(scenario: Scenario, **changes: Any) -> dict[str, Any]:
    from etage.scenarios.forms import ParametersForm

    initial = ParametersForm.initial_from(
        scenario.name, scenario.description, scenario.version, scenario.parameters
    )
    data = {k: ("" if v is None else v) for k, v in initial.items()}
    data.update(changes)
    return data


def test_parameters_are_saved_and_checked_again(client_for, project):
    client = client_for("t1-evaluation")
    scenario = _create(client, project)
    url = reverse("scenarios:detail", args=[project.pk, scenario.pk])
    response = client.post(url, _form_data(scenario, identification_rate=3, agr_mean=20))
    assert response.status_code == 302
    scenario.refresh_from_db()
    assert scenario.parameters["identification_rate"] == pytest.approx(0.03)
    assert scenario.parameters["levels"]["agr"]["duration"] == {
        "kind": "exponential",
        "mean_months": 20,
    }
    page = html.unescape(client.get(url).content.decode())
    assert "saturé" in page  # more than twice the arrivals for the same staff


def test_shares_that_do_not_add_up_are_refused_in_french_and_change_nothing(client_for, project):
    client = client_for("t1-evaluation")
    scenario = _create(client, project)
    before = scenario.parameters
    response = client.post(
        reverse("scenarios:detail", args=[project.pk, scenario.pk]),
        _form_data(scenario, agr_share=50),
    )
    assert "doivent totaliser 1" in html.unescape(response.content.decode())
    scenario.refresh_from_db()
    assert scenario.parameters == before


def test_a_stale_form_is_refused(client_for, project):
    client = client_for("t1-evaluation")
    scenario = _create(client, project)
    url = reverse("scenarios:detail", args=[project.pk, scenario.pk])
    stale = _form_data(scenario, identification_rate=1)
    client.post(url, _form_data(scenario, identification_rate=2))
    response = client.post(url, stale)
    assert "entre-temps" in html.unescape(response.content.decode())
    scenario.refresh_from_db()
    assert scenario.parameters["identification_rate"] == pytest.approx(0.02)


def test_a_run_computes_bands_and_tornado_reproducibly_and_exports_them(
    client_for, project, django_capture_on_commit_callbacks
):
    client = client_for("t1-evaluation")
    scenario = _create(client, project)
    scenario.parameters = _small(scenario.parameters)
    scenario.save()
    start = reverse("scenarios:run_start", args=[project.pk, scenario.pk])
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(start, {"seed": 11, "replications": 3})
    first, second = ScenarioRun.objects.filter(scenario=scenario).order_by("pk")
    assert first.status == second.status == ScenarioRun.Status.DONE
    assert first.progress == 3
    assert first.result == second.result
    assert {bar["key"] for bar in first.tornado} >= {"identification_rate", "durations"}
    page = html.unescape(
        client.get(reverse("scenarios:run", args=[project.pk, first.pk])).content.decode()
    )
    assert "bande à 90 %" in page
    assert "Sensibilité" in page
    csv_text = client.get(
        reverse("scenarios:run_export", args=[project.pk, first.pk, "csv"])
    ).content.decode()
    assert "Accompagnement global renforcé (AGR)" in csv_text
    exported = json.loads(
        client.get(reverse("scenarios:run_export", args=[project.pk, first.pk, "json"])).content
    )
    assert exported["seed"] == 11
    assert exported["simulation"] == first.result["simulation"]


def test_bad_run_options_are_refused(client_for, project):
    client = client_for("t1-evaluation")
    scenario = _create(client, project)
    response = client.post(
        reverse("scenarios:run_start", args=[project.pk, scenario.pk]),
        {"seed": 1, "replications": 0},
        follow=True,
    )
    assert not ScenarioRun.objects.exists()
    assert "supérieure ou égale à 1" in html.unescape(response.content.decode())


def test_a_scenario_file_is_imported_or_refused(client_for, project):
    client = client_for("t1-evaluation")
    url = reverse("scenarios:upload", args=[project.pk])
    good = io.BytesIO(EXAMPLE.read_bytes())
    good.name = "metropole.json"
    assert client.post(url, {"upload-file": good}).status_code == 302
    assert Scenario.objects.filter(project=project).count() == 1
    bad = io.BytesIO(b'{"format": "etage-scenario/1", "name": "x"}')
    bad.name = "bad.json"
    response = client.post(url, {"upload-file": bad}, follow=True)
    assert "un objet est attendu" in html.unescape(response.content.decode())
    assert Scenario.objects.filter(project=project).count() == 1


def test_the_prospective_table_ties_a_scenario_to_hypotheses(client_for, project):
    client = client_for("t1-evaluation")
    scenario = _create(client, project)
    url = reverse("scenarios:prospective", args=[project.pk])
    client.post(url, {"form": "variable", "variable-name": "Repérage", "variable-position": 0})
    variable = ProspectiveVariable.objects.get(project=project)
    refused = client.post(
        url,
        {
            "form": "hypothesis",
            "hypothesis-variable": variable.pk,
            "hypothesis-label": "Inconnu",
            "hypothesis-parameters": '{"levels.tres_fort.share": 1}',
            "hypothesis-position": 0,
        },
    )
    assert "n'existe pas" in html.unescape(refused.content.decode())
    client.post(
        url,
        {
            "form": "hypothesis",
            "hypothesis-variable": variable.pk,
            "hypothesis-label": "Repérage renforcé",
            "hypothesis-parameters": '{"identification_rate": 0.02}',
            "hypothesis-position": 0,
        },
    )
    hypothesis = Hypothesis.objects.get(label="Repérage renforcé")
    client.post(
        reverse("scenarios:combine", args=[project.pk, scenario.pk]),
        {"version": scenario.version, f"variable-{variable.pk}": hypothesis.pk},
    )
    scenario.refresh_from_db()
    assert scenario.parameters["identification_rate"] == pytest.approx(0.02)
    assert list(scenario.hypotheses.all()) == [hypothesis]
    assert "Repérage renforcé" in client.get(url).content.decode()


@pytest.mark.parametrize(
    "username", ["t2-evaluation", "t1-pilotage", "t1-coordination", "t1-admin"]
)
def test_non_members_get_404(client_for, project, username, demo_reference):
    scenario = Scenario.objects.create(
        project=project,
        name="S",
        parameters=json.loads(EXAMPLE.read_text(encoding="utf-8")),
        created_by=demo_reference["t1-evaluation"],
    )
    client = client_for(username)
    for url in (
        reverse("scenarios:list", args=[project.pk]),
        reverse("scenarios:detail", args=[project.pk, scenario.pk]),
        reverse("scenarios:json", args=[project.pk, scenario.pk]),
        reverse("scenarios:prospective", args=[project.pk]),
    ):
        assert client.get(url).status_code == 404
    client.post(
        reverse("scenarios:run_start", args=[project.pk, scenario.pk]),
        {"seed": 1, "replications": 1},
    )
    assert not ScenarioRun.objects.exists()
