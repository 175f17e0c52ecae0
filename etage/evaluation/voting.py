"""Pure tallies of a workshop's votes (evaluation.md part D): dot voting with a per-person
limit, ranking counted in Borda points, multi-criteria scoring (impact, feasibility, cost —
5 = cheapest — and acceptability, each 1 to 5) averaged per criterion and overall.

No ORM here: cards come in as :class:`CardRef`, each attendee's ballot as a plain mapping
``{card id: ...}``, what the facilitator typed in for a hand vote as its own mapping; results
go out as :class:`Standing` rows in their final order. The checks (:func:`check_dots`,
:func:`check_ranking`, :func:`check_scores`) raise :class:`BallotError` with a code and its
parameters; the service turns them into French.

Ties are broken by fixed rules, so that the same votes always give the same order, and each
tie is explained (:class:`TieNote`: which rule put a card ahead of the next one, with both
values):

- dots: more dots → more people who gave the card at least one dot (a raised hand is one
  person) → card order;
- ranking: more Borda points → more first places, then more second places, … → card order;
- scoring: higher overall mean → higher impact mean → more people who scored it → card order.

Arithmetic is exact (:class:`~fractions.Fraction`): two means that are equal compare equal,
which floats would not promise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

#: The four criteria of multi-criteria scoring, in the order they are shown.
CRITERIA: tuple[str, ...] = ("impact", "feasibility", "cost", "acceptability")
SCORE_MIN = 1
SCORE_MAX = 5

#: Tie-break rules, in the order each method applies them (``card_order`` always last).
SUPPORTERS = "supporters"
PLACES = "places"
IMPACT = "impact"
SCORED_BY = "scored_by"
CARD_ORDER = "card_order"


class BallotError(ValueError):
    """A ballot refused as a whole (nothing is saved). ``code`` says why; ``params`` carry
    the figures the message needs."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class CardRef:
    id: int
    title: str
    #: Where the card is shown (0 first): the last tie-break.
    order: int


@dataclass(frozen=True)
class HandScores:
    """A hand vote in multi-criteria scoring: the mean score per criterion the room gave, and
    how many people it stands for (its weight against the live ballots)."""

    people: int
    means: Mapping[str, Fraction | Decimal | int]


@dataclass(frozen=True)
class TieNote:
    """Why a card is placed ahead of ``behind``, which has the same total: ``rule`` (one of
    the constants above), the card's value and the other's under that rule; ``position`` is
    the place counted for :data:`PLACES` (1 = first places)."""

    rule: str
    behind: CardRef
    mine: float | int | None = None
    theirs: float | int | None = None
    position: int | None = None


@dataclass(frozen=True)
class Standing:
    card: CardRef
    #: 1, 2, 3, … (ties are broken, so each card has its own place).
    place: int
    #: Dots, Borda points, or the overall mean score (``None``: nobody scored it yet).
    total: float | None
    #: Attendees' own ballots that gave this card something (a dot, a rank, scores).
    ballots: int
    #: What the facilitator typed in: hands raised (dots), points counted in the room
    #: (ranking), people the room's mean stands for (scoring).
    hands: int = 0
    #: Scoring: mean per criterion (``None`` if nobody scored it).
    means: Mapping[str, float | None] = field(default_factory=dict)
    #: Ranking: how many rankings put the card 1st, 2nd, … (live ballots only).
    places: tuple[int, ...] = ()
    #: Set when the next card has the same total.
    tie: TieNote | None = None


# --- Checks ---------------------------------------------------------------------------------


def _known(card_ids: Iterable[int], given: Iterable[int]) -> None:
    unknown = set(given) - set(card_ids)
    if unknown:
        raise BallotError("unknown_card", cards=sorted(unknown))


def check_dots(allocation: Mapping[int, int], *, cards: Iterable[int], limit: int) -> int:
    """Check one attendee's dots (``{card id: dots}``, the whole ballot) against the
    per-person ``limit``; return the number of dots used."""
    _known(cards, allocation)
    if any(dots < 0 for dots in allocation.values()):
        raise BallotError("negative")
    used = sum(allocation.values())
    if used > limit:
        raise BallotError("over_limit", used=used, limit=limit)
    return used


