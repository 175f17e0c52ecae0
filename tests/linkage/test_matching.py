"""The matching rules alone (no database): etage.linkage.matching."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from etage.linkage import matching as m
from etage.linkage.matching import ImportedLease, KnownTenancy, PersonName

LANDLORD, OTHER = 1, 2
VAULX = 10


def tenancy(
    pk: int,
    *people: tuple[str, str],
    lease: str = "",
    address: str = "12 rue des Lilas",
    landlord: int = LANDLORD,
    commune: int = VAULX,
) -> KnownTenancy:
    return KnownTenancy(
        household_id=pk,
        landlord_id=landlord,
        lease_reference=lease,
        address=address,
        commune_id=commune,
        people=tuple(PersonName(last, first) for last, first in people),
    )


def lease(
    names: str,
    *,
    ref: str = "B-999",
    address: str = "12 rue des Lilas",
    landlord: int = LANDLORD,
    commune: int = VAULX,
) -> ImportedLease:
    return ImportedLease(landlord, ref, names, address, commune)


def test_the_same_lease_reference_is_an_exact_match_whatever_the_names():
    known = [tenancy(1, ("Fictif", "Alix"), lease="B-12"), tenancy(2, ("Imaginaire", "Noa"))]
    result = m.match_lease(lease("Someone Else", ref=" b-12 ", address="1 place Ailleurs"), known)
    assert (result.status, result.household_id, result.score) == (m.EXACT, 1, 1.0)


def test_one_lease_reference_held_by_two_known_households_goes_to_review():
    known = [tenancy(1, ("Fictif", ""), lease="B-12"), tenancy(2, ("Fictif", ""), lease="B-12")]
    result = m.match_lease(lease("FICTIF", ref="B-12"), known)
    assert result.status == m.REVIEW
    assert [p.household_id for p in result.proposals] == [1, 2]


def test_a_typo_in_the_name_at_the_same_address_is_probable():
    result = m.match_lease(lease("DUPOND Marie"), [tenancy(1, ("Dupont", "Marie"))])
    assert result.status == m.PROBABLE
    assert result.household_id == 1
    assert m.HIGH_THRESHOLD <= result.score < 1


def test_accents_case_and_abbreviations_do_not_matter():
    known = [tenancy(1, ("Lefèvre", "Élodie"), address="3 avenue Saint-Exupéry")]
    result = m.match_lease(lease("LEFEVRE ELODIE", address="3 av. St Exupery"), known)
    assert (result.status, result.household_id, result.score) == (m.PROBABLE, 1, 1.0)


def test_co_holders_are_each_compared_with_every_person():
    known = [tenancy(1, ("Durand", "Paul"), ("Fictif", "Marie"))]
    for names in ("FICTIF Marie et DURAND Paul", "M. et Mme Durand", "Durand / Fictif"):
        result = m.match_lease(lease(names), known)
        assert (result.status, result.household_id) == (m.PROBABLE, 1), names


def test_split_tenant_names_drops_civilities():
    assert m.split_tenant_names("DUPONT Marie et DURAND Paul") == [
        ["dupont", "marie"],
        ["durand", "paul"],
    ]
    assert m.split_tenant_names("M. et Mme Dupont") == [["dupont"]]
    assert m.split_tenant_names("Époux MARTIN") == [["martin"]]


def test_two_close_candidates_go_to_review_not_to_either():
    known = [tenancy(1, ("Dupont", "Marie")), tenancy(2, ("Dupond", "Marie"))]
    result = m.match_lease(lease("DUPONS Marie"), known)
    assert result.status == m.REVIEW
    assert result.household_id is None
    assert {p.household_id for p in result.proposals} == {1, 2}


def test_another_name_at_the_same_address_is_unknown():
    result = m.match_lease(lease("MARTIN Jean"), [tenancy(1, ("Dupont", "Marie"))])
    assert result.status == m.UNKNOWN
    assert result.household_id is None


def test_the_same_name_elsewhere_is_unknown():
    known = [tenancy(1, ("Dupont", "Marie"), address="40 boulevard Lénine")]
    assert m.match_lease(lease("DUPONT Marie"), known).status == m.UNKNOWN
    other_commune = [tenancy(1, ("Dupont", "Marie"), commune=VAULX + 1)]
    assert m.match_lease(lease("DUPONT Marie"), other_commune).status == m.UNKNOWN


def test_a_middling_score_goes_to_review():
    # Same family name, another first name, and the building written differently.
    known = [tenancy(1, ("Benali", "Karim"), address="12 rue des Lilas")]
    result = m.match_lease(lease("BENALLI Sarah", address="12 rue Lilas"), known)
    assert m.LOW_THRESHOLD <= result.score < m.HIGH_THRESHOLD
    assert result.status == m.REVIEW


def test_decide_applies_thresholds_and_margin():
    p = m.Proposal
    assert m.decide([]).status == m.UNKNOWN
    assert m.decide([p(1, 0.59, 0, 0)]).status == m.UNKNOWN
    assert m.decide([p(1, 0.60, 0, 0)]).status == m.REVIEW
    assert m.decide([p(1, 0.85, 0, 0)]).status == m.PROBABLE
    assert m.decide([p(1, 0.95, 0, 0), p(2, 0.91, 0, 0)]).status == m.REVIEW
    assert m.decide([p(1, 0.95, 0, 0), p(2, 0.90, 0, 0)]).status == m.PROBABLE


def test_the_index_compares_only_addresses_with_the_same_number():
    index = m.CandidateIndex(
        LANDLORD,
        [tenancy(1, ("Dupont", "")), tenancy(2, ("Dupont", ""), address="14 rue des Lilas")],
    )
    assert [t.household_id for t in index.candidates(lease("Dupont"))] == [1]
    assert index.match(lease("Dupont")).household_id == 1


names = st.sampled_from(["Dupont", "Durand", "Fictif", "Benali", "Lefèvre", "N'Diaye", "Martin"])
firsts = st.sampled_from(["", "Marie", "Paul", "Noa", "Inès"])
addresses = st.sampled_from(
    ["12 rue des Lilas", "12 av. des Lilas", "3 place Carnot", "8 rue Lilas"]
)


@settings(max_examples=200, deadline=None)
@given(
    own=st.lists(
        st.tuples(names, firsts, addresses, st.sampled_from(["", "B-1", "B-2"])), max_size=4
    ),
    foreign=st.lists(
        st.tuples(names, firsts, addresses, st.sampled_from(["", "B-1", "B-2"])),
        min_size=1,
        max_size=4,
    ),
    line=st.tuples(names, firsts, addresses, st.sampled_from(["B-1", "B-2", "B-3"])),
)
def test_another_landlords_household_is_never_linked_nor_proposed(own, foreign, line):
    known = [
        tenancy(i, (last, first), address=addr, lease=ref)
        for i, (last, first, addr, ref) in enumerate(own, start=1)
    ] + [
        tenancy(100 + i, (last, first), address=addr, lease=ref, landlord=OTHER)
        for i, (last, first, addr, ref) in enumerate(foreign, start=1)
    ]
    imported = lease(f"{line[0]} {line[1]}", address=line[2], ref=line[3])
    for result in (
        m.match_lease(imported, known),
        m.CandidateIndex(LANDLORD, known).match(imported),
    ):
        ids = {result.household_id} | {p.household_id for p in result.proposals}
        assert not ids & set(range(100, 110))


@settings(max_examples=200, deadline=None)
@given(last=names, first=firsts, address=addresses)
def test_a_household_recorded_exactly_as_imported_is_always_found(last, first, address):
    known = [tenancy(7, (last, first), address=address)]
    result = m.match_lease(lease(f"{last.upper()} {first}", address=address), known)
    assert (result.status, result.household_id, result.score) == (m.PROBABLE, 7, 1.0)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(max_size=60),
    people=st.lists(st.tuples(st.text(max_size=20), st.text(max_size=20)), max_size=3),
)
def test_name_similarity_is_a_ratio_for_any_text(text, people):
    value = m.names_similarity(text, [PersonName(a, b) for a, b in people])
    assert 0.0 <= value <= 1.0
