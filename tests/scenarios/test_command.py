"""``etage_simulate SCENARIO.json --replications N --seed S --json``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "scenarios" / "metropole.json"


def run(*args: str) -> dict:
    out = io.StringIO()
    call_command("etage_simulate", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def small(tmp_path: Path) -> Path:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["horizon_months"], data["warmup_months"] = 30, 12
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_the_example_scenario_runs_and_is_reproducible_to_the_digit(small):
    first = run(str(small), "--replications", "3", "--seed", "42")
    again = run(str(small), "--replications", "3", "--seed", "42")
    other = run(str(small), "--replications", "3", "--seed", "43")
    assert first == again
    assert first["simulation"] != other["simulation"]
    assert first["simulation"]["replications"] == 3
    assert set(first["analytic"]["levels"]) == {"advice", "coordination", "agr"}
    # Little's law on the analytical side: 155,000 × 1.2 % / 12 = 155 a month.
    assert first["analytic"]["arrivals_per_month"] == pytest.approx(155.0)


def test_the_check_only_mode_skips_the_simulation(small):
    assert run(str(small), "--check-only")["simulation"] is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "JSON valide"),
        ('{"format": "etage-scenario/1"}', "name"),
        ("[]", "objet JSON"),
    ],
)
def test_a_bad_file_is_refused_in_french(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with translation.override("fr"), pytest.raises(CommandError, match=message):
        call_command("etage_simulate", str(path), "--check-only")


def test_missing_file_and_bad_options_are_refused(tmp_path, small):
    with translation.override("fr"):
        with pytest.raises(CommandError, match="introuvable"):
            call_command("etage_simulate", str(tmp_path / "absent.json"))
        with pytest.raises(CommandError, match="--replications"):
            call_command("etage_simulate", str(small), "--replications", "0")
