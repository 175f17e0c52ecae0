"""Each person chooses their interface language (French by default, or English): the page,
the service, the middleware that applies it after login, and the login page before it."""

from __future__ import annotations

import html

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from etage.accounts.models import User
from etage.accounts.services import language_set

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def test_accounts_are_french_unless_their_owner_chooses(demo_reference):
    assert {u.language for u in User.objects.all()} == {"fr"}
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(username="t1-professionnel").update(language="de")


def test_the_service_records_a_known_language_and_refuses_another(demo_reference):
    user = demo_reference["t1-professionnel"]
    language_set(user=user, language="en")
    assert User.objects.get(pk=user.pk).language == "en"
    with pytest.raises(ValueError):
        language_set(user=user, language="de")
    assert User.objects.get(pk=user.pk).language == "en"


@pytest.mark.parametrize("username", ["t1-signalement", "t2-coordination", "t1-dpd", "t1-admin"])
def test_every_person_switches_to_english_and_back(client_for, username):
    client = client_for(username)
    url = reverse("accounts:language")
    page = client.get(url).content.decode()
    assert '<html lang="fr">' in page
    assert "Langue de l'interface" in page
    # Each language is named in itself, marked with its own language.
    assert 'lang="en">English</label>' in page
    assert 'lang="fr">Français</label>' in page

    response = client.post(url, {"language": "en"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [(url, 302)]
    assert '<html lang="en">' in page
    assert "Your interface language is saved." in page  # said in the new language
    assert response["Content-Language"] == "en"
    home = client.get(reverse("core:home")).content.decode()
    assert '<html lang="en">' in home
    assert "Sign out" in home
    assert "Home" in home
    assert User.objects.get(username=username).language == "en"

    page = html.unescape(client.post(url, {"language": "fr"}, follow=True).content.decode())
    assert '<html lang="fr">' in page
    assert "Votre langue d'interface est enregistrée." in page
    assert User.objects.get(username=username).language == "fr"


@pytest.mark.parametrize("data", [{}, {"language": "de"}, {"language": ""}])
def test_a_bad_choice_is_refused_in_french_and_changes_nothing(client_for, data):
    client = client_for("t1-professionnel")
    response = client.post(reverse("accounts:language"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Le formulaire contient des erreurs" in page
    assert User.objects.get(username="t1-professionnel").language == "fr"


def test_the_persons_choice_wins_over_the_browser(client_for):
    client = client_for("t1-professionnel")
    home = reverse("core:home")
    page = client.get(home, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert '<html lang="fr">' in page  # French by choice (the default), whatever the browser
    User.objects.filter(username="t1-professionnel").update(language="en")
    page = client.get(home, HTTP_ACCEPT_LANGUAGE="fr-FR").content.decode()
    assert '<html lang="en">' in page


def test_dates_follow_the_interface_language(client_for):
    client = client_for("t1-professionnel")
    today = timezone.localdate()
    User.objects.filter(username="t1-professionnel").update(language="en")
    page = client.get(reverse("worklist:index")).content.decode()
    with translation.override("en"):
        assert f"Today is {date_format(today, 'l j F Y')}." in page
    assert today.strftime("%B") in page  # the month's English name (C locale)
    User.objects.filter(username="t1-professionnel").update(language="fr")
    page = html.unescape(client.get(reverse("worklist:index")).content.decode())
    with translation.override("fr"):
        assert f"Nous sommes le {date_format(today, 'l j F Y')}." in page


def test_login_page_follows_the_cookie_then_the_browser_then_french():
    login = reverse("accounts:login")
    assert '<html lang="fr">' in Client().get(login).content.decode()
    english = Client().get(login, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="en">' in english
    assert "Sign in" in english
    # A language ETAGE does not speak: French.
    german = Client().get(login, HTTP_ACCEPT_LANGUAGE="de-DE").content.decode()
    assert '<html lang="fr">' in german
    remembered = Client()
    remembered.cookies[COOKIE] = "en"
    assert '<html lang="en">' in remembered.get(login).content.decode()


def test_signing_out_keeps_the_persons_language_for_the_login_page(client_for):
    client = client_for("t3-signalement")
    client.post(reverse("accounts:language"), {"language": "en"})
    assert client.cookies[COOKIE].value == "en"
    assert client.cookies[COOKIE]["httponly"]
    client.post(reverse("accounts:logout"))
    assert '<html lang="en">' in client.get(reverse("accounts:login")).content.decode()
    # Back to French: the cookie follows.
    client.force_login(User.objects.get(username="t3-signalement"))
    client.post(reverse("accounts:language"), {"language": "fr"})
    assert client.cookies[COOKIE].value == "fr"


def test_a_french_account_gets_no_cookie(client_for):
    response = client_for("t1-professionnel").get(reverse("core:home"))
    assert COOKIE not in response.cookies


def test_the_header_links_to_the_language_page_in_both_languages(client_for):
    client = client_for("t1-professionnel")
    french = client.get(reverse("core:home")).content.decode()
    url = reverse("accounts:language")
    assert f'href="{url}"' in french
    assert 'Langue · <span lang="en">Language</span>' in french
    User.objects.filter(username="t1-professionnel").update(language="en")
    english = client.get(reverse("core:home")).content.decode()
    assert f'href="{url}"' in english
    assert "Langue" not in english
