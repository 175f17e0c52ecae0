"""The review queue and the merge pages: who gets in, what they see, what a decision does."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from etage.core.models import AccessAction, AccessLogEntry
from etage.intake.models.arrears import ArrearsLine, LinkStatus
from etage.linkage.models import HouseholdMerge, LinkReview, ReviewStatus
from etage.linkage.services import link_import
from etage.situations.models import Situation

pytestmark = pytest.mark.django_db

QUEUE = reverse("linkage:queue")


@pytest.fixture
def review(known, new_batch, add_line):
    """An EMH lease with two close known households, waiting for a person."""
    a = known("EMH", ("Dupont", "Marie"), lease="EMH-0100")
    b = known("EMH", ("Dupond", "Marie"), lease="EMH-0101")
    batch = new_batch("EMH")
    add_line(batch, "EMH-0999", "DUPONS Marie")
    link_import(batch=batch)
    return LinkReview.objects.get(), a, b


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize("username", ["t1-professionnel", "t1-recouvrement"])
def test_the_landlords_staff_see_its_reviews_side_by_side(client_for, review, username):
    _pending, a, b = review
    response = client_for(username).get(QUEUE)
    assert response.status_code == 200
    page = text(response)
    assert "DUPONS Marie" in page
    assert "Marie DUPONT" in page
    assert "Marie DUPOND" in page
    assert "EMH-0100" in page
    assert "12 rue des Lilas" in page
    assert "C’est ce ménage" in page or "C'est ce ménage" in page
    assert "Aucun de ces ménages" in page
    logged = set(
        AccessLogEntry.objects.filter(action=AccessAction.READ, username=username).values_list(
            "object_type", "object_id"
        )
    )
    line = ArrearsLine.objects.get()
    assert {
        ("intake.arrearsline", str(line.pk)),
        ("households.household", str(a.pk)),
        ("households.household", str(b.pk)),
    } <= logged


def test_another_landlords_staff_see_nothing_and_cannot_decide(client_for, review):
    pending, a, _b = review
    glh = client_for("t3-professionnel")  # GLH
    response = glh.get(QUEUE)
    assert response.status_code == 200
    assert "DUPONS" not in text(response)
    response = glh.post(reverse("linkage:decide", args=[pending.pk]), {"household": a.pk})
    assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.status == ReviewStatus.OPEN


@pytest.mark.parametrize(
    "username", ["t1-coordination", "t1-signalement", "t1-ccas", "t1-pilotage", "t1-admin"]
)
def test_other_roles_and_organisations_are_refused(client_for, review, username):
    pending, a, _b = review
    client = client_for(username)
    assert client.get(QUEUE).status_code == 403
    response = client.post(reverse("linkage:decide", args=[pending.pk]), {"household": a.pk})
    assert response.status_code == 403
    assert LinkReview.objects.get().status == ReviewStatus.OPEN


def test_anonymous_people_are_sent_to_log_in(review):
    assert Client().get(QUEUE).status_code == 302


def test_choosing_a_household_links_every_line_of_the_lease(client_for, review, demo_reference):
    pending, a, _b = review
    response = client_for("t1-professionnel").post(
        reverse("linkage:decide", args=[pending.pk]), {"household": a.pk}, follow=True
    )
    assert "désormais rattaché" in text(response)
    pending.refresh_from_db()
    assert pending.status == ReviewStatus.RESOLVED
    assert pending.household_id == a.pk
    assert pending.decided_by == demo_reference["t1-professionnel"]
    assert set(ArrearsLine.objects.values_list("household_id", "link_status")) == {
        (a.pk, LinkStatus.CONFIRMED)
    }
    assert AccessLogEntry.objects.filter(
        action=AccessAction.CHANGE, object_type="households.household", object_id=str(a.pk)
    ).exists()


def test_none_of_these_marks_the_lease_unknown(client_for, review):
    pending, _a, _b = review
    client_for("t1-professionnel").post(
        reverse("linkage:decide", args=[pending.pk]), {"household": "none"}
    )
    assert set(ArrearsLine.objects.values_list("household_id", "link_status")) == {
        (None, LinkStatus.UNKNOWN)
    }


def test_the_second_decision_on_the_same_review_is_refused(client_for, review):
    pending, a, b = review
    client_for("t1-professionnel").post(
        reverse("linkage:decide", args=[pending.pk]), {"household": a.pk}
    )
    response = client_for("t1-recouvrement").post(
        reverse("linkage:decide", args=[pending.pk]), {"household": b.pk}, follow=True
    )
    assert "a déjà tranché" in text(response)
    pending.refresh_from_db()
    assert pending.household_id == a.pk
    assert set(ArrearsLine.objects.values_list("household_id", flat=True)) == {a.pk}


def test_a_household_that_was_not_proposed_or_garbage_is_refused(client_for, review, known):
    pending, _a, _b = review
    stranger = known("EMH", ("Autre", "Sam"))
    client = client_for("t1-professionnel")
    for value in (stranger.pk, "abc", ""):
        response = client.post(
            reverse("linkage:decide", args=[pending.pk]), {"household": value}, follow=True
        )
        assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == ReviewStatus.OPEN
    assert set(ArrearsLine.objects.values_list("link_status", flat=True)) == {LinkStatus.REVIEW}


def test_the_home_page_counts_the_reviews(client_for, review):
    page = text(client_for("t1-professionnel").get(reverse("core:home")))
    assert "Rapprochements à vérifier" in page


# --- Merges ------------------------------------------------------------------------------


@pytest.fixture
def pair(refer):
    return refer(last_name="Fictif"), refer("t1-professionnel", last_name="Fictive")


def test_a_coordinator_merges_from_the_situation_page_after_confirming(client_for, pair):
    first, second = pair
    client = client_for("t1-coordination")
    detail = text(client.get(reverse("situations:detail", args=[first.pk])))
    assert reverse("linkage:merge_start", args=[first.pk]) in detail
    start = reverse("linkage:merge_start", args=[first.pk])
    page = text(client.get(start))
    assert "Alix FICTIVE" in page
    # Missing reason: a French message, nothing merged.
    response = client.post(start, {"other": second.household_id, "reason": ""})
    assert "Dites pourquoi" in text(response)
    assert not HouseholdMerge.objects.exists()
    confirm = client.post(start, {"other": second.household_id, "reason": "Même personne"})
    assert "Confirmer la fusion" in text(confirm)
    assert not HouseholdMerge.objects.exists()
    form = confirm.context["confirm"].initial
    response = client.post(start, {**form, "confirm": "1"}, follow=True)
    merge = HouseholdMerge.objects.get()
    assert (merge.kept_id, merge.absorbed_id) == (first.household_id, second.household_id)
    assert Situation.objects.get(pk=second.pk).household_id == first.household_id
    assert "Annuler la fusion" in text(response)
    # Undo from the history.
    response = client.post(reverse("linkage:merge_undo", args=[merge.pk]), follow=True)
    assert "annulée" in text(response)
    assert Situation.objects.get(pk=second.pk).household_id == second.household_id


def test_a_replayed_confirmation_with_old_versions_merges_nothing_twice(client_for, pair):
    first, second = pair
    client = client_for("t1-coordination")
    start = reverse("linkage:merge_start", args=[first.pk])
    form = (
        client.post(start, {"other": second.household_id, "reason": "Doublon"})
        .context["confirm"]
        .initial
    )
    client.post(start, {**form, "confirm": "1"})
    response = client.post(start, {**form, "confirm": "1"}, follow=True)
    assert HouseholdMerge.objects.count() == 1
    assert response.status_code == 200


@pytest.mark.parametrize("username", ["t1-professionnel", "t1-recouvrement", "t1-signalement"])
def test_merge_pages_are_refused_to_other_roles(client_for, pair, username):
    first, _second = pair
    client = client_for(username)
    assert client.get(reverse("linkage:merges")).status_code == 403
    assert client.get(reverse("linkage:merge_start", args=[first.pk])).status_code == 403


def test_another_platforms_coordinator_gets_404_and_no_history(client_for, pair, demo_reference):
    from etage.linkage.services import household_merge

    first, second = pair
    merge = household_merge(
        user=demo_reference["t1-coordination"],
        kept=first.household,
        absorbed=second.household,
        reason="Doublon",
    )
    other = client_for("t2-coordination")
    assert other.get(reverse("linkage:merge_start", args=[first.pk])).status_code == 404
    assert "Fictif" not in text(other.get(reverse("linkage:merges")))
    assert other.post(reverse("linkage:merge_undo", args=[merge.pk])).status_code == 404
    merge.refresh_from_db()
    assert merge.undone_at is None
