"""``python manage.py etage_simulate SCENARIO.json --replications N --seed S --json``: the
analytical check and the Monte-Carlo simulation of a scenario file (format
``etage-scenario/1``, see :mod:`etage.scenarios.params`). The same file, seed and number of
replications give the same figures to the digit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from etage.scenarios.analytic import check, level_label
from etage.scenarios.params import ScenarioError, scenario_from_dict
from etage.scenarios.results import run_to_dict
from etage.scenarios.simulation import simulate

MAX_REPLICATIONS = 10_000
MAX_FILE_BYTES = 5 * 1024 * 1024


class Command(BaseCommand):
    help = "Check and simulate a scale-up scenario file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("scenario", type=Path, help="Scenario file (JSON).")
        parser.add_argument("--replications", type=int, default=100)
        parser.add_argument("--seed", type=int, default=2019)
        parser.add_argument("--json", action="store_true", help="JSON on standard output.")
        parser.add_argument(
            "--check-only", action="store_true", help="Analytical check only, no simulation."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["scenario"]
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise CommandError(_("The scenario file is too large (5 MB at most)."))
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise CommandError(_("File not found: %(path)s") % {"path": path}) from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(
                _("The scenario file is not valid JSON: %(error)s") % {"error": exc}
            ) from exc
        try:
            scenario = scenario_from_dict(data)
        except ScenarioError as exc:
            raise CommandError(str(exc)) from exc
        replications = options["replications"]
        if not 1 <= replications <= MAX_REPLICATIONS:
            raise CommandError(
                _("--replications must be between 1 and %(max)s.") % {"max": MAX_REPLICATIONS}
            )
        if options["seed"] < 0:
            raise CommandError(_("--seed must be a positive integer."))

        analytic = check(scenario)
        simulation = None
        if not options["check_only"]:
            simulation = simulate(scenario, replications, options["seed"])
        result = run_to_dict(scenario.to_dict(), analytic, simulation)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(self._summary(result))

    def _summary(self, result: dict[str, Any]) -> str:
        analytic = result["analytic"]
        lines = [
            _("Scenario: %(name)s") % {"name": result["scenario"]["name"]},
            _("Situations identified per month: %(n).1f") % {"n": analytic["arrivals_per_month"]},
            _("Steady-state caseload (Little): %(n).0f") % {"n": analytic["caseload"]},
            _("Staff needed: %(need).1f FTE (available: %(have).1f)")
            % {"need": analytic["fte_needed"], "have": analytic["fte_available"]},
        ]
        lines += [f"! {warning}" for warning in analytic["warnings"]]
        simulation = result["simulation"]
        if simulation:
            for level, band in simulation["wait_months"].items():
                low, high = band["band90"]
                lines.append(
                    _("%(level)s: mean wait %(mean).2f months (90 %% band %(low).2f–%(high).2f)")
                    % {"level": level_label(level), "mean": band["mean"], "low": low, "high": high}
                )
        return "\n".join(lines)
