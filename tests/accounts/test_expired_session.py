"""A person whose session expired: the login page says why they are there and takes them back
to the page they asked for; an HTMX request sends the whole page there instead of swapping the
login form into a fragment."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from etage.demo.reference import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

NOTICE = "Connectez-vous pour continuer : votre session a peut-être expiré."


def test_a_page_asked_for_without_a_session_leads_to_the_login_page_that_says_why(
    client: Client,
) -> None:
    response = client.get("/situations/?status=identified", follow=True)
    login = reverse("accounts:login")
    assert response.redirect_chain == [(f"{login}?next=/situations/%3Fstatus%3Didentified", 302)]
    html = response.content.decode()
    assert NOTICE in html
    assert 'name="next" value="/situations/?status=identified"' in html


def test_the_home_page_and_a_plain_visit_to_the_login_page_say_nothing_of_a_session(
    client: Client,
) -> None:
    assert NOTICE not in client.get("/", follow=True).content.decode()
    assert NOTICE not in client.get(reverse("accounts:login")).content.decode()


def test_after_logging_in_the_person_is_back_on_the_page_they_asked_for(
    client: Client, demo_reference: dict
) -> None:
    response = client.post(
        reverse("accounts:login") + "?next=/mon-travail/",
        {"username": "t1-signalement", "password": DEMO_PASSWORD, "next": "/mon-travail/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/mon-travail/"


def test_a_wrong_password_shows_the_error_not_the_session_notice(
    client: Client, demo_reference: dict
) -> None:
    response = client.post(
        reverse("accounts:login") + "?next=/mon-travail/",
        {"username": "t1-signalement", "password": "mauvais", "next": "/mon-travail/"},
    )
    html = response.content.decode()
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in html
    assert NOTICE not in html


def test_an_htmx_request_without_a_session_sends_the_whole_page_to_login(client: Client) -> None:
    response = client.get(
        "/situations/?q=dupont",
        headers={
            "HX-Request": "true",
            "HX-Current-URL": "http://testserver/situations/?status=identified",
        },
    )
    # Not a redirect the browser would follow inside the fragment: HTMX changes the page.
    assert response.status_code == 204
    assert response.content == b""
    assert response["HX-Redirect"] == (
        reverse("accounts:login") + "?next=%2Fsituations%2F%3Fstatus%3Didentified"
    )


def test_an_htmx_post_without_a_session_goes_back_to_the_page_not_the_endpoint(
    client: Client,
) -> None:
    client.handler.enforce_csrf_checks = False
    response = client.post(
        "/situations/1/journal/",
        {},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/situations/1/"},
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("accounts:login") + "?next=%2Fsituations%2F1%2F"


@pytest.mark.parametrize(
    "current", ["https://ailleurs.example/situations/", "http://testserver/", ""]
)
def test_an_htmx_login_redirect_never_leads_elsewhere_nor_back_home(
    client: Client, current: str
) -> None:
    headers = {"HX-Request": "true"} | ({"HX-Current-URL": current} if current else {})
    response = client.get("/situations/", headers=headers)
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("accounts:login")


def test_an_htmx_request_of_a_logged_in_person_is_untouched(client_for) -> None:
    client = client_for("t1-professionnel")
    response = client.get(
        "/situations/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/situations/"},
    )
    assert response.status_code == 200
    assert "HX-Redirect" not in response


def test_a_page_refused_to_whoever_has_no_session_asks_them_to_log_in(client: Client) -> None:
    # The process map checks the evaluator's scope (403 for anyone else): without a session,
    # that is the login page, not "access refused".
    url = reverse("analytics:process_map") + "?metric=median"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?next=" + quote(url, safe="/")
    # The same for HTMX: the whole page goes to the login page, back to the map afterwards.
    response = client.get(
        url, headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{url}"}
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("accounts:login") + "?next=" + quote(url, safe="")


def test_a_logged_in_person_refused_a_page_still_gets_the_refusal(client_for) -> None:
    response = client_for("t1-signalement").get(reverse("analytics:process_map"))
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def test_the_api_keeps_its_refusals_without_a_session(client: Client) -> None:
    response = client.get("/api/v1/referrals/")
    assert response.status_code in (401, 403)
    assert "Location" not in response


def test_a_form_sent_after_the_browser_lost_every_cookie_leads_to_login(demo_reference) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/signalements/nouveau/", {"last_name": "Fictivel"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?next=/signalements/nouveau/"
    assert NOTICE in client.get(response["Location"]).content.decode()


def test_a_form_without_its_csrf_token_is_still_refused_to_a_logged_in_person(
    demo_reference,
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo_reference["t1-signalement"])
    response = client.post("/signalements/nouveau/", {"last_name": "Fictivel"})
    assert response.status_code == 403
