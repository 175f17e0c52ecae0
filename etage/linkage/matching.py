"""Matching one landlord's lease (as its extract reports it) to a household ETAGE already
knows. Pure functions over dataclasses: no ORM, so the rules are tested alone and the service
(:mod:`etage.linkage.services`) only fetches, groups and writes.

The order (docs/linkage.md):

1. the same lease reference at the same landlord → ``exact`` (score 1);
2. a person's earlier decision for this lease, or an earlier automatic link of the same
   lease → that household is kept (the service applies it, see ``services.link_import``);
3. otherwise, households of the same landlord in the same commune at the same or a very
   similar address, scored on the tenant names and the address:
   ``score = NAME_WEIGHT × name similarity + ADDRESS_WEIGHT × address similarity``.
   ``score ≥ HIGH_THRESHOLD`` and clearly ahead of the next one (``MARGIN``) → ``probable``
   (linked); ``LOW_THRESHOLD ≤ score`` otherwise → ``review`` (a person decides); below →
   ``unknown``.

A landlord is only ever matched against its own tenants: every function here drops a
candidate whose tenancy is with another landlord, whatever the caller passed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from etage.households.text import address_key, fold, name_key

#: Within the name similarity, the family name's share (the first name has the rest, when
#: both sides give one).
LAST_NAME_SHARE = 0.7
#: Weights of the two similarities in the score (they add up to 1).
NAME_WEIGHT = 0.6
ADDRESS_WEIGHT = 0.4
#: At or above: linked automatically ("probable"), if clearly ahead of the next candidate.
HIGH_THRESHOLD = 0.85
#: At or above (and below HIGH, or too close to another): queued for a person ("review").
LOW_THRESHOLD = 0.60
#: How far the best candidate must be ahead of the second to be linked automatically.
MARGIN = 0.05
#: Two addresses of the same commune are "very similar" from this similarity on.
ADDRESS_MIN_SIMILARITY = 0.85
#: A household whose names are less similar than this is not proposed at all.
NAME_MIN_SIMILARITY = 0.5
#: At most this many households are proposed to the person who reviews.
MAX_PROPOSALS = 5

EXACT = "exact"
PROBABLE = "probable"
REVIEW = "review"
UNKNOWN = "unknown"

#: Words that are not names in "M. et Mme DUPONT", "Époux Durand", "Famille Martin".
_CIVILITIES = frozenset(
    {
        "m",
        "mr",
        "mme",
        "mlle",
        "mrs",
        "monsieur",
        "madame",
        "mademoiselle",
        "messieurs",
        "mesdames",
        "epoux",
        "epouse",
        "famille",
        "consorts",
        "vve",
        "veuve",
        "ou",
        "dr",
    }
)
#: Separators between several tenants in one field.
_SEPARATORS = re.compile(r"\s+(?:et|&|ou)\s+|\s*[,;/&+]\s*", re.IGNORECASE)


def normalise_lease(reference: str) -> str:
    """As :class:`etage.households.models.Tenancy` stores it: stripped, upper-case."""
    return reference.strip().upper()


@dataclass(frozen=True)
class PersonName:
    last_name: str
    first_name: str = ""


@dataclass(frozen=True)
class KnownTenancy:
    """A household ETAGE knows, through one of its tenancies."""

    household_id: int
    landlord_id: int
    lease_reference: str
    address: str
    commune_id: int
    people: tuple[PersonName, ...] = ()
    #: ``address_key(address)``; computed when not given.
    address_key: str = ""

    def key(self) -> str:
        return self.address_key or address_key(self.address)


@dataclass(frozen=True)
class ImportedLease:
    """What the landlord's extract says about one lease (its latest line)."""

    landlord_id: int
    lease_reference: str
    tenant_names: str
    address: str
    commune_id: int


@dataclass(frozen=True)
class Proposal:
    household_id: int
    score: float
    name_similarity: float
    address_similarity: float


@dataclass(frozen=True)
class MatchResult:
    status: str
    household_id: int | None = None
    score: float | None = None
    #: For ``review``: the households a person chooses from, best first.
    proposals: tuple[Proposal, ...] = field(default=())


def split_tenant_names(tenant_names: str) -> list[list[str]]:
    """The tenants of one field, each as its folded words without civilities:
    ``"DUPONT Marie et DURAND Paul"`` → ``[["dupont", "marie"], ["durand", "paul"]]``,
    ``"M. et Mme Dupont"`` → ``[["dupont"]]``."""
    parts = []
    for chunk in _SEPARATORS.split(tenant_names or ""):
        words = [w for w in fold(chunk).split() if w not in _CIVILITIES]
        if words:
            parts.append(words)
    return parts


def _ratio(a: str, b: str) -> float:
    return fuzz.ratio(a, b) / 100.0 if a and b else 0.0


def person_similarity(words: Sequence[str], person: PersonName) -> float:
    """How much one tenant of the extract (its folded words) looks like one known person.

    The family name is looked for among the words (it may span several words: "de la Tour",
    or be written with a hyphen as a space); the first name, when both sides have one,
    weighs 30 %: "DUPONT Marie" against Paul Dupont is still the same family name."""
    last = name_key(person.last_name).replace(" ", "")
    if not last or not words:
        return 0.0
    span = max(1, len(name_key(person.last_name).split()))
    best_last = 0.0
    best_window: tuple[int, int] = (0, 0)
    for size in range(1, min(len(words), span + 1) + 1):
        for start in range(len(words) - size + 1):
            similarity = _ratio("".join(words[start : start + size]), last)
            if similarity > best_last:
                best_last, best_window = similarity, (start, start + size)
    rest = [w for i, w in enumerate(words) if not best_window[0] <= i < best_window[1]]
    first = name_key(person.first_name).replace(" ", "")
    if not rest or not first:
        return best_last
    best_first = max(_ratio(w, first) for w in rest)
    return LAST_NAME_SHARE * best_last + (1 - LAST_NAME_SHARE) * best_first


