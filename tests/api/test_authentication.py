"""Only a valid token opens the API; its secret is never stored; the technical account it acts
through never opens the pages."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from etage.accounts.backends import EtageBackend
from etage.accounts.models import User
from etage.api.models import ApiAccount, ApiToken
from etage.api.services import api_token_create, api_token_revoke
from etage.organisations.models import Organisation

URL = "/api/v1/referrals/"


def _assert_french_401(response: object) -> None:
    assert response.status_code == 401  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"detail", "errors"}
    assert response["WWW-Authenticate"].startswith("Bearer")  # type: ignore[index]


@pytest.mark.django_db
def test_a_request_without_token_gets_401_in_french(tokens: dict[str, str]) -> None:
    response = Client().get(URL)
    _assert_french_401(response)
    assert "authentification" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    [
        "Bearer inconnu-mais-assez-long-pour-ressembler-a-un-jeton-0000",
        "Bearer ",
        "Token abc",
        "Bearer a b",
        "Bearer " + "\u00e9" * 40,
        "Bearer " + "x" * 5000,
    ],
)
def test_an_unknown_or_malformed_token_gets_401_in_french(
    tokens: dict[str, str], header: str
) -> None:
    response = Client(headers={"Authorization": header}).get(URL)
    _assert_french_401(response)
    assert response.json()["detail"] in {
        "Jeton inconnu, révoqué ou expiré.",
        "L'en-tête Authorization doit contenir «\u00a0Bearer\u00a0» suivi du jeton.",
    }


@pytest.mark.django_db
def test_a_revoked_token_gets_401(tokens: dict[str, str], api: Callable[[str], Client]) -> None:
    assert api("EMH").get(URL).status_code == 200
    api_token_revoke(prefix=tokens["EMH"][:8])
    response = api("EMH").get(URL)
    _assert_french_401(response)
    assert response.json()["detail"] == "Jeton inconnu, révoqué ou expiré."


@pytest.mark.django_db
def test_an_expired_token_gets_401(tokens: dict[str, str], api: Callable[[str], Client]) -> None:
    ApiToken.objects.filter(prefix=tokens["EMH"][:8]).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    _assert_french_401(api("EMH").get(URL))


@pytest.mark.django_db
def test_a_token_of_a_deactivated_organisation_gets_401(
    tokens: dict[str, str], api: Callable[[str], Client]
) -> None:
    Organisation.objects.filter(code="EMH").update(is_active=False)
    _assert_french_401(api("EMH").get(URL))


@pytest.mark.django_db
def test_only_the_hash_of_the_secret_is_stored(tokens: dict[str, str]) -> None:
    secret = tokens["EMH"]
    token = ApiToken.objects.get(prefix=secret[:8])
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = [str(v) for v in ApiToken.objects.values_list().get(pk=token.pk)]
    assert secret not in stored


@pytest.mark.django_db
def test_use_is_dated(tokens: dict[str, str], api: Callable[[str], Client]) -> None:
    token = ApiToken.objects.get(prefix=tokens["EMH"][:8])
    assert token.last_used_at is None
    api("EMH").get(URL)
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.django_db
def test_a_browser_session_does_not_open_the_api(
    tokens: dict[str, str], client_for: Callable[[str], Client]
) -> None:
    for username in ("t1-signalement", "t1-admin"):
        _assert_french_401(client_for(username).get(URL))


@pytest.mark.django_db
def test_the_technical_account_never_logs_in_to_the_pages(tokens: dict[str, str]) -> None:
    account = ApiAccount.objects.select_related("user").get(organisation__code="EMH")
    user = account.user
    assert not user.has_usable_password()
    assert user.role == "signaller"
    assert user.organisation is not None
    assert user.organisation.code == "EMH"
    # Even if someone gave it a password in the back-office.
    user.set_password("un-mot-de-passe-solide-2026")
    user.save()
    backend = EtageBackend()
    assert (
        backend.authenticate(None, username=user.username, password="un-mot-de-passe-solide-2026")
        is None
    )
    assert backend.get_user(user.pk) is None  # an existing session would not be restored
    client = Client()
    response = client.post(
        "/compte/connexion/",
        {"username": user.username, "password": "un-mot-de-passe-solide-2026"},
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code in {200, 302}


@pytest.mark.django_db
def test_tokens_of_one_organisation_share_one_technical_account(
    demo_reference: dict[str, User],
) -> None:
    emh = Organisation.objects.get(code="EMH")
    first, _ = api_token_create(organisation=emh, name="SI loyers")
    second, _ = api_token_create(organisation=emh, name="SI contentieux")
    assert first.account_id == second.account_id
    assert ApiAccount.objects.filter(organisation=emh).count() == 1


@pytest.mark.django_db
def test_the_command_creates_lists_and_revokes_tokens(demo_reference: dict[str, User]) -> None:
    out = StringIO()
    call_command(
        "etage_api_token", "create", "--organisation", "LMH", "--name", "SI gestion", stdout=out
    )
    lines = out.getvalue().strip().splitlines()
    secret = lines[-1]
    assert "affiché une seule fois" in lines[0]
    token = ApiToken.objects.get(prefix=secret[:8])
    assert token.organisation.code == "LMH"
    assert token.is_usable
    assert Client(headers={"Authorization": f"Bearer {secret}"}).get(URL).status_code == 200

    out = StringIO()
    call_command("etage_api_token", "list", stdout=out)
    assert token.prefix in out.getvalue()
    assert secret not in out.getvalue()

    call_command("etage_api_token", "revoke", token.prefix, stdout=StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client(headers={"Authorization": f"Bearer {secret}"}).get(URL).status_code == 401


@pytest.mark.django_db
def test_the_command_refuses_bad_input_in_french(demo_reference: dict[str, User]) -> None:
    with pytest.raises(CommandError, match="Aucune organisation"):
        call_command("etage_api_token", "create", "--organisation", "NOPE", "--name", "x")
    with pytest.raises(CommandError, match="n'est pas une date"):
        call_command(
            "etage_api_token",
            "create",
            "--organisation",
            "EMH",
            "--name",
            "x",
            "--expires",
            "demain",
        )
    with pytest.raises(CommandError, match="Aucun jeton"):
        call_command("etage_api_token", "revoke", "zzzzzzzz")
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_an_administrator_creates_a_token_sees_its_secret_once_and_revokes_it(
    client_for: Callable[[str], Client],
) -> None:
    admin = client_for("t1-admin")
    emh = Organisation.objects.get(code="EMH")
    response = admin.post(
        "/administration/api/apitoken/add/", {"organisation": emh.pk, "name": "SI EMH"}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert secret.startswith(token.prefix)
    assert "une seule fois" in response.content.decode()
    assert token.created_by is not None
    assert token.created_by.username == "t1-admin"

    listing = admin.get("/administration/api/apitoken/").content.decode()
    assert token.prefix in listing
    assert secret not in listing
    assert (
        secret not in admin.get(f"/administration/api/apitoken/{token.pk}/change/").content.decode()
    )

    admin.post(
        "/administration/api/apitoken/",
        {"action": "revoke_tokens", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.django_db
def test_other_roles_do_not_reach_the_tokens_in_the_back_office(
    client_for: Callable[[str], Client],
) -> None:
    response = client_for("t1-professionnel").get("/administration/api/apitoken/")
    assert response.status_code in {302, 403}


@pytest.mark.django_db
def test_the_token_expiry_is_one_labelled_input_and_a_typed_date_is_kept(
    client_for: Callable[[str], Client],
) -> None:
    admin = client_for("t1-admin")
    page = admin.get("/administration/api/apitoken/add/").content.decode()
    # One input named by the field's label (the admin's split inputs had no label).
    assert '<label for="id_expires_at"' in page
    assert 'type="datetime-local"' in page
    assert "id_expires_at_0" not in page
    emh = Organisation.objects.get(code="EMH")
    next_year = timezone.localdate().year + 1
    admin.post(
        "/administration/api/apitoken/add/",
        {"organisation": emh.pk, "name": "SI EMH", "expires_at": f"{next_year}-03-31T18:00"},
    )
    expires_at = timezone.localtime(ApiToken.objects.get().expires_at)
    assert (expires_at.year, expires_at.month, expires_at.day, expires_at.hour) == (
        next_year,
        3,
        31,
        18,
    )


@pytest.mark.django_db
def test_no_prefix_starts_with_a_dash_that_the_command_would_read_as_an_option(
    demo_reference: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = iter(["-" + "a" * 42, "b" * 43])
    monkeypatch.setattr("etage.api.services.secrets.token_urlsafe", lambda n: next(drawn))
    token, secret = api_token_create(organisation=Organisation.objects.get(code="LMH"), name="SI")
    assert secret == "b" * 43
    assert token.prefix == secret[: len(token.prefix)]
    call_command("etage_api_token", "revoke", token.prefix, stdout=StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None
