"""Second factor (data-protection.md #9), with the demo waiver off: enrolment with a first
code, backup codes shown once, verification at each login, every page closed until then, and
roles that do not need it are never asked."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from etage.accounts.models import User
from etage.accounts.services import second_factor_required
from etage.core.models import AccessLogEntry
from etage.demo.reference import DEMO_PASSWORD
from tests.configuration.test_csp import blocked_by_csp

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_waiver")]

ENROL = reverse("accounts:second_factor_enrol")
VERIFY = reverse("accounts:second_factor_verify")
HOME = reverse("core:home")
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def no_waiver(settings):
    settings.ETAGE_DEMO_WAIVE_SECOND_FACTOR = False


def real_account(demo_reference, username: str) -> User:
    """A demo persona made an ordinary (non-demo) account."""
    user = demo_reference[username]
    user.is_demo = False
    user.save(update_fields=["is_demo"])
    return user


def code_for(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def log_in(client: Client, username: str) -> None:
    response = client.post(
        reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:500]


def enrol(client: Client, user: User) -> list[str]:
    page = client.get(ENROL)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(ENROL, {"code": code_for(device)})
    assert response.status_code == 200
    return list(response.context["codes"])


def test_strong_roles_need_it_signallers_do_not_and_the_waiver_covers_demo_accounts_only(
    demo_reference, settings
):
    coordinator, signaller = demo_reference["t1-coordination"], demo_reference["t1-signalement"]
    assert second_factor_required(coordinator)  # waiver off
    assert not second_factor_required(signaller)
    settings.ETAGE_DEMO_WAIVE_SECOND_FACTOR = True
    assert not second_factor_required(coordinator)  # a demo account
    assert second_factor_required(real_account(demo_reference, "t1-coordination"))


def test_enrolment_with_a_wrong_then_the_right_code_opens_the_pages(demo_reference):
    user = real_account(demo_reference, "t1-coordination")
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        log_in(client, "t1-coordination")
        # Every page sends to the enrolment page until then.
        response = client.get(reverse("situations:list"))
        assert response.status_code == 302
        assert response["Location"].startswith(ENROL)

        page = client.get(ENROL)
        html = page.content.decode()
        assert "<svg" in html
        assert blocked_by_csp(html) == []  # the inline SVG has no style attribute
        assert 'role="img"' in html
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        key = page.context["key"].replace(" ", "")
        assert key
        assert len(key) >= 32
        assert client.get(ENROL).context["key"].replace(" ", "") == key  # reload: same key

        wrong = client.post(ENROL, {"code": "000000"})
        assert wrong.status_code == 200
        assert "Ce code n’est pas valide" in wrong.content.decode()
        assert client.get(HOME).status_code == 302  # still closed
        assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()

        traveller.shift(dt.timedelta(seconds=35))  # past django-otp's delay, next code
        done = client.post(ENROL, {"code": code_for(device)})
        assert done.status_code == 200
        codes = done.context["codes"]
        assert done.context["next"] == HOME
        assert len(codes) == 10
        assert all(code in done.content.decode() for code in codes)
        assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1

        assert client.get(HOME).status_code == 200
        assert client.get(reverse("situations:list")).status_code == 200
        # The enrolment page cannot be used again to add a second phone.
        assert client.get(ENROL)["Location"] == HOME


def test_next_login_asks_for_the_code_and_a_backup_code_works_once(demo_reference):
    user = real_account(demo_reference, "t2-professionnel")
    with time_machine.travel(START, tick=False) as traveller:
        first = Client()
        log_in(first, "t2-professionnel")
        codes = enrol(first, user)

        traveller.shift(dt.timedelta(minutes=5))
        client = Client()
        log_in(client, "t2-professionnel")
        response = client.get(reverse("worklist:index"))
        assert response.status_code == 302
        assert response["Location"].startswith(VERIFY)
        assert client.get(ENROL)["Location"] == VERIFY  # no new phone without a reset

        wrong = client.post(VERIFY, {"code": "123456"})
        assert "Ce code n’est pas valide" in wrong.content.decode()
        assert client.get(HOME).status_code == 302

        traveller.shift(dt.timedelta(seconds=35))
        device = TOTPDevice.objects.get(user=user)
        assert client.post(VERIFY, {"code": code_for(device)})["Location"] == HOME
        assert client.get(HOME).status_code == 200

        # A backup code replaces the phone once.
        other = Client()
        log_in(other, "t2-professionnel")
        traveller.shift(dt.timedelta(seconds=35))
        assert other.post(VERIFY, {"code": codes[0].upper()})["Location"] == HOME
        assert not StaticToken.objects.filter(token=codes[0]).exists()
        again = Client()
        log_in(again, "t2-professionnel")
        traveller.shift(dt.timedelta(seconds=35))
        assert again.post(VERIFY, {"code": codes[0]}).status_code == 200
        assert again.get(HOME).status_code == 302


def test_the_verification_keeps_where_the_person_was_going(demo_reference):
    user = real_account(demo_reference, "t1-coordination")
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        log_in(client, "t1-coordination")
        enrol(client, user)
        client.post(reverse("accounts:logout"))
        traveller.shift(dt.timedelta(minutes=1))
        log_in(client, "t1-coordination")
        target = reverse("meetings:index")
        response = client.get(target)
        assert response["Location"] == f"{VERIFY}?next={target.replace('/', '%2F')}"
        device = TOTPDevice.objects.get(user=user)
        done = client.post(VERIFY, {"code": code_for(device), "next": target})
        assert done["Location"] == target
        # An outside address is never followed.
        client.post(reverse("accounts:logout"))
        traveller.shift(dt.timedelta(minutes=1))
        log_in(client, "t1-coordination")
        done = client.post(VERIFY, {"code": code_for(device), "next": "https://ailleurs.example/"})
        assert done["Location"] == HOME


def test_login_logout_and_static_files_stay_reachable_and_htmx_is_told_where_to_go(
    demo_reference,
):
    real_account(demo_reference, "t1-coordination")
    client = Client()
    log_in(client, "t1-coordination")
    assert client.get(ENROL).status_code == 200
    htmx = client.get(reverse("situations:list"), headers={"HX-Request": "true"})
    assert htmx.status_code == 204
    assert htmx["HX-Redirect"] == ENROL
    assert client.get("/static/css/etage.css").status_code in (200, 404)  # not redirected
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_signaller_is_never_asked(demo_reference):
    real_account(demo_reference, "t1-signalement")
    client = Client()
    log_in(client, "t1-signalement")
    assert client.get(HOME).status_code == 200
    assert client.get(ENROL)["Location"] == HOME
    assert not TOTPDevice.objects.filter(user__username="t1-signalement").exists()


def test_demo_accounts_are_waived_only_where_the_setting_says(demo_reference, settings):
    settings.ETAGE_DEMO_WAIVE_SECOND_FACTOR = True
    client = Client()
    log_in(client, "t1-coordination")
    assert client.get(HOME).status_code == 200
    with override_settings(ETAGE_DEMO_WAIVE_SECOND_FACTOR=False):
        assert client.get(HOME)["Location"].startswith(ENROL)


def test_an_administrator_resets_a_lost_phone_and_it_is_logged(demo_reference):
    user = real_account(demo_reference, "t1-professionnel")
    admin = real_account(demo_reference, "t1-admin")
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        log_in(client, "t1-professionnel")
        enrol(client, user)
        traveller.shift(dt.timedelta(minutes=1))
        back_office = Client()
        log_in(back_office, "t1-admin")
        enrol(back_office, admin)
        response = back_office.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "reset_second_factor", "_selected_action": [user.pk]},
            follow=True,
        )
        assert response.status_code == 200
        assert "Second facteur réinitialisé" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()
    entry = AccessLogEntry.objects.get(username="t1-admin", object_type="accounts.user")
    assert (entry.object_id, entry.action, entry.reason) == (
        str(user.pk),
        "change",
        "second factor reset",
    )
    fresh = Client()
    log_in(fresh, "t1-professionnel")
    assert fresh.get(HOME)["Location"].startswith(ENROL)


def test_a_session_without_its_second_factor_gets_no_api(demo_reference):
    real_account(demo_reference, "t1-coordination")
    client = Client()
    log_in(client, "t1-coordination")
    assert client.get("/api/v1/").status_code == 403


def test_accounts_are_deactivated_never_deleted_in_the_back_office(demo_reference):
    """Their name stays on the append-only events they wrote (trigger on PostgreSQL)."""
    user = real_account(demo_reference, "t1-professionnel")
    admin = real_account(demo_reference, "t1-admin")
    back_office = Client()
    log_in(back_office, "t1-admin")
    enrol(back_office, admin)
    delete_url = reverse("admin:accounts_user_delete", args=[user.pk])
    assert back_office.get(delete_url).status_code == 403
    assert back_office.post(delete_url, {"post": "yes"}).status_code == 403
    assert type(user).objects.filter(pk=user.pk).exists()
