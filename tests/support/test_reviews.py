"""Reviews: due every platform interval while in support; recording one sets the next date
on the situation (versioned, like a pathway step) and logs a "review" event; a change of
level or a closure then goes through its own pathway step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from etage.situations.services import StaleVersion
from etage.support.models import Review
from etage.support.services import (
    ProgressInput,
    SupportRefused,
    objective_create,
    review_record,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def objective(supported, cast):
    from etage.references.models import Theme

    return objective_create(
        user=cast["t1-association"],
        situation_id=supported.pk,
        theme_id=Theme.objects.get(code="rights").pk,
        title="Ouvrir les droits APL",
    )


def test_starting_support_sets_the_first_review_at_the_platform_interval(supported):
    assert supported.platform.review_interval_months == 3
    assert supported.next_review_on == dt.date(2026, 6, 17)  # support started 17/03/2026


def test_a_review_sets_the_next_date_and_is_logged_without_free_text(supported, objective, cast):
    version = supported.version
    review = review_record(
        user=cast["t1-association"],
        situation_id=supported.pk,
        expected_version=version,
        held_on=dt.date(2026, 6, 10),
        decision="continue",
        next_review_on=dt.date(2026, 9, 10),
        progress=[ProgressInput(objective.pk, "partial", "Dossier CAF déposé.")],
    )
    supported.refresh_from_db()
    assert (supported.next_review_on, supported.version) == (dt.date(2026, 9, 10), version + 1)
    assert [(p.objective, p.progress) for p in review.progress.all()] == [(objective, "partial")]
    event = supported.events.get(action="review")
    assert event.payload == {
        "review": review.pk,
        "decision": "continue",
        "next_review_on": "2026-09-10",
        "progress": {"partial": 1},
    }
    assert event.occurred_on == dt.date(2026, 6, 10)


def test_a_review_on_a_stale_situation_is_refused(supported, objective, cast):
    kwargs = {
        "situation_id": supported.pk,
        "expected_version": supported.version,
        "held_on": dt.date(2026, 6, 10),
        "decision": "continue",
        "next_review_on": dt.date(2026, 9, 10),
    }
    review_record(user=cast["t1-association"], **kwargs)
    with pytest.raises(StaleVersion):
        review_record(user=cast["t1-ccas"], **kwargs)
    assert Review.objects.count() == 1


@pytest.mark.parametrize(
    ("held_on", "next_review_on", "message"),
    [
        (dt.date(2099, 1, 1), dt.date(2099, 4, 1), "futur"),
        (dt.date(2026, 3, 1), dt.date(2026, 6, 1), "début de l'accompagnement"),
        (dt.date(2026, 6, 10), dt.date(2026, 6, 10), "après celui-ci"),
    ],
)
def test_review_dates_are_checked(supported, cast, held_on, next_review_on, message):
    with pytest.raises(SupportRefused, match=message):
        review_record(
            user=cast["t1-association"],
            situation_id=supported.pk,
            expected_version=supported.version,
            held_on=held_on,
            decision="continue",
            next_review_on=next_review_on,
        )


def test_rent_recovery_records_no_review(supported, cast):
    from django.http import Http404

    with pytest.raises(Http404):
        review_record(
            user=cast["t1-recouvrement"],
            situation_id=supported.pk,
            expected_version=supported.version,
            held_on=dt.date(2026, 6, 10),
            decision="continue",
            next_review_on=dt.date(2026, 9, 10),
        )


@pytest.mark.parametrize("decision", ["change_level", "close"])
def test_a_decision_to_change_level_or_close_leads_to_its_pathway_step(
    supported, objective, client_as, decision
):
    response = client_as("t1-coordination").post(
        reverse("support:reviews", args=[supported.pk]),
        {
            "version": supported.version,
            "held_on": "2026-06-10",
            "decision": decision,
            "next_review_on": "2026-09-10",
            f"objectif-{objective.pk}-progress": "achieved",
            f"objectif-{objective.pk}-comment": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("situations:step", args=[supported.pk, decision])
    supported.refresh_from_db()
    assert supported.status == "in_support"  # the step page records the change, not the review
    assert supported.next_review_on == dt.date(2026, 9, 10)


def test_an_overdue_review_is_said_in_words_on_the_situation_page(supported, client_as):
    page = client_as("t1-association").get(reverse("situations:detail", args=[supported.pk]))
    html = page.content.decode()
    assert "Prochain bilan prévu le 17/06/2026." in html
    assert "Bilan en retard de" in html
