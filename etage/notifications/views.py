from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from etage.notifications import services
from etage.notifications.forms import PreferencesForm
from etage.notifications.selectors import preferences_of, visible_notifications


@login_required
def index(request: HttpRequest) -> HttpResponse:
    notifications = visible_notifications(request.user).order_by("-created_at", "-id")
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    return render(request, "notifications/index.html", {"page": page})


@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link; opening it marks it read."""
    notification = services.notification_mark_read(user=request.user, notification_id=pk)
    target = notification.url
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None) or not target:
        return redirect("notifications:index")
    return redirect(target)


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    services.notification_mark_read(user=request.user, notification_id=pk)
    messages.success(request, _("Notification marked as read."))
    return redirect("notifications:index")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("Notifications marked as read: %(n)s.") % {"n": count})
    return redirect("notifications:index")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(
        request.POST if request.method == "POST" else None, current=preferences_of(request.user)
    )
    if request.method == "POST" and form.is_valid():
        services.preferences_save(user=request.user, deliveries=form.deliveries())
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
