"""Lockout (django-axes) after repeated failures — passwords and second-factor codes alike —
per username and address, with a French explanation on the login page; and the password
policy (data-protection.md #9)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from axes.utils import reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from etage.demo.reference import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
LOCKED = "Trop d’échecs"


def attempt(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_lock_the_account_from_that_address(demo_reference, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    client = Client()
    for _n in range(4):
        response = attempt(client, "t1-professionnel", "mauvais")
        assert response.status_code == 200
        assert LOCKED not in response.content.decode()
    locked = attempt(client, "t1-professionnel", "mauvais")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert LOCKED in html
    assert "15 minutes" in html
    assert '<label for="id_username">' in html  # still the login page
    # Even the right password is refused now, from this address.
    right = attempt(client, "t1-professionnel", DEMO_PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another person, or the same person from elsewhere, is not locked.
    assert attempt(Client(), "t1-coordination", DEMO_PASSWORD).status_code == 302
    assert attempt(Client(), "t1-professionnel", DEMO_PASSWORD, ip="10.0.0.2").status_code == 302


def test_the_lock_ends_after_the_cool_off_or_an_administrators_reset(demo_reference):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        for _n in range(5):
            attempt(Client(), "t1-professionnel", "mauvais")
        assert attempt(Client(), "t1-professionnel", DEMO_PASSWORD).status_code == 429
        traveller.shift(dt.timedelta(minutes=16))
        assert attempt(Client(), "t1-professionnel", DEMO_PASSWORD).status_code == 302

        for _n in range(5):
            attempt(Client(), "t2-professionnel", "mauvais")
        assert attempt(Client(), "t2-professionnel", DEMO_PASSWORD).status_code == 429
        reset(username="t2-professionnel")  # what `manage.py axes_reset_username` does
        assert attempt(Client(), "t2-professionnel", DEMO_PASSWORD).status_code == 302


def test_wrong_second_factor_codes_count_towards_the_same_lockout(demo_reference, settings):
    settings.ETAGE_DEMO_WAIVE_SECOND_FACTOR = False
    user = demo_reference["t1-coordination"]
    TOTPDevice.objects.create(user=user, name="ETAGE", confirmed=True)
    client = Client()
    assert attempt(client, "t1-coordination", DEMO_PASSWORD).status_code == 302
    verify = reverse("accounts:second_factor_verify")
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        for _n in range(4):
            traveller.shift(dt.timedelta(seconds=40))
            response = client.post(verify, {"code": "000000"}, REMOTE_ADDR="10.0.0.1")
            assert response.status_code == 200
            assert "Ce code n’est pas valide" in response.content.decode()
        traveller.shift(dt.timedelta(seconds=40))
        locked = client.post(verify, {"code": "000000"}, REMOTE_ADDR="10.0.0.1")
        assert locked.status_code == 429
        assert LOCKED in locked.content.decode()
        assert AccessAttempt.objects.get(username="t1-coordination").failures_since_start == 5
        # The half-open session is ended, and the password alone no longer opens it.
        assert "_auth_user_id" not in client.session
        assert attempt(Client(), "t1-coordination", DEMO_PASSWORD).status_code == 429


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Court-1", "trop court"),
        ("password1234", "trop courant"),
        ("482913650172", "entièrement numérique"),
        ("t1-professionnel-2026", "trop semblable"),
    ],
)
def test_the_password_policy_refuses_weak_passwords(demo_reference, password, message):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=demo_reference["t1-professionnel"])
    assert message in " ".join(refused.value.messages)


def test_a_long_passphrase_is_accepted(demo_reference):
    validate_password("Une-phrase-de-passe-solide-42", user=demo_reference["t1-professionnel"])