def check_ranking(ranks: Mapping[int, int | None], *, cards: Sequence[int]) -> None:
    """A ranking is a full order of the cards: each card a rank from 1 to n, no two alike."""
    _known(cards, ranks)
    count = len(cards)
    missing = [card for card in cards if ranks.get(card) is None]
    if missing:
        raise BallotError("incomplete", missing=len(missing), cards=count)
    values = [int(ranks[card]) for card in cards]  # type: ignore[arg-type]
    if any(not 1 <= value <= count for value in values):
        raise BallotError("out_of_range", cards=count)
    duplicated = sorted({value for value in values if values.count(value) > 1})
    if duplicated:
        raise BallotError("tie", rank=duplicated[0])


def check_scores(scores: Mapping[int, Mapping[str, int | None]], *, cards: Iterable[int]) -> None:
    """Each card is scored on all four criteria, from 1 to 5, or left out entirely."""
    _known(cards, scores)
    for card, given in scores.items():
        filled = [given.get(criterion) for criterion in CRITERIA]
        if all(value is None for value in filled):
            continue
        if any(value is None for value in filled):
            raise BallotError("partial", card=card)
        if any(not SCORE_MIN <= int(value) <= SCORE_MAX for value in filled if value is not None):
            raise BallotError("out_of_range", card=card)


def borda_points(ranking: Mapping[int, int]) -> dict[int, int]:
    """Borda count of one ranking of ``m`` cards: rank r earns ``m - r`` points (the first
    ``m - 1``, the last none). A card added after this ranking was cast earns nothing from it."""
    size = len(ranking)
    return {card: size - rank for card, rank in ranking.items()}


# --- Results --------------------------------------------------------------------------------


