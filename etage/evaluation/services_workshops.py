"""Changes to participatory workshops (evaluation.md part D): check → execute (one
transaction, the version checked against lost updates) → the rows are the record (each ballot
keeps who entered it and when). A refusal raises :class:`EvaluationError` with a French message
and changes nothing.

Who may do what (deny by default, on top of :mod:`etage.evaluation.scope`):

- any member of the project: workshops, attendees, cards, the action plan;
- the workshop's **facilitator** or a **lead evaluator** (:func:`may_facilitate`): opening and
  closing the vote, typing in hand votes, retaining cards;
- an **attendee registered with their ETAGE account**: their own ballot, while the vote is
  open.

Hand votes are stored as one :class:`Vote` per card and method with ``hand=True``; what was
typed in goes in ``dots`` (hands raised for dot voting, points counted in the room for
ranking, the number of people the room's mean stands for in scoring) and, for scoring, the
room's mean per criterion in ``scores``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from etage.accounts.models import User
from etage.evaluation import voting
from etage.evaluation.models import (
    ActionItem,
    Card,
    Project,
    Vote,
    Workshop,
    WorkshopAttendee,
)
from etage.evaluation.models.choices import VotingMethod
from etage.evaluation.scope import is_lead, projects_for
from etage.evaluation.services import EvaluationError, save_versioned
from etage.evaluation.voting import BallotError, HandScores
from etage.households.text import contains_nir

_WORKSHOP_FIELDS = (
    "kind",
    "title",
    "held_on",
    "territory",
    "agenda",
    "minutes",
    "facilitator",
    "voting_method",
    "dots_per_person",
)
_CARD_FIELDS = ("kind", "title", "description")
_ACTION_FIELDS = (
    "title",
    "description",
    "owner",
    "deadline",
    "budget",
    "status",
    "card",
    "recommendation",
    "scenario",
    "indicator",
)


def no_nir(*texts: str) -> None:
    """data-protection.md #15 (the forms check it too; a service never trusts its caller)."""
    if any(contains_nir(text or "") for text in texts):
        raise EvaluationError(
            _(
                "This text looks like it contains a social-security number (NIR). ETAGE must "
                "not hold it: remove the number and save again."
            )
        )


def may_facilitate(user: Any, workshop: Workshop) -> bool:
    """The workshop's facilitator (while still a member of its project) or a lead evaluator."""
    if not projects_for(user).filter(pk=workshop.project_id).exists():
        return False
    return bool(workshop.facilitator_id == user.pk or is_lead(user, workshop.project))


def _require_facilitation(user: Any, workshop: Workshop) -> None:
    if not may_facilitate(user, workshop):
        raise EvaluationError(_("Only the workshop's facilitator or a lead evaluator may do this."))


def _locked(workshop: Workshop) -> Workshop:
    """The workshop row, locked until the end of the transaction: a ballot and the closing of
    the vote are serialised, so no ballot lands after the vote was closed."""
    return Workshop.objects.select_for_update().get(pk=workshop.pk)


# --- Workshops ------------------------------------------------------------------------------


@transaction.atomic
def workshop_save(project: Project, data: Mapping[str, Any], instance: Workshop | None) -> Workshop:
    """Create (``instance`` None) or update a workshop from a valid form's data."""
    no_nir(data["title"], data["agenda"], data["minutes"])
    fields = {name: data[name] for name in _WORKSHOP_FIELDS}
    if instance is None:
        return Workshop.objects.create(project=project, **fields)
    current = _locked(instance)
    if current.voting_open and (
        fields["voting_method"] != current.voting_method
        or fields["dots_per_person"] != current.dots_per_person
    ):
        raise EvaluationError(
            _(
                "The vote is open: close it before changing the voting method or the number "
                "of dots per person."
            )
        )
    save_versioned(instance, data.get("version") or 0, **fields)
    return instance


@transaction.atomic
def voting_set(workshop: Workshop, *, user: User, is_open: bool) -> Workshop:
    """Open or close the vote. Opening needs cards to vote on (two for a ranking). The
    version is bumped, so that an edit form read before is refused as stale."""
    _require_facilitation(user, workshop)
    current = _locked(workshop)
    if is_open and not current.voting_open:
        count = current.cards.count()
        needed = 2 if current.voting_method == VotingMethod.RANKING else 1
        if count < needed:
            raise EvaluationError(
                ngettext(
                    "Add at least %(count)s card before opening the vote.",
                    "Add at least %(count)s cards before opening the vote.",
                    needed,
                )
                % {"count": needed}
            )
    Workshop.objects.filter(pk=current.pk).update(voting_open=is_open, version=F("version") + 1)
    current.refresh_from_db()
    return current


