"""Scenario services: check → execute → record. A scenario's parameters are validated by
:func:`.params.scenario_from_dict` before any save; a run copies the parameters it ran with,
so its figures stay reproducible whatever the scenario becomes."""

from __future__ import annotations

import copy
import json
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from etage.evaluation.models import Project
from etage.evaluation.services import EvaluationError, save_versioned
from etage.scenarios.models import Hypothesis, Scenario, ScenarioRun
from etage.scenarios.params import ScenarioError, scenario_from_dict

MAX_REPLICATIONS = 500


def validated(parameters: Any) -> dict[str, Any]:
    """The parameters in canonical form, or :class:`EvaluationError` with the French
    message of the first problem."""
    try:
        return scenario_from_dict(parameters).to_dict()
    except ScenarioError as error:
        raise EvaluationError(str(error)) from error


def parse_upload(data: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise EvaluationError(
            _("The scenario file is not valid JSON: %(error)s") % {"error": error}
        ) from error
    return validated(parsed)


def set_path(parameters: dict[str, Any], path: str, value: Any) -> None:
    """Set ``levels.agr.share``-style paths in a parameter document."""
    keys = path.split(".")
    node = parameters
    for key in keys[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            raise EvaluationError(
                _("The parameter %(path)s does not exist in the scenario.") % {"path": path}
            )
        node = child
    node[keys[-1]] = value


def with_hypotheses(parameters: dict[str, Any], hypotheses: list[Hypothesis]) -> dict[str, Any]:
    """The parameters once each hypothesis of the combination has set its own."""
    result = copy.deepcopy(parameters)
    for hypothesis in hypotheses:
        for path, value in (hypothesis.parameters or {}).items():
            set_path(result, path, value)
    return validated(result)


@transaction.atomic
def scenario_create(
    project: Project,
    user: Any,
    *,
    name: str,
    parameters: dict[str, Any],
    description: str = "",
    durations_source: str = "",
) -> Scenario:
    data = validated({**parameters, "name": name})
    return Scenario.objects.create(
        project=project,
        name=name,
        description=description,
        parameters=data,
        durations_source=durations_source,
        created_by=user,
    )


@transaction.atomic
def scenario_update(
    scenario: Scenario, expected_version: int, *, name: str, description: str, parameters: Any
) -> Scenario:
    data = validated({**parameters, "name": name})
    save_versioned(scenario, expected_version, name=name, description=description, parameters=data)
    return scenario


@transaction.atomic
def scenario_combine(
    scenario: Scenario, expected_version: int, hypotheses: list[Hypothesis]
) -> Scenario:
    """Tie ``scenario`` to one hypothesis per key variable and apply their parameters."""
    variables = [h.variable_id for h in hypotheses]
    if len(variables) != len(set(variables)):
        raise EvaluationError(_("Choose at most one hypothesis per key variable."))
    if any(h.variable.project_id != scenario.project_id for h in hypotheses):
        raise EvaluationError(_("These hypotheses belong to another project."))
    data = with_hypotheses(scenario.parameters, hypotheses)
    save_versioned(scenario, expected_version, parameters=data)
    scenario.hypotheses.set(hypotheses)
    return scenario


def run_start(scenario: Scenario, user: Any, *, seed: int, replications: int) -> ScenarioRun:
    """Record a run and hand it to the background worker (in tests: run at once)."""
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise EvaluationError(
            _("Choose between 1 and %(max)s replications.") % {"max": MAX_REPLICATIONS}
        )
    if seed < 0:
        raise EvaluationError(_("The seed must be a positive integer."))
    run = ScenarioRun.objects.create(
        scenario=scenario,
        seed=seed,
        replications=replications,
        parameters=validated(scenario.parameters),
        created_by=user,
    )
    from etage.scenarios.tasks import run_scenario

    transaction.on_commit(lambda: run_scenario.enqueue(run.pk))
    return run


def run_execute(run_id: int) -> None:
    """The background part: analytical check, tornado, simulation with progress."""
    from etage.scenarios.analytic import check
    from etage.scenarios.results import run_to_dict
    from etage.scenarios.sensitivity import fte_needed, tornado
    from etage.scenarios.simulation import simulate

    run = ScenarioRun.objects.get(pk=run_id)
    ScenarioRun.objects.filter(pk=run_id).update(status=ScenarioRun.Status.RUNNING)
    try:
        scenario = scenario_from_dict(run.parameters)

        def progress(done: int, total: int) -> None:
            ScenarioRun.objects.filter(pk=run_id).update(progress=done)

        simulation = simulate(scenario, run.replications, run.seed, progress=progress)
        bars = tornado(scenario, fte_needed)
        ScenarioRun.objects.filter(pk=run_id).update(
            status=ScenarioRun.Status.DONE,
            result=run_to_dict(run.parameters, check(scenario), simulation),
            tornado=[
                {"key": b.key, "label": b.label, "low": b.low, "high": b.high, "base": b.base}
                for b in bars
            ],
            finished_at=timezone.now(),
        )
    except Exception as error:  # recorded for the page; the worker carries on
        ScenarioRun.objects.filter(pk=run_id).update(
            status=ScenarioRun.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
