"""Scenario pages, inside an evaluation project (the workspace's one door,
:func:`etage.evaluation.scope.require_project`: 404 for anyone but the project's members).

- the list compares the project's scenarios side by side and starts a new one from a scale
  (with the observed durations when the snapshot is there) or from a JSON file;
- a scenario's page edits its parameters with the instant analytical check beside them,
  ties it to a combination of the prospective table, and starts runs;
- a run's page shows its progress (polled), then the bands, the monthly caseload charts and
  the tornado, each with its table, and exports them.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from etage.analytics import store
from etage.core.exports import safe_cell
from etage.evaluation.layout import project_context
from etage.evaluation.models import Project
from etage.evaluation.scope import acting_user, require_project
from etage.evaluation.services import EvaluationError
from etage.scenarios import services
from etage.scenarios.analytic import check, level_label
from etage.scenarios.defaults import durations_label, starting_parameters
from etage.scenarios.figures import TornadoChart, band_charts
from etage.scenarios.forms import NewScenarioForm, ParametersForm, RunForm, UploadScenarioForm
from etage.scenarios.models import (
    ContextFigure,
    Hypothesis,
    ProspectiveVariable,
    Scenario,
    ScenarioRun,
)
from etage.scenarios.observed import support_durations
from etage.scenarios.params import scenario_from_dict

SECTION = "scenarios:list"


def _scenario(project: Project, pk: int) -> Scenario:
    scenario = Scenario.objects.filter(project=project, pk=pk).first()
    if scenario is None:
        raise Http404
    return scenario


def _run(project: Project, pk: int) -> ScenarioRun:
    run = (
        ScenarioRun.objects.filter(scenario__project=project, pk=pk)
        .select_related("scenario")
        .first()
    )
    if run is None:
        raise Http404
    return run


def _observed() -> tuple[dict[str, Any] | None, str]:
    try:
        month = str(store.manifest().get("created_at", ""))[:7]
        con = store.connect()
    except store.SnapshotMissing:
        return None, ""
    try:
        return support_durations(con), month
    finally:
        con.close()


@login_required
def scenario_list(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    form = NewScenarioForm(request.POST or None, prefix="new")
    if request.method == "POST" and form.is_valid():
        observed, month = _observed() if form.cleaned_data["observed"] else (None, "")
        scenario = services.scenario_create(
            project,
            acting_user(request),
            name=form.cleaned_data["name"],
            parameters=starting_parameters(
                form.cleaned_data["name"], form.cleaned_data["scale"], observed
            ),
            durations_source=durations_label(observed, month),
        )
        messages.success(request, _("Scenario created: adjust its parameters, then run it."))
        return redirect("scenarios:detail", project_pk=project.pk, pk=scenario.pk)
    scenarios = list(Scenario.objects.filter(project=project).order_by("name", "pk"))
    rows = []
    for scenario in scenarios:
        analytic = check(scenario_from_dict(scenario.parameters))
        latest = scenario.runs.filter(status=ScenarioRun.Status.DONE).first()
        rows.append({"scenario": scenario, "analytic": analytic, "run": latest})
    context = project_context(
        project,
        SECTION,
        page_title=_("Scale-up scenarios"),
        form=form,
        upload=UploadScenarioForm(prefix="upload"),
        rows=rows,
        scales=ContextFigure.objects.filter(is_scale=True),
    )
    return render(request, "scenarios/list.html", context)


@login_required
@require_POST
def scenario_upload(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    form = UploadScenarioForm(request.POST, request.FILES, prefix="upload")
    if form.is_valid():
        try:
            parameters = services.parse_upload(form.cleaned_data["file"].read())
            scenario = services.scenario_create(
                project,
                acting_user(request),
                name=parameters["name"],
                parameters=parameters,
                durations_source=_("Imported file"),
            )
        except EvaluationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Scenario imported."))
            return redirect("scenarios:detail", project_pk=project.pk, pk=scenario.pk)
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
    return redirect("scenarios:list", project_pk=project.pk)


@login_required
def scenario_detail(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    scenario = _scenario(project, pk)
    parameters = scenario.parameters
    form = ParametersForm(
        request.POST or None,
        parameters=parameters,
        initial=ParametersForm.initial_from(
            scenario.name, scenario.description, scenario.version, parameters
        ),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.scenario_update(
                scenario,
                form.cleaned_data["version"],
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                parameters=form.parameters(parameters),
            )
        except EvaluationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Parameters saved; the check below is up to date."))
            return redirect("scenarios:detail", project_pk=project.pk, pk=scenario.pk)
    variables = ProspectiveVariable.objects.filter(project=project).prefetch_related("hypotheses")
    context = project_context(
        project,
        SECTION,
        page_title=scenario.name,
        scenario=scenario,
        form=form,
        analytic=check(scenario_from_dict(parameters)),
        level_fieldsets=[(label, [form[n] for n in names]) for label, names in form.level_fields],
        runs=scenario.runs.all()[:20],
        run_form=RunForm(initial={"seed": secrets.randbelow(10**6)}),
        variables=variables,
        chosen=set(scenario.hypotheses.values_list("pk", flat=True)),
    )
    return render(request, "scenarios/detail.html", context)


@login_required
@require_POST
def scenario_combine(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    scenario = _scenario(project, pk)
    ids = [
        int(value)
        for key in request.POST
        if key.startswith("variable-") and (value := str(request.POST.get(key, ""))).isdigit()
    ]
    hypotheses = list(
        Hypothesis.objects.filter(pk__in=ids, variable__project=project).select_related("variable")
    )
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        services.scenario_combine(scenario, version, hypotheses)
    except EvaluationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Hypotheses applied to the scenario."))
    return redirect("scenarios:detail", project_pk=project.pk, pk=scenario.pk)


@login_required
def scenario_json(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    scenario = _scenario(project, pk)
    response = HttpResponse(
        json.dumps(scenario.parameters, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="scenario-{scenario.pk}.json"'
    return response


@login_required
@require_POST
def run_start(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    scenario = _scenario(project, pk)
    form = RunForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect("scenarios:detail", project_pk=project.pk, pk=scenario.pk)
    try:
        run = services.run_start(
            scenario,
            acting_user(request),
            seed=form.cleaned_data["seed"],
            replications=form.cleaned_data["replications"],
        )
    except EvaluationError as error:
        messages.error(request, error.message)
        return redirect("scenarios:detail", project_pk=project.pk, pk=scenario.pk)
    return redirect("scenarios:run", project_pk=project.pk, pk=run.pk)


def _run_context(project: Project, run: ScenarioRun) -> dict[str, Any]:
    result = run.result or {}
    simulation = result.get("simulation") or {}
    levels = []
    for code in simulation.get("caseload") or {}:
        levels.append(
            {
                "label": level_label(code),
                "caseload": simulation["caseload"][code],
                "queue": simulation["queue"][code],
                "wait": simulation["wait_months"][code],
                "utilisation": simulation["utilisation"][code],
                "analytic": (result.get("analytic") or {}).get("levels", {}).get(code, {}),
            }
        )
    return project_context(
        project,
        SECTION,
        page_title=_("Run of “%(name)s”") % {"name": run.scenario.name},
        run=run,
        result=result,
        simulation=simulation,
        levels=levels,
        charts=band_charts(result),
        tornado=TornadoChart(run.tornado) if run.tornado else None,
        with_charts=run.status == ScenarioRun.Status.DONE,
    )


@login_required
def run_detail(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    run = _run(project, pk)
    context = _run_context(project, run)
    if request.htmx and run.status in (ScenarioRun.Status.QUEUED, ScenarioRun.Status.RUNNING):  # type: ignore[attr-defined]
        return render(request, "scenarios/_run_progress.html", context)
    if request.htmx:  # type: ignore[attr-defined]
        # Finished while polled: reload the whole page, with its charts.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "scenarios/run.html", context)


@login_required
def run_export(request: HttpRequest, project_pk: int, pk: int, fmt: str) -> HttpResponse:
    project = require_project(request.user, project_pk)
    run = _run(project, pk)
    if run.status != ScenarioRun.Status.DONE or fmt not in ("json", "csv"):
        raise Http404
    name = f"scenario-{run.scenario_id}-execution-{run.pk}"
    if fmt == "json":
        body = json.dumps(
            {
                "seed": run.seed,
                "replications": run.replications,
                **(run.result or {}),
                "tornado": run.tornado,
            },
            ensure_ascii=False,
            indent=2,
        )
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(
            [
                _("Level"),
                _("Figure"),
                _("Mean"),
                _("95 % CI low"),
                _("95 % CI high"),
                _("5th percentile"),
                _("95th percentile"),
            ]
        )
        simulation = (run.result or {}).get("simulation") or {}
        for key, label in (
            ("caseload", _("Supports running at once")),
            ("queue", _("Waiting for a place")),
            ("wait_months", _("Wait for a place (months)")),
            ("utilisation", _("Utilisation of the places")),
        ):
            for level, band in (simulation.get(key) or {}).items():
                writer.writerow(
                    [
                        safe_cell(level_label(level)),
                        label,
                        band["mean"],
                        *band["ci95"],
                        *band["band90"],
                    ]
                )
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def prospective(request: HttpRequest, project_pk: int) -> HttpResponse:
    """The prospective table: key variables × hypotheses, and which scenario takes which."""
    from etage.scenarios.forms import HypothesisForm, VariableForm

    project = require_project(request.user, project_pk)
    variable_form = VariableForm(
        request.POST if request.POST.get("form") == "variable" else None, prefix="variable"
    )
    hypothesis_form = HypothesisForm(
        request.POST if request.POST.get("form") == "hypothesis" else None,
        prefix="hypothesis",
        project=project,
    )
    if request.method == "POST":
        if variable_form.is_bound and variable_form.is_valid():
            variable = variable_form.save(commit=False)
            variable.project = project
            variable.save()
            messages.success(request, _("Key variable added."))
            return redirect("scenarios:prospective", project_pk=project.pk)
        if hypothesis_form.is_bound and hypothesis_form.is_valid():
            try:
                _check_hypothesis_paths(project, hypothesis_form.cleaned_data["parameters"])
            except EvaluationError as error:
                hypothesis_form.add_error("parameters", error.message)
            else:
                hypothesis_form.save()
                messages.success(request, _("Hypothesis added."))
                return redirect("scenarios:prospective", project_pk=project.pk)
    variables = ProspectiveVariable.objects.filter(project=project).prefetch_related(
        "hypotheses__scenarios"
    )
    context = project_context(
        project,
        SECTION,
        page_title=_("Prospective table"),
        variables=variables,
        variable_form=variable_form,
        hypothesis_form=hypothesis_form,
    )
    return render(request, "scenarios/prospective.html", context)


def _check_hypothesis_paths(project: Project, parameters: Any) -> None:
    """A hypothesis' parameters must name existing scenario parameters: tried on the
    starting parameters of the first scale."""
    if not isinstance(parameters, dict):
        raise EvaluationError(_("Give the parameters as a JSON object."))
    scale = ContextFigure.objects.filter(is_scale=True).first()
    if scale is None or not parameters:
        return
    base = starting_parameters("test", scale)
    for path, value in parameters.items():
        services.set_path(base, str(path), value)
    services.validated(base)
