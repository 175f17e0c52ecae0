"""Issue 12: 200 % zoom without loss (RGAA 10.4 and 10.11, WCAG 1.4.4 and 1.4.10). A 1280×1024
screen zoomed to 200 % leaves 640×512 CSS pixels: each role's main pages — its home page and
every entry of its navigation — must then need no horizontal scrolling (wide tables scroll
inside their own ``.table-scroll`` region), keep the whole navigation reachable, and show the
page heading and the buttons in full. Every page is audited with axe-core at that size too."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, ViewportSize, expect

from etage.demo import reference as ref
from tests.browser.conftest import audit, log_in

ZOOMED: ViewportSize = {"width": 640, "height": 512}

#: Elements wider than the window, outside the regions that scroll on purpose.
_OVERFLOW = """() => {
  const SCROLLING = ['.table-scroll', '.chart-canvas', '.process-map__scroll', '.visually-hidden',
    '.skip-link'].join(',');
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest(SCROLLING)) continue;
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1) {
      out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (typeof el.className === 'string' && el.className ? '.' + el.className : '')
        + ' → ' + Math.round(box.right));
    }
    if (out.length >= 5) break;
  }
  return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth, out: out};
}"""


@pytest.fixture
def zoomed(browser: Browser, live_server: Any) -> Any:
    contexts = []

    def make() -> Page:
        context = browser.new_context(
            locale="fr-FR", base_url=live_server.url, viewport=ZOOMED, device_scale_factor=2
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


def assert_no_loss(page: Page) -> None:
    page.wait_for_load_state("load")
    layout = page.evaluate(_OVERFLOW)
    assert layout["scroll"] <= layout["inner"] + 1, (
        f"défilement horizontal sur {page.url}: {layout}"
    )
    assert not layout["out"], f"éléments coupés à droite sur {page.url}: {layout['out']}"
    heading = page.locator("h1").first
    expect(heading).to_be_visible()
    for element in page.locator("main .button, main button, main h1, main h2").all():
        if element.is_visible():  # those inside a closed disclosure are not shown on purpose
            box = element.bounding_box()
            assert box is not None
            assert box["x"] >= 0, f"{element.inner_text()} coupé sur {page.url}"
            assert box["x"] + box["width"] <= ZOOMED["width"] + 1, (
                f"{element.inner_text()!r} dépasse la fenêtre sur {page.url}"
            )
    audit(page)


@pytest.mark.usefixtures("demo_site")
def test_pages_open_to_everyone_at_200_percent(zoomed: Any) -> None:
    page = zoomed()
    for path in ("/compte/connexion/", "/accessibilite/"):
        page.goto(path)
        assert_no_loss(page)


ROLES = sorted(ref.ROLE_ORGS["T1"])


@pytest.mark.usefixtures("demo_site")
@pytest.mark.parametrize("role", ROLES)
def test_each_role_main_pages_at_200_percent(zoomed: Any, role: str) -> None:
    page = zoomed()
    log_in(page, f"t1-{ref.ROLE_SLUGS[role]}")
    expect(page).to_have_url("/")
    nav = page.get_by_role("navigation", name="Navigation principale")
    links = nav.get_by_role("link").all()
    assert links, "navigation vide"
    for link in links:
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= ZOOMED["width"] + 1, f"{link.inner_text()} hors champ"
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    assert_no_loss(page)
    # Django's back office has its own stylesheet: our pages only.
    paths = [h for h in (link.get_attribute("href") for link in links) if h and "/admin/" not in h]
    for path in paths:
        page.goto(path)
        assert_no_loss(page)


@pytest.fixture
def meeting_with_agenda(demo_site: None) -> dict[str, Any]:
    """A T2 meeting under way, with a situation in support (timeline, plan) on its agenda."""
    import datetime as dt

    from django.utils import timezone

    from etage.accounts.models import User
    from etage.meetings.models import Meeting
    from etage.meetings.services import meeting_create
    from etage.situations.models import Situation
    from etage.territories.models import Platform
    from tests.browser.test_meeting_journey import REVIEW_DUE, _situation

    reference = _situation(*REVIEW_DUE, steps=5)
    meeting = meeting_create(
        user=User.objects.get(username="t2-coordination"),
        platform_id=Platform.objects.get(territory__code="T2").pk,
        starts_at=timezone.now() - dt.timedelta(minutes=30),
        place="Salle du conseil",
    )
    assert Meeting.objects.filter(pk=meeting.pk, items__isnull=False).exists()
    return {"meeting": meeting.pk, "situation": Situation.objects.get(reference=reference).pk}


def test_a_situation_and_a_meeting_at_200_percent(
    zoomed: Any, meeting_with_agenda: dict[str, Any]
) -> None:
    page = zoomed()
    log_in(page, "t2-coordination")
    expect(page).to_have_url("/")
    page.goto(reverse("situations:detail", args=[meeting_with_agenda["situation"]]))
    assert_no_loss(page)
    page.goto(reverse("meetings:detail", args=[meeting_with_agenda["meeting"]]))
    expect(page.get_by_test_id("agenda-item").first).to_be_visible()
    assert_no_loss(page)
    page.get_by_test_id("agenda").get_by_role("link", name="Enregistrer la décision").click()
    # The click starts a navigation: measure the decision page, not the document being left.
    page.wait_for_url(re.compile(r"/decision/$"))
    assert_no_loss(page)