def names_similarity(tenant_names: str, people: Iterable[PersonName]) -> float:
    """The best similarity between any tenant named in the extract and any person of the
    household (co-holders: each is compared with everyone)."""
    tenants = split_tenant_names(tenant_names)
    people = list(people)
    return max(
        (person_similarity(words, person) for words in tenants for person in people),
        default=0.0,
    )


def address_similarity(a_key: str, b_key: str) -> float:
    """1 for the same folded address; otherwise the character similarity, or 0.9 when one
    address holds every word of the other ("12 rue des Lilas" in "12 rue des Lilas bât. A")."""
    if not a_key or not b_key:
        return 0.0
    if a_key == b_key:
        return 1.0
    contained = 0.9 if fuzz.token_set_ratio(a_key, b_key) == 100 else 0.0
    return max(_ratio(a_key, b_key), contained)


def house_number(key: str) -> str:
    """The first number of a folded address ("12 bis rue…" → "12"): addresses are compared
    only with addresses carrying the same number (blocking)."""
    match = re.search(r"\d+", key)
    return match.group(0) if match else ""


def score_candidates(
    lease: ImportedLease, candidates: Iterable[KnownTenancy], *, line_key: str | None = None
) -> list[Proposal]:
    """Households of the same landlord, same commune, same or very similar address, scored;
    best first, one proposal per household (its best tenancy)."""
    if line_key is None:
        line_key = address_key(lease.address)
    best: dict[int, Proposal] = {}
    for tenancy in candidates:
        if tenancy.landlord_id != lease.landlord_id or tenancy.commune_id != lease.commune_id:
            continue
        address = address_similarity(line_key, tenancy.key())
        if address < ADDRESS_MIN_SIMILARITY:
            continue
        names = names_similarity(lease.tenant_names, tenancy.people)
        if names < NAME_MIN_SIMILARITY:
            continue
        score = round(NAME_WEIGHT * names + ADDRESS_WEIGHT * address, 4)
        proposal = Proposal(tenancy.household_id, score, round(names, 4), round(address, 4))
        current = best.get(tenancy.household_id)
        if current is None or proposal.score > current.score:
            best[tenancy.household_id] = proposal
    return sorted(best.values(), key=lambda p: (-p.score, p.household_id))


def decide(proposals: Sequence[Proposal]) -> MatchResult:
    """Thresholds applied to scored proposals (best first)."""
    if not proposals or proposals[0].score < LOW_THRESHOLD:
        return MatchResult(UNKNOWN, score=proposals[0].score if proposals else None)
    top = proposals[0]
    clearly_ahead = len(proposals) == 1 or round(top.score - proposals[1].score, 4) >= MARGIN
    if top.score >= HIGH_THRESHOLD and clearly_ahead:
        return MatchResult(PROBABLE, top.household_id, top.score, (top,))
    shown = tuple(p for p in proposals if p.score >= LOW_THRESHOLD)[:MAX_PROPOSALS]
    return MatchResult(REVIEW, None, top.score, shown)


def match_lease(lease: ImportedLease, known: Iterable[KnownTenancy]) -> MatchResult:
    """Rules 1 and 3 for one lease against the households ``known`` (any landlord's: those of
    another landlord are ignored)."""
    own = [t for t in known if t.landlord_id == lease.landlord_id]
    reference = normalise_lease(lease.lease_reference)
    if reference:
        same_lease = sorted({t.household_id for t in own if t.lease_reference == reference})
        if len(same_lease) == 1:
            return MatchResult(EXACT, same_lease[0], 1.0)
        if len(same_lease) > 1:
            # Two known households with one lease reference: a person decides.
            proposals = tuple(Proposal(pk, 1.0, 0.0, 0.0) for pk in same_lease)
            return MatchResult(REVIEW, None, 1.0, proposals[:MAX_PROPOSALS])
    return decide(score_candidates(lease, own))


class CandidateIndex:
    """Known tenancies of one landlord, grouped by commune and house number so that each
    lease is compared with a handful of addresses, not with every tenancy (1M-line imports)."""

    def __init__(self, landlord_id: int, tenancies: Iterable[KnownTenancy]) -> None:
        self.landlord_id = landlord_id
        self._blocks: dict[tuple[int, str], list[KnownTenancy]] = {}
        for tenancy in tenancies:
            if tenancy.landlord_id != landlord_id:
                continue
            block = (tenancy.commune_id, house_number(tenancy.key()))
            self._blocks.setdefault(block, []).append(tenancy)

    def __bool__(self) -> bool:
        return bool(self._blocks)

    def candidates(self, lease: ImportedLease) -> list[KnownTenancy]:
        if lease.landlord_id != self.landlord_id:
            return []
        # Folding keeps ASCII digits as they are: an ASCII address gives its number unfolded
        # (most leases have no candidate, and folding them all would dominate the run).
        text = lease.address if lease.address.isascii() else address_key(lease.address)
        return self._blocks.get((lease.commune_id, house_number(text)), [])

    def match(self, lease: ImportedLease) -> MatchResult:
        """Rule 3 only (the service has applied the lease-reference rules in bulk)."""
        candidates = self.candidates(lease)
        if not candidates:
            return MatchResult(UNKNOWN)
        return decide(score_candidates(lease, candidates))
