"""link_import on batches written directly: the rules in order, set-based, idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings

from etage.intake.models.arrears import ArrearsLine, LinkStatus
from etage.linkage.models import LinkReview, ReviewDecision, ReviewStatus
from etage.linkage.services import link_import, link_review_decide

pytestmark = pytest.mark.django_db

JUNE = dt.date(2026, 6, 30)


def state() -> list[tuple]:
    return list(
        ArrearsLine.objects.order_by("pk").values_list(
            "pk", "household_id", "link_status", "link_score"
        )
    )


def test_link_import_is_the_first_step_after_an_import():
    assert settings.ETAGE_POST_IMPORT_STEPS[0] == "etage.linkage.services.link_import"


def test_the_same_lease_reference_links_exactly_whatever_its_case(known, new_batch, add_line):
    household = known("EMH", ("Fictif", "Alix"), lease="EMH-0001")
    batch = new_batch()
    line = add_line(batch, "emh-0001 ", "Quelqu'un d'autre", address="1 place Ailleurs")
    link_import(batch=batch)
    line.refresh_from_db()
    assert (line.household_id, line.link_status, line.link_score) == (
        household.pk,
        LinkStatus.EXACT,
        1.0,
    )


def test_another_landlords_tenant_is_never_linked_even_with_same_lease_and_name(
    known, new_batch, add_line
):
    known("GLH", ("Dupont", "Marie"), lease="B-1")
    batch = new_batch("EMH")
    line = add_line(batch, "B-1", "DUPONT Marie")
    link_import(batch=batch)
    line.refresh_from_db()
    assert (line.household_id, line.link_status) == (None, LinkStatus.UNKNOWN)
    assert not LinkReview.objects.exists()


def test_a_similar_name_at_the_same_address_is_probable(known, new_batch, add_line):
    household = known("EMH", ("Dupont", "Marie"), ("Durand", "Paul"))
    batch = new_batch()
    line = add_line(batch, "B-7", "DURAND Paul et DUPOND Marie", address="12 r. des Lilas")
    link_import(batch=batch)
    line.refresh_from_db()
    assert (line.household_id, line.link_status) == (household.pk, LinkStatus.PROBABLE)
    assert line.link_score >= 0.85


def test_two_close_candidates_are_queued_once_and_twice_changes_nothing(known, new_batch, add_line):
    a = known("EMH", ("Dupont", "Marie"))
    b = known("EMH", ("Dupond", "Marie"))
    batch = new_batch()
    add_line(batch, "B-9", "DUPONS Marie")
    add_line(batch, "B-9", "DUPONS Marie", balance_on=dt.date(2026, 4, 30))
    link_import(batch=batch)
    review = LinkReview.objects.get()
    assert review.status == ReviewStatus.OPEN
    assert review.lease_reference == "B-9"
    assert set(review.proposed_ids) == {a.pk, b.pk}
    assert {s for _p, h, s, _sc in state()} == {LinkStatus.REVIEW}
    before = state()
    link_import(batch=batch)
    assert state() == before
    assert LinkReview.objects.count() == 1


def test_a_later_import_of_a_lease_under_review_joins_the_open_review(known, new_batch, add_line):
    known("EMH", ("Dupont", "Marie"))
    known("EMH", ("Dupond", "Marie"))
    first = new_batch()
    add_line(first, "B-9", "DUPONS Marie")
    link_import(batch=first)
    second = new_batch()
    june = add_line(second, "B-9", "DUPONS Marie", balance_on=JUNE)
    link_import(batch=second)
    june.refresh_from_db()
    assert june.link_status == LinkStatus.REVIEW
    assert LinkReview.objects.count() == 1


def test_a_persons_decision_stands_for_the_next_imports(demo_reference, known, new_batch, add_line):
    a = known("EMH", ("Dupont", "Marie"))
    known("EMH", ("Dupond", "Marie"))
    known("EMH", ("Martin", "Luc"), address="5 rue Verte")
    known("EMH", ("Martine", "Luc"), address="5 rue Verte")
    first = new_batch()
    add_line(first, "B-9", "DUPONS Marie")
    add_line(first, "B-5", "MARTINS Luc", address="5 rue Verte")
    link_import(batch=first)
    user = demo_reference["t1-professionnel"]
    b9 = LinkReview.objects.get(lease_reference="B-9")
    b5 = LinkReview.objects.get(lease_reference="B-5")
    link_review_decide(user=user, review_id=b9.pk, household_id=a.pk)
    link_review_decide(user=user, review_id=b5.pk, household_id=None)
    second = new_batch()
    june9 = add_line(second, "B-9", "DUPONS Marie", balance_on=JUNE)
    june5 = add_line(second, "B-5", "MARTINS Luc", address="5 rue Verte", balance_on=JUNE)
    link_import(batch=second)
    june9.refresh_from_db()
    june5.refresh_from_db()
    assert (june9.household_id, june9.link_status) == (a.pk, LinkStatus.CONFIRMED)
    assert (june5.household_id, june5.link_status) == (None, LinkStatus.UNKNOWN)
    assert not LinkReview.objects.filter(status=ReviewStatus.OPEN).exists()
    assert LinkReview.objects.get(pk=b5.pk).decision == ReviewDecision.NO_MATCH


def test_an_earlier_link_of_the_lease_is_kept(known, new_batch, add_line):
    household = known("EMH", ("Dupont", "Marie"))
    first = new_batch()
    add_line(first, "B-3", "DUPONT Marie")
    link_import(batch=first)
    # Next month the extract names the other occupant, whom ETAGE does not know.
    second = new_batch()
    june = add_line(second, "B-3", "LEROY Sam", balance_on=JUNE)
    link_import(batch=second)
    june.refresh_from_db()
    assert (june.household_id, june.link_status) == (household.pk, LinkStatus.PROBABLE)


def test_a_corrected_line_is_matched_again(known, new_batch, add_line):
    household = known("EMH", ("Dupont", "Marie"))
    first = new_batch()
    line = add_line(first, "B-4", "MARTIN Jean")
    link_import(batch=first)
    line.refresh_from_db()
    assert line.link_status == LinkStatus.UNKNOWN
    second = new_batch()
    add_line(second, "B-4", "DUPONT Marie")  # the same key, corrected names
    link_import(batch=second)
    line.refresh_from_db()
    assert (line.household_id, line.link_status) == (household.pk, LinkStatus.PROBABLE)


def test_only_the_batchs_own_lines_are_touched(known, new_batch, add_line):
    known("EMH", ("Dupont", "Marie"))
    old = new_batch()
    untouched = add_line(old, "B-1", "DUPONT Marie")  # never linked: old batch not run
    batch = new_batch()
    add_line(batch, "B-2", "DUPONT Marie", balance_on=JUNE)
    link_import(batch=batch)
    untouched.refresh_from_db()
    assert untouched.link_status == LinkStatus.PENDING


@pytest.mark.parametrize("lines", [5, 120])
def test_exact_matches_take_a_bounded_number_of_queries_whatever_the_number_of_lines(
    known, new_batch, add_line, django_assert_max_num_queries, lines
):
    for i in range(lines):
        known("EMH", (f"Fictif{i}", ""), lease=f"EMH-{i:04d}", address=f"{i} rue Haute")
    batch = new_batch()
    for i in range(lines):
        add_line(batch, f"EMH-{i:04d}", f"FICTIF{i}", address=f"{i} rue Haute")
    with django_assert_max_num_queries(14):
        link_import(batch=batch)
    assert ArrearsLine.objects.filter(link_status=LinkStatus.EXACT).count() == lines
    with django_assert_max_num_queries(14):
        link_import(batch=batch)  # idempotent, and as cheap
    assert ArrearsLine.objects.filter(link_status=LinkStatus.EXACT).count() == lines


def test_fuzzy_matches_write_in_chunks_not_per_line(
    known, new_batch, add_line, django_assert_max_num_queries
):
    for i in range(60):
        known("EMH", (f"Nom{i}", ""), address=f"{i} rue Basse")
    batch = new_batch()
    for i in range(60):
        add_line(batch, f"X-{i}", f"NOM{i}", address=f"{i} rue Basse")
    with django_assert_max_num_queries(16):
        link_import(batch=batch)
    assert ArrearsLine.objects.filter(link_status=LinkStatus.PROBABLE).count() == 60
