"""Until a person of a strong role has given their second factor, every page sends them to
the enrolment page (no device yet) or the verification page (data-protection.md #9).

Reachable without it: logging in and out, the two second-factor pages, static files. API
requests authenticated by a token carry no session, so this never concerns them; a session
without its second factor gets a 403 there.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from etage.accounts.services import has_confirmed_device, second_factor_required

OPEN_VIEWS = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:second_factor_enrol",
        "accounts:second_factor_verify",
    }
)


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            second_factor_required(user)
            and not user.is_verified()  # type: ignore[union-attr]
            and not self._open(request)
        ):
            if request.path.startswith("/api/"):
                return HttpResponseForbidden()
            name = (
                "accounts:second_factor_verify"
                if has_confirmed_device(user)
                else "accounts:second_factor_enrol"
            )
            target = reverse(name)
            if request.headers.get("HX-Request") == "true":
                # A fragment: the whole page goes to the second-factor page.
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            if request.method == "GET" and request.path != reverse("core:home"):
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        return self.get_response(request)

    @staticmethod
    def _open(request: HttpRequest) -> bool:
        if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        open_paths = {reverse(name) for name in OPEN_VIEWS}
        return request.path in open_paths
