"""Issue 5's "My work" and notifications in a real browser: the landlord's social worker,
lead professional of a situation in support, lands on the home page with the counts of their
work, opens "My work" (an action of the shared plan due, a review due), follows the count of
reviews to the filtered list of situations, opens the notifications from the header (the
unread count in words), marks one as read, then looks at the notification settings. Every page
passes the axe-core audit."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import audit


@pytest.fixture
def lead_with_work(demo_site: None) -> Any:
    """A T1 situation in AGR support led by EMH's social worker (``t1-professionnel``): its
    review fell due in June, and the coordinator gives them an action due in two days —
    all through the real services, whose notifications are created after each commit."""
    from django.utils import timezone

    from etage.accounts.models import User
    from etage.intake.services import ReferralData, referral_create_situation
    from etage.organisations.models import Organisation
    from etage.references.models import Theme
    from etage.situations.services import situation_transition
    from etage.support.services import action_create, objective_create
    from etage.territories.models import Commune
    from tests.pathways import PATH

    users = {u.username: u for u in User.objects.filter(username__startswith="t1-")}
    situation = referral_create_situation(
        user=users["t1-signalement"],
        data=ReferralData(
            last_name="Fictivel",
            first_name="Alix",
            landlord_id=Organisation.objects.get(code="EMH").pk,
            commune_id=Commune.objects.get(insee_code="69256").pk,
            address="7 rue des Glycines",
            source="caretaker",
            urgency="normal",
            difficulties=("rent_arrears",),
            identified_on=dt.date(2026, 3, 2),
        ),
    ).situation
    day = situation.identified_on
    for action, payload, username in PATH:
        day += dt.timedelta(days=3)
        if action == "orient":
            payload = {
                **payload,
                "lead_professional_id": users["t1-professionnel"].pk,
                "referent_organisation_id": Organisation.objects.get(code="ASSO-TDL").pk,
            }
        situation.refresh_from_db()
        situation_transition(
            user=users[username],
            situation_id=situation.pk,
            action=action,
            expected_version=situation.version,
            occurred_on=day,
            payload=payload,
        )
    coordinator = users["t1-coordination"]
    objective = objective_create(
        user=coordinator,
        situation_id=situation.pk,
        theme_id=Theme.objects.order_by("order")[0].pk,
        title="Stabiliser le budget",
    )
    action_create(
        user=coordinator,
        objective_id=objective.pk,
        title="Constituer le dossier FSL maintien",
        owner_organisation_id=Organisation.objects.get(code="EMH").pk,
        owner_person_id=users["t1-professionnel"].pk,
        due_on=timezone.localdate() + dt.timedelta(days=2),
    )
    situation.refresh_from_db()
    return situation


def test_my_work_counts_lead_to_the_list_and_notifications_are_marked_read(
    open_as: Any, lead_with_work: Any
) -> None:
    reference = lead_with_work.reference
    page = open_as("t1-professionnel")

    # The home page opens with what is waiting.
    expect(page.locator("h1")).to_contain_text("Bonjour")
    summary = page.get_by_test_id("work-summary")
    expect(summary.get_by_test_id("summary-action_due")).to_contain_text("1")
    expect(summary.get_by_test_id("summary-review_due")).to_contain_text("1")
    audit(page)

    # "My work": the action due and the review due, each with the situation's reference.
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Mon travail"
    ).click()
    expect(page.locator("h1")).to_have_text("Mon travail")
    actions = page.get_by_test_id("work-action_due")
    expect(actions).to_contain_text("Constituer le dossier FSL maintien")
    expect(actions).to_contain_text(reference)
    reviews = page.get_by_test_id("work-review_due")
    expect(reviews).to_contain_text(reference)
    expect(reviews).to_contain_text("en retard")
    audit(page)

    # The count of reviews opens the list of exactly those situations.
    reviews.get_by_test_id("count-review_due").click()
    expect(page).to_have_url(re.compile(r"/situations/\?review_due=on$"))
    expect(page.locator(".results-count")).to_have_text("1 situation")
    expect(page.locator("#resultats")).to_contain_text(reference)
    expect(page.get_by_label("Bilans à faire")).to_be_checked()
    audit(page)

    # Notifications: the header says how many are unread, in words.
    link = page.get_by_test_id("notifications-link")
    expect(link).to_have_text(re.compile(r"^Notifications \(\d+ non lues?\)$"))
    unread = int(re.search(r"\((\d+)", link.inner_text()).group(1))  # type: ignore[union-attr]
    assert unread >= 2  # the new situation of EMH, the orientation, the action given
    link.click()
    expect(page.locator("h1")).to_have_text("Notifications")
    items = page.get_by_test_id("notification")
    expect(items.first).to_contain_text(reference)
    expect(page.locator("main")).not_to_contain_text("Fictivel")
    audit(page)
    items.first.get_by_role("button", name=re.compile("^Marquer comme lue")).click()
    expect(page.locator(".message--success")).to_contain_text("Notification marquée comme lue.")
    left = unread - 1
    expected = (
        "Notifications" if left == 0 else f"Notifications ({left} non lue{'s' if left > 1 else ''})"
    )
    expect(page.get_by_test_id("notifications-link")).to_have_text(expected)
    expect(items.first).to_contain_text("Lue")
    audit(page)

    # The settings: one choice per kind of notification.
    page.get_by_role("link", name="Réglages des notifications").click()
    expect(page.locator("h1")).to_have_text("Réglages des notifications")
    expect(page.get_by_role("group", name="Échéance de procédure proche")).to_be_visible()
    audit(page)
