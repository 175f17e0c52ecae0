"""Login, logout and password change, in French, with argon2 and demo-account refusal."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import identify_hasher
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from etage.accounts.models import User
from etage.demo.reference import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_is_french_and_labelled(client: Client):
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert "Connexion à ETAGE" in html
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert 'href="#contenu"' in html  # skip link


def test_anonymous_visitor_is_sent_to_login(client: Client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_demo_account_logs_in_with_published_password(client: Client, demo_reference):
    response = client.post(
        reverse("accounts:login"),
        {"username": "t2-coordination", "password": DEMO_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("core:home")
    assert response.context["user"].username == "t2-coordination"


def test_wrong_password_gives_a_french_message_and_no_session(client: Client, demo_reference):
    response = client.post(
        reverse("accounts:login"), {"username": "t1-signalement", "password": "mauvais"}
    )
    assert response.status_code == 200
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(ETAGE_ALLOW_DEMO_ACCOUNTS=False)
def test_demo_accounts_are_refused_where_demo_is_not_allowed(client: Client, demo_reference):
    request = RequestFactory().post(reverse("accounts:login"))
    assert authenticate(request, username="t1-professionnel", password=DEMO_PASSWORD) is None
    response = client.post(
        reverse("accounts:login"), {"username": "t1-professionnel", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_demo_session_dies_when_demo_accounts_are_turned_off(demo_reference):
    client = Client()
    client.force_login(demo_reference["t1-professionnel"])
    assert client.get(reverse("core:home")).status_code == 200
    with override_settings(ETAGE_ALLOW_DEMO_ACCOUNTS=False):
        assert client.get(reverse("core:home")).status_code == 302


def test_logout_requires_post_and_ends_the_session(client_for):
    client = client_for("t3-pilotage")
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 302


def test_password_change_validates_and_stores_an_argon2_hash(client_for, demo_reference, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    demo_reference["t1-dpd"].set_password(DEMO_PASSWORD)
    demo_reference["t1-dpd"].save()
    client = client_for("t1-dpd")
    url = reverse("accounts:password_change")
    too_short = client.post(
        url,
        {"old_password": DEMO_PASSWORD, "new_password1": "court", "new_password2": "court"},
    )
    assert too_short.status_code == 200
    assert "Ce mot de passe est trop court" in too_short.content.decode()

    new = "Une-phrase-de-passe-solide-42"
    response = client.post(
        url, {"old_password": DEMO_PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    user = User.objects.get(username="t1-dpd")
    assert user.check_password(new)
    assert identify_hasher(user.password).algorithm == "argon2"
