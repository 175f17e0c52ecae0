"""Second factor (data-protection.md #9): who must use one, enrolment, verification, backup
codes and the administrator's reset.

A TOTP device (django-otp) is created unconfirmed when the person opens the enrolment page,
confirmed by a first valid code; ten single-use backup codes (django-otp's static device) are
generated then and shown once. A wrong code counts as a failed login for the lockout
(django-axes, per username and address), on top of django-otp's own per-device delay.
"""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from etage.accounts.roles import STRONG_AUTH_ROLES
from etage.core.models import AccessAction
from etage.core.services import access_log_record

TOTP_NAME = "ETAGE"
BACKUP_NAME = "codes-de-secours"


class SecondFactorError(Exception):
    """A code was refused; the message is for the person (French through gettext)."""


def second_factor_required(user: Any) -> bool:
    """Strong roles and superusers need a second factor; the demo may waive it for demo
    accounts only (never under production settings)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not (user.is_superuser or user.role in STRONG_AUTH_ROLES):
        return False
    return not (settings.ETAGE_DEMO_WAIVE_SECOND_FACTOR and bool(user.is_demo))


def has_confirmed_device(user: Any) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    #: Base32 key, in groups of four, for manual entry in the authenticator application.
    key: str
    #: ``otpauth://`` address the QR code holds.
    url: str


def _normalised(code: str) -> str:
    return "".join(code.split()).lower()


def _grouped(key: str) -> str:
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def second_factor_enrolment(*, user: Any) -> Enrolment:
    """The unconfirmed device of ``user`` (created once, so that reloading the page keeps the
    key already scanned). Refused when a confirmed device exists: only an administrator's
    reset allows a new one, so a stolen password alone cannot enrol another phone."""
    if has_confirmed_device(user):
        raise SecondFactorError("already enrolled")
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False, name=TOTP_NAME)
        .order_by("pk")
        .first()
    )
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    key = b32encode(device.bin_key).decode()
    return Enrolment(device=device, key=_grouped(key), url=str(device.config_url))


def _failed(request: HttpRequest, user: Any) -> None:
    """A wrong code is a failed login for django-axes (same counter as passwords)."""
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )


def second_factor_confirm(*, request: HttpRequest, user: Any, code: str) -> list[str]:
    """Confirm the enrolment with a first code: the device is confirmed, the session verified,
    and the backup codes returned (to be shown once; only their use is stored).

    Not one transaction on purpose: a wrong code must leave its trace (django-otp's delay,
    django-axes' failure count) although the enrolment itself is refused."""
    from django.utils.translation import gettext as _

    if has_confirmed_device(user):
        raise SecondFactorError(_("A second factor is already set up for this account."))
    device = (
        TOTPDevice.objects.filter(user=user, confirmed=False, name=TOTP_NAME).order_by("pk").first()
    )
    if device is None:
        raise SecondFactorError(_("Open the set-up page again: the key has changed."))
    if not device.verify_token(_normalised(code)):
        _failed(request, user)
        raise SecondFactorError(
            _(
                "This code is not valid. Check the time on your phone and type the six digits "
                "shown now."
            )
        )
    with transaction.atomic():
        # Two tabs confirming at once: only the first confirms, the second finds no device.
        if TOTPDevice.objects.filter(pk=device.pk, confirmed=False).update(confirmed=True) != 1:
            raise SecondFactorError(_("A second factor is already set up for this account."))
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = _new_backup_codes(user)
    device.refresh_from_db()
    otp_login(request, device)
    return codes


def _new_backup_codes(user: Any) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _n in range(settings.ETAGE_BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def second_factor_verify(*, request: HttpRequest, user: Any, code: str) -> None:
    """Verify the session with a code of the phone or a backup code (used once). A wrong code
    is recorded (outside any transaction, so that the refusal does not undo it)."""
    from django.utils.translation import gettext as _

    device = match_token(user, _normalised(code)) if code.strip() else None
    if device is None:
        _failed(request, user)
        raise SecondFactorError(
            _(
                "This code is not valid. Type the six digits shown now on your phone, or one of "
                "your backup codes."
            )
        )
    otp_login(request, device)


@transaction.atomic
def second_factor_reset(*, actor: Any, user: Any) -> int:
    """An administrator removes every device of ``user`` (lost phone): at the next login they
    set up a new one. Logged in the access log. Returns the number of devices removed."""
    if not getattr(actor, "is_administrator", False):
        raise PermissionError("Only administrators reset a second factor.")
    removed = int(TOTPDevice.objects.filter(user=user).delete()[0])
    removed += int(StaticDevice.objects.filter(user=user).delete()[0])
    access_log_record(
        user=actor, action=AccessAction.CHANGE, obj=user, reason="second factor reset"
    )
    return removed


def language_set(*, user: Any, language: str) -> None:
    """Record the interface language ``user`` chose for themselves; applied from their next
    page on (UserLanguageMiddleware). A code outside ``settings.LANGUAGES`` is refused
    (ValueError) and nothing changes. Not in the access log: a setting of one's own account,
    no household data (like a password change)."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language: {language!r}")
    get_user_model().objects.filter(pk=user.pk).update(language=language)
    user.language = language
