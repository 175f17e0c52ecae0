"""Authentication backend: Django's, plus two rules of ETAGE.

* Demo accounts are refused wherever demo accounts are not allowed (production settings).
* Administrators hold every permission on the *configuration* apps, by role, and no other:
  case data is never registered in the back-office (data-protection.md #8).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

#: Apps whose models administrators configure. Case apps must never be listed here.
CONFIGURATION_APPS: frozenset[str] = frozenset(
    {"accounts", "organisations", "territories", "references"}
)


class EtageBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "is_demo", False) and not settings.ETAGE_ALLOW_DEMO_ACCOUNTS:
            return False
        return bool(super().user_can_authenticate(user))

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if getattr(user_obj, "is_administrator", False) and perm.split(".", 1)[0] in (
            CONFIGURATION_APPS
        ):
            return True
        return bool(super().has_perm(user_obj, perm, obj))

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        if getattr(user_obj, "is_administrator", False) and app_label in CONFIGURATION_APPS:
            return True
        return bool(super().has_module_perms(user_obj, app_label))
