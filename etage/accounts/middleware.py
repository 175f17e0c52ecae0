"""Account middleware: the login page for whoever has no session, the second factor, and the
person's interface language.

Until a person of a strong role has given their second factor, every page sends them to
the enrolment page (no device yet) or the verification page (data-protection.md #9).

Reachable without it: logging in and out, the two second-factor pages, static files. API
requests authenticated by a token carry no session, so this never concerns them; a session
without its second factor gets a 403 there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from etage.accounts.services import has_confirmed_device, second_factor_required

OPEN_VIEWS = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:second_factor_enrol",
        "accounts:second_factor_verify",
    }
)


#: Where :class:`SessionIdleMiddleware` notes when it last moved the session's expiry.
SESSION_REFRESHED = "etage_refreshed_at"
#: How often, at most, a request moves the session's expiry (and writes the session).
SESSION_REFRESH_SECONDS = 60


class SessionIdleMiddleware:
    """The idle timeout (``SESSION_COOKIE_AGE`` after the last request) without writing the
    session on every request: a request moves the expiry when the last move is a minute old
    or more. A session therefore ends between 29 and 30 minutes after the last request (never
    later), for one write a minute instead of one per page. Placed just inside
    ``SessionMiddleware``, which saves a session that was changed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.modified or session.is_empty():
            return response
        now = int(time.time())
        if now - int(session.get(SESSION_REFRESHED, 0)) >= SESSION_REFRESH_SECONDS:
            session[SESSION_REFRESHED] = now
        return response


def _whole_page_to(target: str) -> HttpResponse:
    """The answer to an HTMX request that must take the whole page elsewhere: nothing to
    swap, and HTMX follows ``HX-Redirect`` with a full page load."""
    response = HttpResponse(status=204)
    response["HX-Redirect"] = target
    return response


class LoginRedirectMiddleware:
    """What a person without a session (it expired while the page stayed open) is answered.

    - A refusal (403: a view that checks a role without ``login_required``, or a form whose
      CSRF cookie the browser forgot) is a request to log in: the login page, with the page
      asked for as ``next``. The API (token, no session) keeps its 401/403.
    - An HTMX request sent to the login page would have it swapped into the fragment (the
      browser follows the redirect silently): a login form inside a table. The whole page goes
      there instead (``HX-Redirect``), with the page the person was on as ``next``
      (``HX-Current-URL``; not the fragment's address, which may be a POST endpoint).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated or request.path.startswith("/api/"):
            return response
        if response.status_code == 403:
            response = redirect_to_login(request.get_full_path())
        if request.headers.get("HX-Request") != "true" or response.status_code not in (301, 302):
            return response
        login = resolve_url(settings.LOGIN_URL)
        if urlsplit(response.get("Location", "")).path != login:
            return response
        target = login
        current = request.headers.get("HX-Current-URL", "")
        if url_has_allowed_host_and_scheme(
            current, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            parts = urlsplit(current)
            page = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.path and page != resolve_url("core:home"):
                target += "?" + urlencode({REDIRECT_FIELD_NAME: page})
        return _whole_page_to(target)


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
                return _whole_page_to(target)
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


class UserLanguageMiddleware:
    """The interface language of the person logged in (``User.language``), whatever their
    browser says; LocaleMiddleware has already chosen one for anonymous pages (cookie, then
    Accept-Language, then French). The language cookie follows the person's choice so that the
    login page, after they sign out, stays in their language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        chosen = getattr(user, "language", None) if user.is_authenticated else None
        if chosen:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        # The choice may have just changed (the language page) or the person signed out (the
        # user is then anonymous: the cookie keeps the language they had).
        chosen = getattr(request.user, "language", chosen)
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen and cookie != chosen and (cookie or chosen != settings.LANGUAGE_CODE):
            remember_language(response, chosen)
        return response


def remember_language(response: HttpResponse, language: str) -> None:
    """Set the language cookie with the settings' attributes (age, Secure, HttpOnly…)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=cast(Any, settings.LANGUAGE_COOKIE_SAMESITE),  # "Lax" (settings/base.py)
    )
