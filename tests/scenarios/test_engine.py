"""The scenario engine (issue 10): validation of scenario files, the analytical check
(Little's law, Erlang C) and the discrete-event simulation agreeing with it."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest
from django.utils import translation

from etage.scenarios.analytic import check, erlang_c, erlang_c_wait
from etage.scenarios.params import (
    EmpiricalDuration,
    ScenarioError,
    scenario_from_dict,
)
from etage.scenarios.sensitivity import fte_needed, simulated_wait, tornado
from etage.scenarios.simulation import simulate

BASE: dict[str, Any] = {
    "format": "etage-scenario/1",
    "name": "Stationnaire",
    "scale": {"label": "Test", "housing_stock": 20000, "source": "fictif"},
    "identification_rate": 0.012,
    "hours_per_fte_year": 1607,
    "non_case_share": 0.25,
    "orientation": {"staff_fte": 3, "hours_per_situation": 2},
    "levels": {
        "agr": {
            "share": 1,
            "duration": {"kind": "exponential", "mean_months": 2},
            "hours_per_month": 0,
            "caseload_cap": 23,
            "staff_fte": 2,
            "cost_per_fte": 60000,
        }
    },
    "horizon_months": 120,
    "warmup_months": 24,
}


def scenario(**changes: Any) -> Any:
    data = copy.deepcopy(BASE)
    data.update(changes)
    return scenario_from_dict(data)


def _erlang_c_by_factorials(load: float, servers: int) -> float:
    top = load**servers / math.factorial(servers) * servers / (servers - load)
    return top / (sum(load**k / math.factorial(k) for k in range(servers)) + top)


@pytest.mark.parametrize(("load", "servers"), [(2.0, 3), (8.5, 10), (40.0, 46), (0.3, 1)])
def test_erlang_c_equals_the_textbook_formula(load, servers):
    assert erlang_c(load, servers) == pytest.approx(
        _erlang_c_by_factorials(load, servers), rel=1e-9
    )


def test_erlang_c_of_a_known_case_and_limits():
    # Two erlangs on three servers: 4/9 of arrivals wait, 4/9 × 1/(3 − 2) services.
    assert erlang_c(2.0, 3) == pytest.approx(4 / 9)
    assert erlang_c_wait(2.0, 1.0, 3) == pytest.approx(4 / 9)
    assert erlang_c(3.0, 3) == 1.0
    assert math.isinf(erlang_c_wait(3.0, 1.0, 3))
    # Large staffs do not overflow.
    assert 0 < erlang_c(9_500.0, 10_000) < 1


def test_the_check_applies_littles_law_and_counts_places_and_staff():
    with translation.override("fr"):
        result = check(scenario())
    [level] = result.levels
    assert result.arrivals_per_month == pytest.approx(20.0)
    assert level.caseload == pytest.approx(40.0)
    assert level.places == 46
    assert level.fte_needed == pytest.approx(40 / 23)
    assert level.annual_cost == pytest.approx(120000)
    # 40 supports on 46 places: more than one in five wait for a place; the check says so.
    assert level.wait_probability == pytest.approx(_erlang_c_by_factorials(40.0, 46))
    assert level.wait_probability > 0.2
    assert len(result.warnings) == 1
    assert "attendent une place" in result.warnings[0]


def test_a_saturated_level_is_warned_in_french():
    with translation.override("fr"):
        result = check(scenario(identification_rate=0.03))
    assert not result.levels[0].stable
    assert any("saturé" in warning for warning in result.warnings), result.warnings


def test_hours_bound_the_places_when_they_are_scarcer_than_the_cap():
    data = copy.deepcopy(BASE)
    data["levels"]["agr"]["hours_per_month"] = 10
    result = check(scenario_from_dict(data))
    # 2 FTE × 1607 h / 12 × 0.75 = 200.9 case hours a month → 20 supports of 10 h.
    assert result.levels[0].places == 20


def test_the_simulated_caseload_agrees_with_littles_law_within_5_percent():
    # Ample places: no queue, so the caseload is λ × mean duration exactly in expectation.
    data = copy.deepcopy(BASE)
    data["levels"]["agr"]["staff_fte"] = 10
    result = simulate(scenario_from_dict(data), replications=10, seed=11)
    assert result.caseload["agr"].mean == pytest.approx(40.0, rel=0.05)


def test_the_simulated_wait_agrees_with_erlang_c_within_its_confidence_band():
    # 40 erlangs on 50 places (80 %): an M/M/c queue, where Erlang C is exact.
    data = copy.deepcopy(BASE)
    data["levels"]["agr"]["caseload_cap"] = 25
    data["horizon_months"] = 240
    sc = scenario_from_dict(data)
    expected = check(sc).levels[0].mean_wait_months
    result = simulate(sc, replications=20, seed=7)
    band = result.wait["agr"]
    assert band.ci_low <= expected <= band.ci_high, (expected, band)
    assert result.caseload["agr"].mean == pytest.approx(40.0, rel=0.05)


def test_the_same_seed_gives_the_same_results_to_the_digit():
    sc = scenario(horizon_months=60)
    assert simulate(sc, 4, seed=3).to_dict() == simulate(sc, 4, seed=3).to_dict()


def test_other_seeds_differ_within_the_reported_bands():
    sc = scenario(horizon_months=60)
    first, second = simulate(sc, 8, seed=1), simulate(sc, 8, seed=2)
    assert first.to_dict() != second.to_dict()
    for a, b in (
        (first.caseload["agr"], second.caseload["agr"]),
        (first.arrivals, second.arrivals),
    ):
        assert a.p05 <= b.mean <= a.p95
        assert b.p05 <= a.mean <= b.p95


def test_durations_drawn_from_an_observed_curve_keep_its_mean():
    rng = np.random.default_rng(5)
    observed = np.sort(rng.exponential(4.0, 400))
    times = tuple(float(t) for t in observed[:300])  # the last 100 still running: censored
    survival = tuple(1 - (i + 1) / 400 for i in range(300))
    duration = EmpiricalDuration(times, survival)
    draws = duration.sample(np.random.default_rng(6), 200_000)
    assert draws.mean() == pytest.approx(duration.mean(), rel=0.02)
    # Beyond the curve the tail is exponential: draws go past the last observed time.
    assert (draws > times[-1]).mean() == pytest.approx(survival[-1], abs=0.01)
    assert duration.mean() == pytest.approx(4.0, rel=0.15)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="autre"), "format"),
        (lambda d: d.update(name=""), "name"),
        (lambda d: d.update(identification_rate="beaucoup"), "identification_rate"),
        (lambda d: d.update(identification_rate=2), "identification_rate"),
        (lambda d: d["levels"]["agr"].update(share=0.5), "1"),
        (lambda d: d["levels"].update(tres_fort={}), "tres_fort"),
        (lambda d: d["levels"]["agr"]["duration"].update(kind="gamma"), "kind"),
        (
            lambda d: d["levels"]["agr"].update(
                duration={"kind": "empirical", "times": [1, 2], "survival": [0.5, 0.7]}
            ),
            "survival",
        ),
        (lambda d: d.update(warmup_months=200), "warmup_months"),
        (lambda d: d.update(horizon_months=float("nan")), "horizon_months"),
    ],
)
def test_invalid_scenarios_are_refused_with_a_french_message(change, message):
    data = copy.deepcopy(BASE)
    change(data)
    with translation.override("fr"), pytest.raises(ScenarioError, match=message) as error:
        scenario_from_dict(data)
    assert any(word in str(error.value) for word in ("attendu", "intervalle", "doi")), error.value


def test_a_scenario_round_trips_through_its_dict():
    sc = scenario()
    assert scenario_from_dict(sc.to_dict()) == sc


def test_the_tornado_moves_each_parameter_and_sorts_by_swing():
    sc = scenario()
    bars = tornado(sc, fte_needed)
    by_key = {bar.key: bar for bar in bars}
    # Staff need is proportional to arrivals and to durations; staff and orientation do
    # not change it.
    assert by_key["identification_rate"].low == pytest.approx(
        0.8 * by_key["identification_rate"].base
    )
    assert by_key["durations"].high == pytest.approx(1.2 * by_key["durations"].base)
    assert by_key["staff_fte"].swing == pytest.approx(0)
    assert [bar.swing for bar in bars] == sorted((bar.swing for bar in bars), reverse=True)


def test_a_simulated_tornado_uses_common_random_numbers():
    sc = scenario(horizon_months=48)
    outcome = simulated_wait(replications=2, seed=5)
    assert outcome(sc) == outcome(sc)
    bars = tornado(sc, outcome)
    staff = next(bar for bar in bars if bar.key == "staff_fte")
    # Fewer staff, longer waits.
    assert staff.low > staff.base > staff.high