# --- Attendees ------------------------------------------------------------------------------


@transaction.atomic
def attendee_add(
    workshop: Workshop, *, stakeholder_type: str, user: User | None, consent: bool
) -> WorkshopAttendee:
    if user is not None and not user.is_active:
        raise EvaluationError(_("This ETAGE account is not active."))
    try:
        with transaction.atomic():
            return WorkshopAttendee.objects.create(
                workshop=workshop, stakeholder_type=stakeholder_type, user=user, consent=consent
            )
    except IntegrityError as exc:  # the same account twice (the form checks it first)
        raise EvaluationError(
            _("This ETAGE account is already registered as an attendee of this workshop.")
        ) from exc


@transaction.atomic
def attendee_remove(attendee: WorkshopAttendee) -> int:
    """Remove an attendee and their ballots (a withdrawn consent); returns how many ballots
    went with them."""
    ballots = attendee.votes.count()
    attendee.delete()
    return ballots


# --- Cards ----------------------------------------------------------------------------------


def _has_votes(card: Card) -> bool:
    return Vote.objects.filter(card=card).exists()


@transaction.atomic
def card_save(workshop: Workshop, data: Mapping[str, Any], instance: Card | None) -> Card:
    """Create or edit a card. A new card waits for the vote to be closed (a ranking already
    cast would miss it); a card that received votes keeps its wording (the votes were for
    that text)."""
    no_nir(data["title"], data["description"])
    fields = {name: data[name] for name in _CARD_FIELDS}
    current = _locked(workshop)
    if instance is None:
        if current.voting_open:
            raise EvaluationError(_("The vote is open: close it before adding a card."))
        last = Card.objects.filter(workshop=workshop).order_by("-position").first()
        return Card.objects.create(
            workshop=workshop, position=(last.position + 1) if last else 0, **fields
        )
    if _has_votes(instance):
        raise EvaluationError(_("This card has received votes: its wording can no longer change."))
    save_versioned(instance, data.get("version") or 0, **fields)
    return instance


@transaction.atomic
def card_delete(card: Card) -> None:
    _locked(card.workshop)
    if _has_votes(card):
        raise EvaluationError(_("This card has received votes: it can no longer be deleted."))
    if card.actions.exists():
        raise EvaluationError(
            _("This card led to an action of the action plan: it can no longer be deleted.")
        )
    card.delete()


@transaction.atomic
def card_retain(card: Card, *, user: User) -> ActionItem:
    """Retain a card: it is marked retained and becomes an item of the project's action plan,
    linked to it (traceability: proposal → action → indicator)."""
    workshop = card.workshop
    _require_facilitation(user, workshop)
    current = _locked(workshop)
    if current.voting_open:
        raise EvaluationError(_("The vote is open: close it before retaining cards."))
    locked = Card.objects.select_for_update().get(pk=card.pk)
    if locked.retained:
        raise EvaluationError(_("This card is already retained."))
    Card.objects.filter(pk=card.pk).update(retained=True, version=F("version") + 1)
    card.refresh_from_db()
    return ActionItem.objects.create(
        project=current.project, title=card.title, description=card.description, card=card
    )


# --- Ballots --------------------------------------------------------------------------------


def _ballot_message(error: BallotError, cards: Mapping[int, Card]) -> str:
    params = error.params
    if error.code == "over_limit":
        return _(
            "You gave %(used)s dots but each person has %(limit)s: take some back. Nothing was "
            "saved."
        ) % {"used": params["used"], "limit": params["limit"]}
    if error.code == "negative":
        return _("A number of dots cannot be negative. Nothing was saved.")
    if error.code == "incomplete":
        return ngettext(
            "Rank every card, from 1 to %(cards)s: %(missing)s card has no rank. Nothing was "
            "saved.",
            "Rank every card, from 1 to %(cards)s: %(missing)s cards have no rank. Nothing was "
            "saved.",
            params["missing"],
        ) % {"cards": params["cards"], "missing": params["missing"]}
    if error.code == "tie":
        return _(
            "Each rank is given once: rank %(rank)s was given to several cards. Nothing was saved."
        ) % {"rank": params["rank"]}
    if error.code == "partial":
        card = cards.get(params["card"])
        return _(
            "Score “%(card)s” on all four criteria, or leave it entirely blank. Nothing was saved."
        ) % {"card": card.title if card else ""}
    if error.code == "out_of_range":
        return _("A rank or a score is out of range. Nothing was saved.")
    return _("These cards are not cards of this workshop. Nothing was saved.")