def _number(value: Fraction | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value.denominator == 1 else float(value)


def _standings(
    cards: Sequence[CardRef],
    totals: Mapping[int, Fraction | None],
    keys: Mapping[int, tuple[tuple[str, Any], ...]],
    make: Any,
) -> list[Standing]:
    """Order the cards by ``totals`` (``None`` last), then by ``keys`` (rule, value) in turn,
    all descending, then by card order; note for each card tied with the next which rule
    separated them."""

    def sort_key(card: CardRef) -> tuple[Any, ...]:
        total = totals[card.id]
        return (
            total is None,
            -(total or 0),
            *(_negate(value) for _rule, value in keys[card.id]),
            card.order,
            card.id,
        )

    ordered = sorted(cards, key=sort_key)
    standings = []
    for index, card in enumerate(ordered):
        tie = None
        if index + 1 < len(ordered):
            following = ordered[index + 1]
            if totals[card.id] == totals[following.id]:
                tie = _tie_note(card, following, keys)
        standings.append(make(card, index + 1, tie))
    return standings


def _negate(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(-v for v in value)
    return -value


def _tie_note(
    card: CardRef, following: CardRef, keys: Mapping[int, tuple[tuple[str, Any], ...]]
) -> TieNote:
    for (rule, mine), (_rule, theirs) in zip(keys[card.id], keys[following.id], strict=True):
        if mine == theirs:
            continue
        if isinstance(mine, tuple):  # places: the first position where the counts differ
            for position, (a, b) in enumerate(zip(mine, theirs, strict=True), start=1):
                if a != b:
                    return TieNote(rule, following, a, b, position)
        return TieNote(rule, following, _number(mine), _number(theirs))
    return TieNote(CARD_ORDER, following, card.order + 1, following.order + 1)


def dot_results(
    cards: Sequence[CardRef],
    ballots: Iterable[Mapping[int, int]],
    hands: Mapping[int, int] | None = None,
) -> list[Standing]:
    """Dot voting: each card's dots are the attendees' dots plus the hands raised for it
    (one hand, one dot)."""
    hands = hands or {}
    dots = {card.id: Fraction(hands.get(card.id, 0)) for card in cards}
    given = dict.fromkeys(dots, 0)
    for ballot in ballots:
        for card_id, count in ballot.items():
            if card_id in dots and count > 0:
                dots[card_id] += count
                given[card_id] += 1
    keys = {card.id: ((SUPPORTERS, given[card.id] + hands.get(card.id, 0)),) for card in cards}

    def make(card: CardRef, place: int, tie: TieNote | None) -> Standing:
        return Standing(
            card, place, int(dots[card.id]), given[card.id], hands.get(card.id, 0), tie=tie
        )

    return _standings(cards, dots, keys, make)


def borda_results(
    cards: Sequence[CardRef],
    rankings: Iterable[Mapping[int, int]],
    hand_points: Mapping[int, int] | None = None,
) -> list[Standing]:
    """Ranking: Borda points of every attendee's ranking (:func:`borda_points`), plus the
    points the facilitator counted in the room."""
    hand_points = hand_points or {}
    size = len(cards)
    points = {card.id: Fraction(hand_points.get(card.id, 0)) for card in cards}
    places = {card.id: [0] * size for card in cards}
    ranked = dict.fromkeys(points, 0)
    for ranking in rankings:
        known = {card: rank for card, rank in ranking.items() if card in points}
        for card_id, earned in borda_points(known).items():
            points[card_id] += earned
            ranked[card_id] += 1
            if 1 <= known[card_id] <= size:
                places[card_id][known[card_id] - 1] += 1
    keys = {card.id: ((PLACES, tuple(places[card.id])),) for card in cards}

    def make(card: CardRef, place: int, tie: TieNote | None) -> Standing:
        return Standing(
            card,
            place,
            int(points[card.id]),
            ranked[card.id],
            hand_points.get(card.id, 0),
            places=tuple(places[card.id]),
            tie=tie,
        )

    return _standings(cards, points, keys, make)


def scoring_results(
    cards: Sequence[CardRef],
    ballots: Iterable[Mapping[int, Mapping[str, int]]],
    hands: Mapping[int, HandScores] | None = None,
) -> list[Standing]:
    """Multi-criteria scoring: per card and criterion, the mean of the attendees' scores and
    of the room's mean typed in by the facilitator (weighted by the people it stands for);
    the overall score is the mean of the four criteria's means."""
    hands = hands or {}
    sums = {card.id: dict.fromkeys(CRITERIA, Fraction(0)) for card in cards}
    weights = {card.id: 0 for card in cards}
    scored = {card.id: 0 for card in cards}
    for ballot in ballots:
        for card_id, scores in ballot.items():
            if card_id not in sums or not all(c in scores for c in CRITERIA):
                continue
            for criterion in CRITERIA:
                sums[card_id][criterion] += Fraction(scores[criterion])
            weights[card_id] += 1
            scored[card_id] += 1
    for card_id, hand in hands.items():
        if card_id not in sums or hand.people <= 0:
            continue
        for criterion in CRITERIA:
            sums[card_id][criterion] += Fraction(hand.means[criterion]) * hand.people
        weights[card_id] += hand.people
    means: dict[int, dict[str, Fraction | None]] = {}
    overall: dict[int, Fraction | None] = {}
    for card in cards:
        weight = weights[card.id]
        if weight:
            card_means = {c: sums[card.id][c] / weight for c in CRITERIA}
            means[card.id] = dict(card_means)
            overall[card.id] = sum(card_means.values(), Fraction(0)) / len(CRITERIA)
        else:
            means[card.id] = dict.fromkeys(CRITERIA)
            overall[card.id] = None
    keys = {
        card.id: (
            (IMPACT, means[card.id]["impact"] or Fraction(0)),
            (SCORED_BY, weights[card.id]),
        )
        for card in cards
    }

    def make(card: CardRef, place: int, tie: TieNote | None) -> Standing:
        total = overall[card.id]
        return Standing(
            card,
            place,
            None if total is None else float(total),
            scored[card.id],
            hands[card.id].people if card.id in hands else 0,
            means={c: None if m is None else float(m) for c, m in means[card.id].items()},
            tie=tie,
        )

    return _standings(cards, overall, keys, make)
