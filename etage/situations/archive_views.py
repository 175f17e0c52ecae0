"""The reason asked before an archived situation is read (data-protection.md #12)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from etage.situations.archive import (
    MIN_REASON_LENGTH,
    ArchiveReasonRefused,
    archive_read_open,
    archive_read_reason,
)
from etage.situations.choices import Status
from etage.situations.permissions import situations_visible_to


class ArchiveReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you read this archived situation?"),
        min_length=MIN_REASON_LENGTH,
        max_length=250,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: request of the household, dispute, question of the platform. The "
            "reason is written in the access log with every page you read."
        ),
    )


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@login_required
def archive_reason(request: HttpRequest, pk: int) -> HttpResponse:
    """Deny by default: the same scope as the situation's page (404 outside it). The page
    shows the reference only, nothing about the household."""
    situation = situations_visible_to(request.user).filter(pk=pk).first()
    if situation is None:
        raise Http404
    detail = reverse("situations:detail", args=[situation.pk])
    next_url = _next_url(request, detail)
    if situation.status != Status.ARCHIVED or archive_read_reason(request, situation.pk):
        return redirect(next_url)
    form = ArchiveReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            archive_read_open(
                request=request, situation=situation, reason=form.cleaned_data["reason"]
            )
        except ArchiveReasonRefused as exc:
            for message in exc.messages:
                form.add_error("reason", message)
        else:
            return redirect(next_url)
    return render(
        request,
        "situations/archive_reason.html",
        {
            "situation": situation,
            "form": form,
            "next": next_url,
            "minutes": settings.ETAGE_ARCHIVE_READ_MINUTES,
        },
        status=400 if form.is_bound and form.errors else 200,
    )
