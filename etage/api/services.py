"""Writes of the API app: technical accounts, tokens, and the landlords' signals pushed through
the API. Check → execute → record, keyword-only, in one transaction each."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import importlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from etage.accounts.models import User
from etage.accounts.roles import Role
from etage.api.models import ApiAccount, ApiToken
from etage.intake.models import LeaseSignal, SignalKind
from etage.organisations.models import Organisation, OrganisationKind
from etage.situations.services import ServiceError

#: What a secret looks like (``secrets.token_urlsafe(32)``); anything else is refused before
#: the database is asked.
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,128}$")
PREFIX_LENGTH = 8
#: ``last_used_at`` is written at most once per this interval per token (reads stay reads).
LAST_USED_RESOLUTION = timedelta(minutes=1)


class SignalConflict(ServiceError):
    """Identifiers already received with a different content: nothing was written."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


@transaction.atomic
def api_account_for(*, organisation: Organisation) -> ApiAccount:
    """The organisation's technical account, created on first use: role signaller, no usable
    password (it can never log in to the pages), named ``api-<code>``."""
    account = (
        ApiAccount.objects.select_for_update()
        .select_related("user")
        .filter(organisation=organisation)
        .first()
    )
    if account is not None:
        return account
    username = f"api-{organisation.code.lower()}"
    if User.objects.filter(username=username).exists():
        raise ServiceError(
            _("The account name %(username)s is already used by a person: rename that account.")
            % {"username": username}
        )
    user = User(
        username=username,
        first_name="API",
        last_name=organisation.code,
        organisation=organisation,
        role=Role.SIGNALLER,
        job_title=_("Technical account of the API"),
    )
    user.set_unusable_password()
    user.save()
    return ApiAccount.objects.create(organisation=organisation, user=user)


@transaction.atomic
def api_token_create(
    *,
    organisation: Organisation,
    name: str,
    created_by: User | None = None,
    expires_at: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its secret. The secret is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ServiceError(_("Give the token a name (e.g. the system that will use it)."))
    if len(name) > 100:
        raise ServiceError(_("The token's name is too long (100 characters at most)."))
    if not organisation.is_active:
        raise ServiceError(_("This organisation is not active: no token can be created."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ServiceError(_("The expiry date must be in the future."))
    account = api_account_for(organisation=organisation)
    while True:
        secret = secrets.token_urlsafe(32)
        prefix = secret[:PREFIX_LENGTH]
        # The prefix is typed after `etage_api_token revoke`: a leading "-" would read as an
        # option there (one secret in 64).
        if prefix.startswith("-"):
            continue
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name,
        prefix=prefix,
        key_hash=hash_secret(secret),
        account=account,
        created_by=created_by,
        expires_at=expires_at,
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, prefix: str) -> ApiToken:
    """Revoke the token whose prefix is ``prefix``; revoking twice keeps the first date."""
    token = ApiToken.objects.select_for_update().filter(prefix=prefix.strip()).first()
    if token is None:
        raise ServiceError(_("No token has the prefix %(prefix)s.") % {"prefix": prefix})
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(*, secret: str) -> ApiToken | None:
    """The usable token whose secret is ``secret``, or None. Found by prefix, then compared
    by hash in constant time; its technical account must be active and still belong to the
    token's organisation."""
    if not SECRET_PATTERN.fullmatch(secret):
        return None
    token = (
        ApiToken.objects.usable()
        .select_related("organisation", "account__user__organisation")
        .filter(prefix=secret[:PREFIX_LENGTH])
        .first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, hash_secret(secret)):
        return None
    user = token.account.user
    if (
        not user.is_active
        or user.organisation_id != token.organisation_id
        or not token.organisation.is_active
    ):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@dataclass(frozen=True)
class SignalData:
    external_id: str
    lease_reference: str
    kind: str
    stage: str
    occurred_on: dt.date


@dataclass(frozen=True)
class SignalReport:
    created: int
    unchanged: int


def _same(signal: LeaseSignal, data: SignalData) -> bool:
    return (
        signal.lease_reference == data.lease_reference
        and signal.kind == data.kind
        and (signal.stage or "") == (data.stage or "")
        and signal.occurred_on == data.occurred_on
    )


def _evaluate_leases(*, landlord: Organisation, lease_references: Sequence[str]) -> None:
    """Run the early-warning rules on these leases (etage.alerts), when that app provides
    them."""
    try:
        alerts: Any = importlib.import_module("etage.alerts.services")
    except ModuleNotFoundError:
        return
    evaluate = getattr(alerts, "evaluate_leases", None)
    if evaluate is not None:
        evaluate(landlord=landlord, lease_references=lease_references)


@transaction.atomic
def lease_signals_receive(
    *, user: User, landlord: Organisation, signals: Sequence[SignalData]
) -> SignalReport:
    """Record the signals a landlord pushed, all or nothing. A signal already received with
    the same ``external_id`` and the same content changes nothing; with a different content
    the whole push is refused (:class:`SignalConflict`): a fact the landlord corrects is sent
    under a new identifier."""
    if landlord.kind != OrganisationKind.LANDLORD or user.organisation_id != landlord.pk:
        raise ServiceError(_("Only a landlord may send signals about its leases."))
    ids = [s.external_id for s in signals]
    if len(set(ids)) != len(ids):
        raise ServiceError(_("The same identifier appears twice in this push."))
    existing = {
        s.external_id: s
        for s in LeaseSignal.objects.select_for_update().filter(
            landlord=landlord, external_id__in=ids
        )
    }
    conflicts = [
        d.external_id
        for d in signals
        if d.external_id in existing and not _same(existing[d.external_id], d)
    ]
    if conflicts:
        raise SignalConflict(
            _(
                "These identifiers were already received with a different content: %(ids)s. "
                "Nothing was recorded. Send a correction under a new identifier."
            )
            % {"ids": ", ".join(conflicts[:20])}
        )
    new = [
        LeaseSignal(
            landlord=landlord,
            external_id=d.external_id,
            lease_reference=d.lease_reference,
            kind=d.kind,
            stage=d.stage if d.kind == SignalKind.PROCEDURE else "",
            occurred_on=d.occurred_on,
        )
        for d in signals
        if d.external_id not in existing
    ]
    try:
        with transaction.atomic():
            LeaseSignal.objects.bulk_create(new, batch_size=500)
    except IntegrityError:
        # Another push with the same new identifiers committed between our read and write.
        raise SignalConflict(
            _(
                "Another push with the same identifiers is being recorded. Nothing was "
                "recorded by this one: send it again."
            )
        ) from None
    if new:
        _evaluate_leases(
            landlord=landlord, lease_references=sorted({s.lease_reference for s in new})
        )
    return SignalReport(created=len(new), unchanged=len(signals) - len(new))
