"""Reads of the workshop pages: the list with its counts, a workshop's attendees by
stakeholder type, and the results of its vote (the ORM side of :mod:`etage.evaluation.voting`,
with each tie explained in French). Callers have already gone through
:mod:`etage.evaluation.scope`."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from etage.evaluation import voting
from etage.evaluation.models import Card, Project, Vote, Workshop, WorkshopAttendee
from etage.evaluation.models.choices import ScoreCriterion, StakeholderType, VotingMethod
from etage.evaluation.voting import CardRef, HandScores, Standing, TieNote


@dataclass(frozen=True)
class TypeCount:
    label: str
    attendees: int
    consented: int
    with_account: int


def attendees_by_type(attendees: list[WorkshopAttendee]) -> list[TypeCount]:
    """Attendees per stakeholder type (in the order of the type list), with consent counts."""
    labels = dict(StakeholderType.choices)
    rows = []
    for value in StakeholderType.values:
        mine = [a for a in attendees if a.stakeholder_type == value]
        if mine:
            rows.append(
                TypeCount(
                    str(labels[value]),
                    len(mine),
                    sum(1 for a in mine if a.consent),
                    sum(1 for a in mine if a.user_id is not None),
                )
            )
    return rows


@dataclass(frozen=True)
class WorkshopRow:
    workshop: Workshop
    by_type: list[TypeCount]
    attendees: int
    cards: int


def workshop_rows(project: Project) -> list[WorkshopRow]:
    workshops = list(
        Workshop.objects.filter(project=project)
        .annotate(card_count=Count("cards", distinct=True))
        .order_by("held_on", "pk")
    )
    attendees: dict[int, list[WorkshopAttendee]] = defaultdict(list)
    for attendee in WorkshopAttendee.objects.filter(workshop__project=project):
        attendees[attendee.workshop_id].append(attendee)
    return [
        WorkshopRow(
            w,
            attendees_by_type(attendees[w.pk]),
            len(attendees[w.pk]),
            w.card_count,
        )
        for w in workshops
    ]


def cards_of(workshop: Workshop) -> QuerySet[Card]:
    return (
        Card.objects.filter(workshop=workshop)
        .annotate(
            vote_count=Count("votes", distinct=True),
            action_count=Count("actions", distinct=True),
        )
        .order_by("position", "pk")
    )


# --- Results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    standing: Standing
    total_text: str
    #: For the bar (a <meter>): the maximum it is drawn against.
    scale: float
    means: list[tuple[str, str]]
    tie_text: str


@dataclass(frozen=True)
class Results:
    method: str
    method_label: str
    rows: list[ResultRow]
    #: Attendees who cast a ballot in this method (live).
    voters: int
    #: Cards with a hand entry typed in by the facilitator.
    hand_entries: int
    voting_open: bool
    #: Changes whenever a figure shown changes: the live page polls with it.
    digest: str


def _decimal(value: Any) -> Fraction | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return Fraction(number) if number.is_finite() else None


def _figure(value: float | int | None, method: str) -> str:
    if value is None:
        return "—"
    if method == VotingMethod.SCORING:
        return number_format(value, 2)
    return number_format(value, 0)


def _tie_text(note: TieNote | None, total: str) -> str:
    if note is None:
        return ""
    other = note.behind.title
    # Only the impact mean has decimals; the other rules count people, places or positions.
    kind = VotingMethod.SCORING if note.rule == voting.IMPACT else VotingMethod.DOTS
    mine, theirs = _figure(note.mine, kind), _figure(note.theirs, kind)
    head = _("Tied with “%(other)s” (%(total)s).") % {"other": other, "total": total}
    if note.rule == voting.SUPPORTERS:
        reason = _(
            "Placed ahead because more people gave it at least one dot (%(mine)s against "
            "%(theirs)s)."
        )
    elif note.rule == voting.PLACES:
        reason = _(
            "Placed ahead because more rankings put it in position %(position)s (%(mine)s "
            "against %(theirs)s)."
        )
    elif note.rule == voting.IMPACT:
        reason = _(
            "Placed ahead because its mean impact score is higher (%(mine)s against %(theirs)s)."
        )
    elif note.rule == voting.SCORED_BY:
        reason = _("Placed ahead because more people scored it (%(mine)s against %(theirs)s).")
    else:
        reason = _(
            "Equal on every other rule too: placed ahead because it comes earlier in the list "
            "of cards (card %(mine)s, card %(theirs)s)."
        )
    return f"{head} {reason % {'mine': mine, 'theirs': theirs, 'position': note.position}}"


def _total_text(standing: Standing, method: str) -> str:
    figure = _figure(standing.total, method)
    if standing.total is None:
        return _("not scored yet")
    count = int(standing.total)
    if method == VotingMethod.DOTS:
        return ngettext("%(figure)s dot", "%(figure)s dots", count) % {"figure": figure}
    if method == VotingMethod.RANKING:
        return ngettext("%(figure)s point", "%(figure)s points", count) % {"figure": figure}
    return _("%(figure)s out of 5") % {"figure": figure}


def workshop_results(workshop: Workshop) -> Results:
    """The ranking of the workshop's cards for its current voting method."""
    method = workshop.voting_method
    cards = list(Card.objects.filter(workshop=workshop).order_by("position", "pk"))
    refs = [CardRef(card.pk, card.title, index) for index, card in enumerate(cards)]
    votes = list(
        Vote.objects.filter(card__workshop=workshop, method=method).values_list(
            "card_id", "attendee_id", "hand", "dots", "rank", "scores"
        )
    )
    ballots: dict[int, dict[int, Any]] = defaultdict(dict)
    hands: dict[int, Any] = {}
    for card_id, attendee_id, hand, dots, rank, scores in votes:
        if hand:
            if method == VotingMethod.SCORING:
                means = {c: _decimal((scores or {}).get(c)) for c in voting.CRITERIA}
                if all(m is not None for m in means.values()):
                    hands[card_id] = HandScores(people=dots, means=means)  # type: ignore[arg-type]
            else:
                hands[card_id] = dots
        elif method == VotingMethod.DOTS:
            ballots[attendee_id][card_id] = dots
        elif method == VotingMethod.RANKING:
            if rank:
                ballots[attendee_id][card_id] = rank
        else:
            given = {c: (scores or {}).get(c) for c in voting.CRITERIA}
            if all(isinstance(v, int) for v in given.values()):
                ballots[attendee_id][card_id] = given
    if method == VotingMethod.DOTS:
        standings = voting.dot_results(refs, ballots.values(), hands)
        scale = float(max((s.total or 0 for s in standings), default=0) or 1)
    elif method == VotingMethod.RANKING:
        standings = voting.borda_results(refs, ballots.values(), hands)
        scale = float(max((s.total or 0 for s in standings), default=0) or 1)
    else:
        standings = voting.scoring_results(refs, ballots.values(), hands)
        scale = float(voting.SCORE_MAX)
    labels = dict(ScoreCriterion.choices)
    rows = []
    for standing in standings:
        total = _total_text(standing, method)
        rows.append(
            ResultRow(
                standing,
                total,
                scale,
                [
                    (str(labels[c]), _figure(standing.means.get(c), VotingMethod.SCORING))
                    for c in voting.CRITERIA
                ]
                if method == VotingMethod.SCORING
                else [],
                _tie_text(standing.tie, total),
            )
        )
    fingerprint = repr(
        (
            method,
            workshop.voting_open,
            len(ballots),
            [(s.card.id, s.card.title, s.total, s.ballots, s.hands, s.place) for s in standings],
        )
    )
    return Results(
        method=method,
        method_label=str(dict(VotingMethod.choices)[method]),
        rows=rows,
        voters=len(ballots),
        hand_entries=len(hands),
        voting_open=workshop.voting_open,
        digest=hashlib.sha256(fingerprint.encode()).hexdigest()[:16],
    )


def own_ballot(workshop: Workshop, attendee: WorkshopAttendee) -> dict[int, Any]:
    """The attendee's current ballot in the workshop's method, to fill their form again."""
    ballot: dict[int, Any] = {}
    for card_id, dots, rank, scores in Vote.objects.filter(
        attendee=attendee, method=workshop.voting_method
    ).values_list("card_id", "dots", "rank", "scores"):
        if workshop.voting_method == VotingMethod.DOTS:
            ballot[card_id] = dots
        elif workshop.voting_method == VotingMethod.RANKING:
            ballot[card_id] = rank
        else:
            ballot[card_id] = scores or {}
    return ballot


def hand_entries(workshop: Workshop) -> dict[int, Vote]:
    return {
        vote.card_id: vote
        for vote in Vote.objects.filter(
            card__workshop=workshop, method=workshop.voting_method, hand=True
        )
    }
