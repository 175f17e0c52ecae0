"""The survival estimators against lifelines (a test-only dependency) to 1e-9, and the
Aalen–Johansen estimator on tied data against a plain-Python oracle written here."""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterator

import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import AalenJohansenFitter, KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test
from numpy.typing import NDArray

from etage.analytics.survival import (
    aalen_johansen,
    at_risk_table,
    kaplan_meier,
    logrank,
)

matplotlib.use("Agg")

TOL = 1e-9

Data = tuple[NDArray[np.float64], NDArray[np.int64]]


def _cases() -> Iterator[tuple[str, NDArray[np.float64], NDArray[np.bool_]]]:
    rng = np.random.default_rng(7)
    t = rng.integers(0, 15, 80).astype(float)  # many ties, some at 0
    yield "ties", t, rng.random(80) < 0.6
    yield "all censored", rng.integers(1, 30, 25).astype(float), np.zeros(25, dtype=bool)
    yield "no censoring", rng.exponential(40, 50).round(1), np.ones(50, dtype=bool)
    yield "single event", np.array([4.0]), np.array([True])
    yield "single censored", np.array([4.0]), np.array([False])
    yield "last time all events", np.array([1.0, 2, 2, 3, 3]), np.array([1, 0, 1, 1, 1], bool)
    yield (
        "events and censorings tied",
        np.array([2.0, 2, 2, 5, 5, 9]),
        np.array([True, False, True, False, True, False]),
    )
    yield "zero durations", np.array([0.0, 0, 0, 1, 4]), np.array([True, False, True, True, False])
    yield "continuous", rng.weibull(1.5, 200) * 100, rng.random(200) < 0.8


def _lifelines_km(t: NDArray[np.float64], e: NDArray[np.bool_]) -> KaplanMeierFitter:
    return KaplanMeierFitter().fit(t, event_observed=e)


def _assert_km_equal(t: NDArray[np.float64], e: NDArray[np.bool_], alpha: float = 0.05) -> None:
    theirs = KaplanMeierFitter(alpha=alpha).fit(t, event_observed=e)
    ours = kaplan_meier(t, e, alpha=alpha)
    np.testing.assert_array_equal(ours.timeline, theirs.timeline)
    np.testing.assert_allclose(ours.survival, theirs.survival_function_.iloc[:, 0], atol=TOL)
    ci = theirs.confidence_interval_survival_function_.to_numpy()
    np.testing.assert_allclose(ours.ci_lower, ci[:, 0], atol=TOL)
    np.testing.assert_allclose(ours.ci_upper, ci[:, 1], atol=TOL)
    table = theirs.event_table
    np.testing.assert_array_equal(ours.at_risk, table["at_risk"])
    np.testing.assert_array_equal(ours.events, table["observed"])
    np.testing.assert_array_equal(ours.censored, table["censored"])
    assert ours.median == theirs.median_survival_time_


@pytest.mark.parametrize(("name", "t", "e"), list(_cases()), ids=[c[0] for c in _cases()])
def test_kaplan_meier_equals_lifelines(
    name: str, t: NDArray[np.float64], e: NDArray[np.bool_]
) -> None:
    _assert_km_equal(t, e)


def test_kaplan_meier_other_alpha_and_known_values() -> None:
    t = np.array([1.0, 2, 2, 3, 4, 4, 5])
    e = np.array([1, 1, 0, 1, 0, 1, 1], dtype=bool)
    _assert_km_equal(t, e, alpha=0.1)
    km = kaplan_meier(t, e)
    # By hand: 7 at risk at 1 (one event), 6 at 2 (one event, one censored), 4 at 3 (one).
    assert km.survival[km.timeline == 3][0] == pytest.approx(6 / 7 * 5 / 6 * 3 / 4)
    assert km.median == 4.0  # S(3) = 0.536, S(4) = 0.357
    assert km.survival_at([-1, 0, 2.5, 100]).tolist() == pytest.approx(
        [1.0, 1.0, 6 / 7 * 5 / 6, 0.0]
    )


def test_median_is_infinite_when_the_curve_stays_above_half() -> None:
    km = kaplan_meier([1, 2, 3, 4], [1, 0, 0, 0])
    assert math.isinf(km.median)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 40), st.booleans()),
        min_size=1,
        max_size=60,
    )
)
def test_kaplan_meier_equals_lifelines_on_random_data(rows: list[tuple[int, bool]]) -> None:
    t = np.array([r[0] for r in rows], dtype=float)
    e = np.array([r[1] for r in rows], dtype=bool)
    _assert_km_equal(t, e)


def test_empty_input_gives_a_flat_curve() -> None:
    km = kaplan_meier([], [])
    assert km.survival.tolist() == [1.0]
    assert km.subjects == 0
    assert math.isinf(km.median)