@transaction.atomic
def ballot_cast(
    workshop: Workshop, *, attendee: WorkshopAttendee, values: Mapping[int, Any]
) -> int:
    """Record an attendee's whole ballot for the workshop's voting method, replacing their
    previous one (a change of mind is allowed while the vote is open). ``values`` is
    ``{card id: dots}``, ``{card id: rank}`` or ``{card id: {criterion: score}}``. Returns
    the number of cards the ballot gives something to."""
    current = _locked(workshop)
    if not current.voting_open:
        raise EvaluationError(_("The vote is closed: your ballot was not recorded."))
    if attendee.workshop_id != current.pk or attendee.user_id is None:
        raise EvaluationError(_("Only this workshop's attendees vote here."))
    cards = {card.pk: card for card in current.cards.all()}
    method = current.voting_method
    rows: list[Vote] = []
    try:
        if method == VotingMethod.DOTS:
            dots = {card: int(n or 0) for card, n in values.items()}
            voting.check_dots(dots, cards=cards, limit=current.dots_per_person)
            rows = [Vote(card_id=card, dots=n) for card, n in dots.items() if n > 0]
        elif method == VotingMethod.RANKING:
            voting.check_ranking(values, cards=list(cards))
            rows = [Vote(card_id=card, rank=int(rank)) for card, rank in values.items()]
        else:
            voting.check_scores(values, cards=cards)
            rows = [
                Vote(card_id=card, scores={c: int(given[c]) for c in voting.CRITERIA})
                for card, given in values.items()
                if all(given.get(c) is not None for c in voting.CRITERIA)
            ]
    except BallotError as error:
        raise EvaluationError(_ballot_message(error, cards)) from error
    Vote.objects.filter(attendee=attendee, method=method).delete()
    for row in rows:
        row.attendee = attendee
        row.method = method
        row.entered_by_id = attendee.user_id
    Vote.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def hand_votes_save(
    workshop: Workshop,
    *,
    user: User,
    entries: Mapping[int, int | HandScores | None],
) -> int:
    """Type in the hand votes of the room, card by card: each entry replaces that card's
    previous hand entry for the workshop's method; ``None`` removes it. Allowed after the vote
    is closed too (a count made on paper is typed in later). Returns the entries kept."""
    _require_facilitation(user, workshop)
    current = _locked(workshop)
    method = current.voting_method
    cards = set(current.cards.values_list("pk", flat=True))
    if set(entries) - cards:
        raise EvaluationError(_("These cards are not cards of this workshop. Nothing was saved."))
    kept = 0
    for card_id, entry in entries.items():
        Vote.objects.filter(card_id=card_id, method=method, hand=True).delete()
        if entry is None:
            continue
        if isinstance(entry, HandScores):
            means = {c: float(entry.means[c]) for c in voting.CRITERIA}
            if entry.people < 1 or any(
                not voting.SCORE_MIN <= m <= voting.SCORE_MAX for m in means.values()
            ):
                raise EvaluationError(_("A rank or a score is out of range. Nothing was saved."))
            vote = Vote(dots=entry.people, scores=means)
        else:
            if entry < 0:
                raise EvaluationError(_("A number of hands cannot be negative."))
            vote = Vote(dots=entry)
        vote.card_id = card_id
        vote.method = method
        vote.hand = True
        vote.entered_by = user
        vote.save()
        kept += 1
    return kept


# --- Action plan ----------------------------------------------------------------------------


@transaction.atomic
def action_save(
    project: Project, data: Mapping[str, Any], instance: ActionItem | None
) -> ActionItem:
    no_nir(data["title"], data["description"], data["owner"])
    fields = {name: data[name] for name in _ACTION_FIELDS}
    card = fields["card"]
    if card is not None and card.workshop.project_id != project.pk:
        raise EvaluationError(_("This card is not a card of this project."))
    recommendation = fields["recommendation"]
    if recommendation is not None and recommendation.project_id != project.pk:
        raise EvaluationError(_("This recommendation is not a recommendation of this project."))
    scenario = fields["scenario"]
    if scenario is not None and scenario.project_id != project.pk:
        raise EvaluationError(_("This scenario is not a scenario of this project."))
    if instance is None:
        return ActionItem.objects.create(project=project, **fields)
    save_versioned(instance, data.get("version") or 0, **fields)
    return instance
