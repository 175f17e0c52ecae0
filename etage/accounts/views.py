"""The login page, second-factor pages (enrolment, verification), the interface language page
and the lockout page of django-axes."""

from __future__ import annotations

from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from etage.accounts import services
from etage.accounts.forms import CodeForm, LanguageForm, VerifyForm
from etage.accounts.services import SecondFactorError, has_confirmed_device, second_factor_required


def _qr_svg(data: str) -> str:
    """The QR code as inline SVG (no script, no style attribute: CSP-safe)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg: str = image.to_string(encoding="unicode")
    title = _("QR code to scan")
    return svg.replace(
        "<svg ", '<svg role="img" aria-labelledby="qr-titre" class="qr-code" ', 1
    ).replace(">", f'><title id="qr-titre">{title}</title>', 1)


class LoginView(auth_views.LoginView):
    """Django's login page; when it was reached on the way to another page than the home page
    (``next``), it says why: the person was not logged in, most often because their session
    expired while idle."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        target = context.get(self.redirect_field_name) or ""
        context["session_notice"] = bool(target) and target != resolve_url("core:home")
        return context


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@login_required
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not second_factor_required(user) or user.is_verified():
        return redirect("core:home")
    if has_confirmed_device(user):
        return redirect("accounts:second_factor_verify")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.second_factor_confirm(
                request=request, user=user, code=form.cleaned_data["code"]
            )
        except SecondFactorError as exc:
            if getattr(request, "axes_locked_out", False):
                logout(request)
                return HttpResponse(status=429)  # replaced by the lockout page (middleware)
            form.add_error("code", str(exc))
        else:
            return render(
                request,
                "accounts/backup_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
    enrolment = services.second_factor_enrolment(user=user)
    return render(
        request,
        "accounts/second_factor_enrol.html",
        {
            "form": form,
            "key": enrolment.key,
            "qr_svg": mark_safe(_qr_svg(enrolment.url)),  # noqa: S308 — built here from our data
            "next": request.GET.get("next", ""),
        },
    )


@never_cache
@login_required
def second_factor_verify(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not second_factor_required(user) or user.is_verified():
        return redirect(_next_url(request))
    if not has_confirmed_device(user):
        return redirect("accounts:second_factor_enrol")
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.second_factor_verify(
                request=request, user=user, code=form.cleaned_data["code"]
            )
        except SecondFactorError as exc:
            if getattr(request, "axes_locked_out", False):
                logout(request)
                return HttpResponse(status=429)  # replaced by the lockout page (middleware)
            form.add_error("code", str(exc))
        else:
            return redirect(_next_url(request))
    return render(
        request,
        "accounts/second_factor_verify.html",
        {"form": form, "next": request.GET.get("next", "")},
    )


@login_required
def language(request: HttpRequest) -> HttpResponse:
    """Each person chooses the language of their interface (French by default)."""
    user: Any = request.user
    data = request.POST if request.method == "POST" else None
    form = LanguageForm(data, initial={"language": user.language})
    if request.method == "POST" and form.is_valid():
        services.language_set(user=user, language=form.cleaned_data["language"])
        # Said in the language just chosen: it is the one the next page speaks.
        with translation.override(user.language):
            messages.success(request, _("Your interface language is saved."))
        return redirect("accounts:language")
    return render(request, "accounts/language.html", {"form": form})


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' lockout answer: the login page, with the reason and how long it lasts."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _(
        "Too many failed attempts: this account is locked from this computer for "
        "%(minutes)s minutes. Try again later, or ask your administrator to unlock it."
    ) % {"minutes": minutes}
    return render(
        request,
        "accounts/login.html",
        {"form": AuthenticationForm(request), "next": "", "lockout": message},
        status=429,
    )