@pytest.mark.parametrize(
    ("durations", "observed"),
    [([1, -2], [1, 1]), ([1, float("nan")], [1, 1]), ([1, 2], [1])],
)
def test_kaplan_meier_rejects_bad_input(durations: list[float], observed: list[int]) -> None:
    with pytest.raises(ValueError):
        kaplan_meier(durations, observed)


def _lifelines_at_risk(
    t: NDArray[np.float64], e: NDArray[np.bool_], ticks: list[float]
) -> list[tuple[int, int, int]]:
    """The counts lifelines prints under a plot, read back from the tick labels."""
    import matplotlib.pyplot as plt
    from lifelines.plotting import add_at_risk_counts

    fitter = _lifelines_km(t, e)
    fig, ax = plt.subplots()
    try:
        fitter.plot_survival_function(ax=ax)
        add_at_risk_counts(fitter, ax=ax, xticks=ticks)
        labels = [label.get_text() for label in fig.axes[-1].get_xticklabels()]
    finally:
        plt.close(fig)
    rows = []
    for label in labels:
        at_risk, censored, events = (int(x) for x in re.findall(r"(\d+)\s*$", label, re.M))
        rows.append((at_risk, events, censored))
    return rows


def test_at_risk_table_equals_lifelines_plot_counts() -> None:
    rng = np.random.default_rng(3)
    t = rng.integers(0, 60, 120).astype(float)
    e = rng.random(120) < 0.55
    ticks = [0.0, 7.0, 15.0, 30.5, 45.0, 59.0, 90.0]
    ours = at_risk_table(kaplan_meier(t, e), ticks)
    assert [row[0] for row in ours] == ticks
    assert [row[1:] for row in ours] == _lifelines_at_risk(t, e, ticks)
    # Everyone is accounted for at every tick.
    assert all(r[1] + r[2] + r[3] == 120 for r in ours)


def test_at_risk_table_before_the_first_time_counts_everyone() -> None:
    km = kaplan_meier([2.0, 3.0], [1, 0])
    assert at_risk_table(km, [-1.0]) == [(-1.0, 2, 0, 0)]


# -- Aalen–Johansen ------------------------------------------------------------------------


def _lifelines_aj(t: NDArray[np.float64], c: NDArray[np.int64], cause: int) -> AalenJohansenFitter:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return AalenJohansenFitter().fit(t, c, event_of_interest=cause)


def _assert_aj_equal(t: NDArray[np.float64], c: NDArray[np.int64], cause: int) -> None:
    theirs = _lifelines_aj(t, c, cause)
    ours = aalen_johansen(t, c, cause)
    np.testing.assert_array_equal(ours.timeline, theirs.timeline)
    np.testing.assert_allclose(ours.incidence, theirs.cumulative_density_.iloc[:, 0], atol=TOL)
    # lifelines names its columns the other way round: "upper" holds the smaller bound.
    ci = theirs.confidence_interval_.to_numpy()
    lower, upper = np.minimum(ci[:, 0], ci[:, 1]), np.maximum(ci[:, 0], ci[:, 1])
    defined = np.isfinite(lower)
    np.testing.assert_allclose(ours.ci_lower[defined], lower[defined], atol=TOL)
    np.testing.assert_allclose(ours.ci_upper[defined], upper[defined], atol=TOL)
    np.testing.assert_allclose(ours.variance[defined], theirs.variance_[defined], atol=TOL)
    # Where lifelines leaves the bounds undefined, ours still frame the estimate.
    assert np.all(ours.ci_lower <= ours.incidence + TOL)
    assert np.all(ours.incidence <= ours.ci_upper + TOL)
    table = theirs.event_table
    np.testing.assert_array_equal(ours.at_risk, table["at_risk"])
    np.testing.assert_array_equal(ours.events, table[f"observed_{cause}"])


