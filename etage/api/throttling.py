"""Rate limits per token: one budget for writes, one for reads (``ETAGE_API_RATES``).

The counters live in the default cache: with several worker processes, that cache must be
shared (database or Redis, docs/operations.md) for the limit to hold."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from etage.api.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    def __init__(self) -> None:
        # The rate depends on the request's method; it is read in allow_request, from the
        # settings of the moment (so tests and deployments may change it).
        pass

    def allow_request(self, request: Request, view: Any) -> bool:
        self.scope = "read" if request.method in SAFE_METHODS else "write"
        self.rate = settings.ETAGE_API_RATES[self.scope]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return bool(super().allow_request(request, view))

    def get_cache_key(self, request: Request, view: Any) -> str:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return f"etage-api-throttle-{self.scope}-{ident}"
