"""What every persona journey does: find its way from the home page, meet a page of another
role, come back after its session expired."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from etage.demo.reference import DEMO_PASSWORD
from tests.browser.conftest import audit

#: What the login page says when a page was asked for without a session (French catalogue).
SESSION_NOTICE = "Connectez-vous pour continuer : votre session a peut-être expiré."
#: The French refusal pages (templates/403.html, templates/404.html).
REFUSALS = {403: "Accès refusé", 404: "Page introuvable"}


def home(page: Page) -> None:
    page.get_by_role("link", name="Accueil").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")


def tile(page: Page, name: str) -> None:
    """Follow a link of the home page's "Ce que vous pouvez faire"."""
    section = page.get_by_role("region", name="Ce que vous pouvez faire")
    section.get_by_role("link", name=re.compile(f"^{re.escape(name)}")).click()


def h1(page: Page) -> Any:
    return expect(page.get_by_role("heading", level=1))


def path_of(page: Page) -> str:
    parts = urlsplit(page.url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def refused(page: Page, url: str, *, status: int) -> None:
    """The person types the address of a page that is not theirs: the French refusal page
    (403, or 404 where the app does not even say the object exists), audited, with the way back
    to their home page."""
    response = page.goto(url)
    assert response is not None
    assert response.status == status, f"{url} : {response.status}, attendu {status}"
    h1(page).to_have_text(REFUSALS[status])
    audit(page)
    page.locator("main").get_by_role("link", name="Retour à l'accueil").click()
    h1(page).to_contain_text("Bonjour")


def expire_session(page: Page, *, keep_csrf: bool = False) -> None:
    """The session ends while the page stays open: every cookie of the browser is gone, or only
    the session's (``keep_csrf``: the CSRF cookie lives a year, the session half an hour)."""
    if keep_csrf:
        page.context.clear_cookies(name="sessionid")
    else:
        page.context.clear_cookies()


def log_in_again(page: Page, username: str, *, back_to: str) -> None:
    """After an expired session: the login page, which says why the person is there, then back
    on ``back_to``, the page they asked for (its path and query)."""
    h1(page).to_have_text("Connexion à ETAGE")
    expect(page.get_by_test_id("session-notice")).to_contain_text(SESSION_NOTICE)
    assert urlsplit(page.url).path == "/compte/connexion/", page.url
    audit(page)
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: urlsplit(url).path != "/compte/connexion/")
    assert path_of(page) == back_to, f"{path_of(page)} au lieu de {back_to}"


def a_referral(*, last_name: str = "Fictivel") -> Any:
    """A situation referred on T1 through the product's service (for the journeys that run on
    the reference data only, without the demo's history)."""
    import datetime as dt

    from etage.accounts.models import User
    from etage.intake.services import ReferralData, referral_create_situation
    from etage.organisations.models import Organisation
    from etage.territories.models import Commune

    referral = referral_create_situation(
        user=User.objects.get(username="t1-signalement"),
        data=ReferralData(
            last_name=last_name,
            first_name="Alix",
            landlord_id=Organisation.objects.get(code="EMH").pk,
            commune_id=Commune.objects.get(insee_code="69256").pk,
            address="3 rue des Tilleuls",
            source="caretaker",
            urgency="normal",
            difficulties=("rent_arrears",),
            lease_reference="",
            description="Retards de loyer depuis trois mois.",
            identified_on=dt.date.today() - dt.timedelta(days=10),
        ),
    )
    return referral.situation