def _untied(seed: int, n: int, causes: int) -> Data:
    """Distinct positive times for events (censorings may share them): lifelines neither
    jitters nor drops an event at time 0."""
    rng = np.random.default_rng(seed)
    t = rng.permutation(np.arange(1, 4 * n))[:n].astype(float)
    c = rng.integers(0, causes + 1, n)
    censored_copy = rng.choice(t, size=n // 4)  # censorings tied with events
    return np.concatenate((t, censored_copy)), np.concatenate((c, np.zeros(n // 4, int)))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("cause", [1, 2, 3])
def test_aalen_johansen_equals_lifelines(seed: int, cause: int) -> None:
    t, c = _untied(seed, 60, 3)
    _assert_aj_equal(t, c, cause)


def test_aalen_johansen_when_every_subject_has_an_event() -> None:
    t = np.arange(1.0, 11.0)
    c = np.array([1, 2, 1, 2, 1, 1, 2, 1, 2, 1])
    _assert_aj_equal(t, c, 1)
    ours = aalen_johansen(t, c, 1)
    others = aalen_johansen(t, c, 2)
    # With no censoring the two incidences end at the observed proportions.
    assert ours.incidence[-1] == pytest.approx(0.6)
    assert others.incidence[-1] == pytest.approx(0.4)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 50), st.integers(1, 4))
def test_aalen_johansen_equals_lifelines_on_random_untied_data(
    seed: int, n: int, causes: int
) -> None:
    t, c = _untied(seed, n, causes)
    _assert_aj_equal(t, c, 1)


def test_aalen_johansen_equals_lifelines_without_jitter_on_tied_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # lifelines has no option to keep ties; with its tie check switched off it applies the
    # same formula to tied times (times above 0: it forces F(0) = 0).
    monkeypatch.setattr(
        AalenJohansenFitter, "_check_for_duplicates", staticmethod(lambda **_: False)
    )
    rng = np.random.default_rng(11)
    t = rng.integers(1, 12, 90).astype(float)
    c = rng.integers(0, 4, 90)
    for cause in (1, 2, 3):
        _assert_aj_equal(t, c, cause)


def _oracle_aj(t: list[float], c: list[int], cause: int) -> dict[float, float]:
    """Aalen–Johansen by hand: at each distinct time, the overall survival just before
    times the share of those at risk who have ``cause`` now."""
    incidence: dict[float, float] = {}
    survival, total = 1.0, 0.0
    for time in sorted(set(t) | {0.0}):
        at_risk = sum(1 for x in t if x >= time)
        if at_risk:
            own = sum(1 for x, k in zip(t, c, strict=True) if x == time and k == cause)
            anything = sum(1 for x, k in zip(t, c, strict=True) if x == time and k != 0)
            total += survival * own / at_risk
            survival *= 1 - anything / at_risk
        incidence[time] = total
    return incidence


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 12), st.integers(0, 3)), min_size=1, max_size=50),
    st.integers(1, 3),
)
def test_aalen_johansen_equals_the_oracle_on_tied_data(
    rows: list[tuple[int, int]], cause: int
) -> None:
    t = [float(r[0]) for r in rows]
    c = [r[1] for r in rows]
    ours = aalen_johansen(t, c, cause)
    expected = _oracle_aj(t, c, cause)
    assert ours.timeline.tolist() == sorted(expected)
    np.testing.assert_allclose(ours.incidence, [expected[x] for x in sorted(expected)], atol=TOL)


def test_incidences_and_overall_survival_add_up_to_one() -> None:
    rng = np.random.default_rng(5)
    t = rng.integers(0, 30, 150).astype(float)
    c = rng.integers(0, 4, 150)
    total = sum(aalen_johansen(t, c, k).incidence for k in (1, 2, 3))
    km = kaplan_meier(t, c != 0)
    np.testing.assert_allclose(total + km.survival, 1.0, atol=TOL)


# -- Log-rank ------------------------------------------------------------------------------


def _assert_logrank_equal(
    t: NDArray[np.float64], e: NDArray[np.bool_], g: NDArray[np.str_]
) -> None:
    theirs = multivariate_logrank_test(t, g, e)
    ours = logrank(t, e, g)
    assert ours.statistic == pytest.approx(theirs.test_statistic, abs=TOL, rel=TOL)
    assert ours.p_value == pytest.approx(theirs.p_value, abs=TOL, rel=1e-7)
    assert ours.degrees_of_freedom == theirs.degrees_of_freedom


@pytest.mark.parametrize("groups", [2, 3])
def test_logrank_equals_lifelines(groups: int) -> None:
    rng = np.random.default_rng(groups)
    n = 150
    g = rng.integers(0, groups, n)
    t = np.round(rng.exponential(20 + 15 * g), 0)  # groups really differ, with ties
    e = rng.random(n) < 0.75
    _assert_logrank_equal(t, e, np.array(["abc"[i] for i in g]))
    assert logrank(t, e, g).p_value < 0.05


def test_logrank_of_identical_groups_is_not_significant() -> None:
    t = np.tile(np.arange(1.0, 21.0), 2)
    e = np.tile(np.arange(20) % 3 != 0, 2)
    g = np.repeat(["a", "b"], 20)
    result = logrank(t, e, g)
    assert result.statistic == pytest.approx(0.0, abs=1e-12)
    assert result.p_value == pytest.approx(1.0)
    _assert_logrank_equal(t, e, g)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 25), st.booleans(), st.sampled_from("xyz")),
        min_size=2,
        max_size=60,
    ).filter(lambda rows: len({r[2] for r in rows}) >= 2 and any(r[1] for r in rows))
)
def test_logrank_equals_lifelines_on_random_data(rows: list[tuple[int, bool, str]]) -> None:
    t = np.array([r[0] for r in rows], dtype=float)
    e = np.array([r[1] for r in rows], dtype=bool)
    g = np.array([r[2] for r in rows])
    _assert_logrank_equal(t, e, g)


def test_logrank_needs_two_groups() -> None:
    with pytest.raises(ValueError):
        logrank([1, 2], [1, 1], ["a", "a"])
