"""Issue 12's keyboard-only journeys (RGAA theme 12): a caretaker signs in and refers a
household, and a coordinator records a meeting decision, with the keyboard alone — Tab,
Shift+Tab, typing, arrows, Space and Enter; no click, no ``fill``. At every focus stop the
focused element must show a visible focus indicator (``focused`` in the conftest), and every
page and significant state passes the axe-core audit."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from etage.demo.reference import DEMO_PASSWORD
from tests.browser.conftest import audit, focused, tab_to
from tests.browser.test_meeting_journey import ASSESSED, _situation


def type_into(page: Page, selector: str, text: str) -> list[dict[str, Any]]:
    """Tab to the field (unless it has the focus already) and type; returns the focus stops."""
    stops = []
    if not page.evaluate("s => document.activeElement.matches(s)", selector):
        stops = tab_to(page, selector)
    page.keyboard.type(text)
    return stops


def sign_in_with_the_keyboard(page: Page, username: str) -> None:
    page.goto(reverse("accounts:login"))
    audit(page)
    # The login page puts the focus in its first field.
    expect(page.locator("#id_username")).to_be_focused()
    type_into(page, "#id_username", username)
    type_into(page, "#id_password", DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url("/")


def skip_to_content(page: Page) -> None:
    """The first Tab of every page reaches the skip link; Enter moves the focus to <main>."""
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "Aller au contenu principal"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


@pytest.mark.usefixtures("demo_site")
def test_a_caretaker_refers_a_household_with_the_keyboard_only(page: Page) -> None:
    sign_in_with_the_keyboard(page, "t1-signalement")
    audit(page)
    skip_to_content(page)
    tab_to(page, f"main a[href='{reverse('intake:referral_create')}']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Signaler un ménage")
    audit(page)

    # Sent empty: the error summary takes the focus, and its links lead to the fields.
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Le formulaire contient des erreurs")
    expect(summary).to_be_focused()
    audit(page)
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    tab_to(page, ".error-summary a[href='#id_last_name']")
    page.keyboard.press("Enter")
    expect(page.locator("#id_last_name")).to_be_focused()
    focused(page)

    # The fields, in the order they are shown (the focus order follows the reading order).
    page.keyboard.type("Clavier")
    stops = type_into(page, "#id_first_name", "Dominique")
    stops += type_into(page, "#id_address", "3 rue des Tilleuls")
    stops += tab_to(page, "#id_commune")
    page.keyboard.type("Vaulx")
    expect(page.locator("#id_commune")).to_have_value(
        page.locator("#id_commune option", has_text="Vaulx-en-Velin").get_attribute("value") or ""
    )
    stops += type_into(page, "#id_lease_reference", "EMH-000321")
    stops += tab_to(page, "input[name=difficulties][value=rent_arrears]")
    page.keyboard.press("Space")
    expect(page.get_by_label("Impayés de loyer")).to_be_checked()
    # Urgency is a radio group: Tab enters it on the chosen option, arrows change it.
    stops += tab_to(page, "input[name=urgency]:checked")
    page.keyboard.press("ArrowDown")
    expect(page.locator("input[name=urgency]:checked")).to_be_focused()
    focused(page)
    stops += type_into(page, "#id_description", "Boîte aux lettres pleine, loyer en retard.")
    visited = [s["id"] for s in stops]
    expected = ["id_first_name", "id_phone", "id_adults", "id_children", "id_address"]
    expected += ["id_commune", "id_landlord", "id_lease_reference", "id_difficulties_0"]
    assert [i for i in visited if i in expected] == expected

    # Shift+Tab goes back the same way.
    tab_to(page, "#id_address", backwards=True)
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")

    # The confirmation: the referral's reference, read out (role="status") and listed.
    expect(page.locator("h1")).to_have_text("Mes signalements")
    status = page.get_by_role("status")
    expect(status).to_contain_text(
        re.compile(r"Signalement envoyé à la plateforme\. Référence : T1-\d{5}")
    )
    reference = re.search(r"T1-\d{5}", status.inner_text())
    assert reference is not None
    row = page.locator("tbody tr").filter(has_text=reference.group())
    expect(row).to_contain_text("CLAVIER")
    audit(page)


@pytest.fixture
def meeting_under_way(demo_site: None) -> tuple[int, str, Any]:
    """A T2 platform meeting begun half an hour ago, with an assessed situation on its agenda
    (set up through the real services, as in the meeting journey)."""
    from etage.accounts.models import User
    from etage.meetings.services import meeting_create
    from etage.territories.models import Platform

    reference = _situation(*ASSESSED, steps=3)
    meeting = meeting_create(
        user=User.objects.get(username="t2-coordination"),
        platform_id=Platform.objects.get(territory__code="T2").pk,
        starts_at=timezone.now() - dt.timedelta(minutes=30),
        place="Salle du conseil",
    )
    return meeting.pk, reference, User.objects.get(username="t2-professionnel")


def test_a_coordinator_records_a_meeting_decision_with_the_keyboard_only(
    page: Page, meeting_under_way: tuple[int, str, Any]
) -> None:
    meeting_id, reference, lead = meeting_under_way
    sign_in_with_the_keyboard(page, "t2-coordination")
    tab_to(page, f"nav a[href='{reverse('meetings:index')}']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Réunions")
    audit(page)
    skip_to_content(page)
    tab_to(page, f"main a[href='{reverse('meetings:detail', args=[meeting_id])}']")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("agenda")).to_contain_text(reference)
    audit(page)

    skip_to_content(page)
    tab_to(page, "[data-testid=agenda] a[href*='/decision/']")
    assert focused(page)["name"] == f"Enregistrer la décision — {reference}"
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text(reference)
    audit(page)

    # Recording without choosing: the error summary takes the focus (autofocus).
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Le formulaire contient des erreurs")
    expect(summary).to_be_focused()
    audit(page)

    # The decision: orientation (first option) to AGR, with a lead professional.
    tab_to(page, "input[name=kind]")
    page.keyboard.press("Space")
    expect(page.locator("#id_kind_0")).to_be_checked()
    tab_to(page, "input[name=orientation]")
    agr = page.get_by_label("Accompagnement global renforcé (AGR)")
    for _ in range(6):
        if agr.is_checked():
            break
        page.keyboard.press("ArrowDown")
        focused(page)
    expect(agr).to_be_checked()
    expect(agr).to_be_focused()
    tab_to(page, "#id_lead_professional")
    # Type-ahead in the closed list, as a keyboard user does.
    page.keyboard.type(lead.get_full_name())
    expect(page.locator("#id_lead_professional")).to_have_value(str(lead.pk))
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")

    expect(page.locator(".messages")).to_contain_text(
        f"Décision enregistrée pour la situation {reference}"
    )
    expect(page.get_by_test_id("agenda")).to_contain_text("Orientation")
    audit(page)
