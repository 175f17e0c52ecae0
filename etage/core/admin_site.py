"""The configuration back-office, open to administrators only (data-protection.md #8:
administrators configure, they do not read cases — no case model is ever registered here)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class EtageAdminSite(admin.AdminSite):
    site_header = _("ETAGE — administration")
    site_title = _("ETAGE administration")
    index_title = _("Platform settings")

    def has_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(getattr(user, "is_administrator", False))


admin_site = EtageAdminSite(name="admin")
