"""The pure tallies of workshop votes (etage/evaluation/voting.py): dots with their limit,
Borda points, multi-criteria means, and ties broken by fixed, explained rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from etage.evaluation import voting
from etage.evaluation.voting import BallotError, CardRef, HandScores

A, B, C = CardRef(1, "A", 0), CardRef(2, "B", 1), CardRef(3, "C", 2)
CARDS = [A, B, C]


def titles(standings: list[voting.Standing]) -> list[str]:
    return [s.card.title for s in standings]


# --- Checks -----------------------------------------------------------------------------------


def test_dots_within_the_limit_are_accepted_and_counted():
    assert voting.check_dots({1: 2, 2: 1}, cards=[1, 2, 3], limit=3) == 3


def test_dots_over_the_limit_are_refused_with_the_figures():
    with pytest.raises(BallotError) as refused:
        voting.check_dots({1: 2, 2: 2}, cards=[1, 2, 3], limit=3)
    assert refused.value.code == "over_limit"
    assert refused.value.params == {"used": 4, "limit": 3}


def test_negative_dots_and_unknown_cards_are_refused():
    with pytest.raises(BallotError, match="negative"):
        voting.check_dots({1: -1, 2: 3}, cards=[1, 2], limit=3)
    with pytest.raises(BallotError, match="unknown_card"):
        voting.check_dots({9: 1}, cards=[1, 2], limit=3)


def test_a_ranking_must_be_a_full_order_without_ties():
    voting.check_ranking({1: 2, 2: 1, 3: 3}, cards=[1, 2, 3])
    with pytest.raises(BallotError) as refused:
        voting.check_ranking({1: 1, 2: 1, 3: 2}, cards=[1, 2, 3])
    assert (refused.value.code, refused.value.params) == ("tie", {"rank": 1})
    with pytest.raises(BallotError) as refused:
        voting.check_ranking({1: 1, 2: None, 3: 2}, cards=[1, 2, 3])
    assert refused.value.code == "incomplete"
    with pytest.raises(BallotError, match="out_of_range"):
        voting.check_ranking({1: 1, 2: 2, 3: 4}, cards=[1, 2, 3])


def test_scores_are_all_four_criteria_from_one_to_five_or_none():
    full = dict.fromkeys(voting.CRITERIA, 3)
    voting.check_scores({1: full, 2: dict.fromkeys(voting.CRITERIA)}, cards=[1, 2])
    with pytest.raises(BallotError) as refused:
        voting.check_scores({1: {**full, "cost": None}}, cards=[1, 2])
    assert (refused.value.code, refused.value.params) == ("partial", {"card": 1})
    with pytest.raises(BallotError, match="out_of_range"):
        voting.check_scores({2: {**full, "impact": 6}}, cards=[1, 2])


# --- Dots -------------------------------------------------------------------------------------


def test_dot_totals_add_the_attendees_dots_and_the_raised_hands():
    standings = voting.dot_results(CARDS, [{1: 2, 2: 1}, {2: 3}], hands={3: 5})
    assert titles(standings) == ["C", "B", "A"]
    by_title = {s.card.title: s for s in standings}
    assert (by_title["B"].total, by_title["B"].ballots) == (4, 2)
    assert (by_title["C"].total, by_title["C"].ballots, by_title["C"].hands) == (5, 0, 5)
    assert [s.place for s in standings] == [1, 2, 3]


def test_equal_dots_go_to_the_card_more_people_supported():
    # A: 3 dots from one person; B: 3 dots from three people.
    standings = voting.dot_results(CARDS, [{1: 3}, {2: 1}, {2: 1}, {2: 1}])
    assert titles(standings)[:2] == ["B", "A"]
    note = standings[0].tie
    assert note is not None
    assert (note.rule, note.behind, note.mine, note.theirs) == ("supporters", A, 3, 1)


def test_a_full_tie_falls_back_on_card_order_and_says_so():
    standings = voting.dot_results(CARDS, [{3: 1}, {2: 1}])
    assert titles(standings) == ["B", "C", "A"]
    assert standings[0].tie is not None
    assert standings[0].tie.rule == "card_order"
    assert standings[1].tie is None  # C (1 dot) is not tied with A (0 dot)


def test_the_same_votes_in_any_order_give_the_same_ranking():
    ballots = [{1: 1, 2: 1}, {2: 1, 3: 1}, {3: 1, 1: 1}]
    first = voting.dot_results(CARDS, ballots)
    again = voting.dot_results(list(reversed(CARDS)), list(reversed(ballots)))
    assert titles(first) == titles(again) == ["A", "B", "C"]


# --- Ranking (Borda) --------------------------------------------------------------------------


def test_borda_gives_n_minus_rank_points():
    assert voting.borda_points({1: 1, 2: 2, 3: 3}) == {1: 2, 2: 1, 3: 0}


def test_borda_results_add_hand_points_and_count_places():
    rankings = [{1: 1, 2: 2, 3: 3}, {2: 1, 1: 2, 3: 3}, {2: 1, 3: 2, 1: 3}]
    standings = voting.borda_results(CARDS, rankings, hand_points={3: 1})
    by_title = {s.card.title: s for s in standings}
    assert (by_title["A"].total, by_title["B"].total, by_title["C"].total) == (3, 5, 2)
    assert by_title["B"].places == (2, 1, 0)
    assert titles(standings) == ["B", "A", "C"]


def test_equal_borda_points_and_places_fall_back_on_card_order():
    # A: 2 + 0 + 1, B: 1 + 2 + 0, C: 0 + 1 + 2 = 3 points each, each first, second and
    # third once: only the card order separates them.
    rankings = [{1: 1, 2: 2, 3: 3}, {2: 1, 3: 2, 1: 3}, {3: 1, 1: 2, 2: 3}]
    standings = voting.borda_results([C, B, A], rankings)
    assert titles(standings) == ["A", "B", "C"]
    assert [s.tie.rule if s.tie else None for s in standings] == [
        "card_order",
        "card_order",
        None,
    ]


def test_a_borda_tie_broken_by_first_places_names_the_position():
    d = CardRef(4, "D", 3)
    # Over four cards: A 3+0 = 3 points (1 first place), B 2+1 = 3 points (0 first place).
    rankings = [{1: 1, 2: 2, 3: 3, 4: 4}, {3: 1, 4: 2, 2: 3, 1: 4}]
    standings = voting.borda_results([A, B, C, d], rankings)
    a_then_b = [s for s in standings if s.card in (A, B)]
    assert [s.card for s in a_then_b] == [A, B]
    note = next(s.tie for s in standings if s.card == A)
    assert note is not None
    assert (note.rule, note.position, note.mine, note.theirs) == ("places", 1, 1, 0)


# --- Scoring ----------------------------------------------------------------------------------


def scores(impact: int, feasibility: int, cost: int, acceptability: int) -> dict[str, int]:
    return dict(zip(voting.CRITERIA, (impact, feasibility, cost, acceptability), strict=True))


def test_scoring_means_per_criterion_and_overall():
    ballots = [{1: scores(5, 4, 3, 4)}, {1: scores(3, 4, 1, 2), 2: scores(2, 2, 2, 2)}]
    standings = voting.scoring_results(CARDS, ballots)
    a = next(s for s in standings if s.card == A)
    assert a.means == {"impact": 4, "feasibility": 4, "cost": 2, "acceptability": 3}
    assert a.total == 3.25
    assert a.ballots == 2
    assert titles(standings) == ["A", "B", "C"]
    c = standings[-1]
    assert c.total is None
    assert c.means["impact"] is None


def test_a_hand_mean_weighs_as_many_people_as_it_stands_for():
    hand = HandScores(people=3, means=dict.fromkeys(voting.CRITERIA, Decimal("4.5")))
    ballots = [{1: scores(2, 2, 2, 2)}]
    a = voting.scoring_results([A], ballots, hands={1: hand})[0]
    # (2 × 1 + 4.5 × 3) / 4 = 3.875 on each criterion.
    assert a.total == 3.875
    assert a.hands == 3
    assert a.ballots == 1


def test_equal_overall_scores_go_to_the_higher_impact_then_to_more_people():
    ballots = [{1: scores(3, 3, 3, 3), 2: scores(4, 2, 3, 3)}]
    standings = voting.scoring_results([A, B], ballots)
    assert titles(standings) == ["B", "A"]
    assert standings[0].tie is not None
    assert (standings[0].tie.rule, standings[0].tie.mine, standings[0].tie.theirs) == (
        "impact",
        4,
        3,
    )
    ballots = [{1: scores(3, 3, 3, 3), 2: scores(3, 3, 3, 3)}, {2: scores(3, 3, 3, 3)}]
    standings = voting.scoring_results([A, B], ballots)
    assert titles(standings) == ["B", "A"]
    assert standings[0].tie is not None
    assert standings[0].tie.rule == "scored_by"
