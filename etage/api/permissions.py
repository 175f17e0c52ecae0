"""Who may call which endpoint: any organisation's token may read its referrals; only a
landlord's token may push arrears and signals."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from etage.api.models import ApiToken
from etage.organisations.models import OrganisationKind


def token_of(request: Request) -> ApiToken:
    """The token that authenticated ``request`` (the views run only after :class:`HasToken`)."""
    token = request.auth
    assert isinstance(token, ApiToken)
    return token


class HasToken(BasePermission):
    """Authenticated by an API token, never by a session."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, ApiToken) and bool(request.user.is_authenticated)


class IsLandlord(BasePermission):
    message = _("Only a social landlord's token may send arrears or signals.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return (
            isinstance(request.auth, ApiToken)
            and request.auth.organisation.kind == OrganisationKind.LANDLORD
        )
