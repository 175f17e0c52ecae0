"""Emergency access pages: opening one (administrators) and the register (data-protection
officers). Everyone else gets a 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from etage.accounts.roles import Role
from etage.breakglass import selectors, services
from etage.breakglass.forms import OpenForm


@login_required
def open_access(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role != Role.ADMIN or not user.is_administrator:
        raise PermissionDenied
    form = OpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.break_glass_open(
                user=user,
                reference=form.cleaned_data["reference"],
                reason=form.cleaned_data["reason"],
            )
        except services.BreakGlassError as exc:
            form.add_error(None, exc.message)
        else:
            expiry = formats.time_format(timezone.localtime(grant.expires_at), "H:i")
            messages.success(
                request,
                _("Emergency access to %(ref)s open until %(time)s, read-only.")
                % {"ref": grant.situation_reference, "time": expiry},
            )
            return redirect("situations:detail", pk=grant.situation_id)
    return render(
        request,
        "breakglass/open.html",
        {"form": form, "grants": selectors.open_grants(user).select_related("situation")},
    )


@login_required
def register(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role != Role.DPO:
        raise PermissionDenied
    return render(request, "breakglass/register.html", {"rows": selectors.register_for(user)})
