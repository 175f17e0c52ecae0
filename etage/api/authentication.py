"""``Authorization: Bearer <token>``: the only way into the API (no session, so no CSRF and no
browser access)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from etage.api.services import api_token_authenticate


class BearerTokenAuthentication(BaseAuthentication):
    keyword = "bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() != self.keyword:
            raise AuthenticationFailed(
                _("The Authorization header must read “Bearer” followed by the token.")
            )
        token = api_token_authenticate(secret=parts[1])
        if token is None:
            raise AuthenticationFailed(_("Unknown, revoked or expired token."))
        return token.account.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) when the token is missing or refused.
        return 'Bearer realm="etage"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "etage.api.authentication.BearerTokenAuthentication"
    name = "jeton"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "Jeton d'API de l'organisation (commande etage_api_token ou administration). "
                "API token of the organisation."
            ),
        }
