"""Authentication backend: Django's, plus two rules of ETAGE.

* Demo accounts are refused wherever demo accounts are not allowed (production settings).
* The API's technical accounts are always refused (they act only through API tokens).
* Administrators hold every permission on the *configuration* apps, by role, and no other:
  case data is never registered in the back-office (data-protection.md #8).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

#: Apps whose models administrators configure. Case apps must never be listed here.
CONFIGURATION_APPS: frozenset[str] = frozenset(
    {"accounts", "organisations", "territories", "references", "api"}
)
#: Single configuration models of apps that also hold case data ("app_label.model"): the
#: early-warning rules, but never the candidates of the same app.
CONFIGURATION_MODELS: frozenset[str] = frozenset({"alerts.warningrule"})


def _configuration_perm(perm: str) -> bool:
    app_label, _dot, codename = perm.partition(".")
    if app_label in CONFIGURATION_APPS:
        return True
    model = codename.partition("_")[2]
    return f"{app_label}.{model}" in CONFIGURATION_MODELS


def _is_api_account(user: Any) -> bool:
    from etage.api.models import ApiAccount

    return ApiAccount.objects.filter(user_id=user.pk).exists()


class EtageBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "is_demo", False) and not settings.ETAGE_ALLOW_DEMO_ACCOUNTS:
            return False
        # The API's technical accounts act only through their tokens (etage.api), never
        # through the login page, whatever password someone may have given them.
        # (Their login names start with "api-": other accounts cost no query.)
        if str(getattr(user, "username", "")).startswith("api-") and _is_api_account(user):
            return False
        return bool(super().user_can_authenticate(user))

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if getattr(user_obj, "is_administrator", False) and _configuration_perm(perm):
            return True
        return bool(super().has_perm(user_obj, perm, obj))

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        if getattr(user_obj, "is_administrator", False) and (
            app_label in CONFIGURATION_APPS
            or any(m.startswith(f"{app_label}.") for m in CONFIGURATION_MODELS)
        ):
            return True
        return bool(super().has_module_perms(user_obj, app_label))
