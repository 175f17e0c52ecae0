"""Who may use the rights-of-the-person pages: data-protection officers, and nobody else.

A data-protection officer acts for the controllers (the organisations of the platforms): the
search for a person and the production of their file run across every organisation, and each
one is written to the access log with its reason (data-protection.md #10, #11).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from etage.accounts.roles import Role


def is_dpo(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "role", None) == Role.DPO
    )


def require_dpo(user: Any) -> None:
    """Refuse (403) anyone but an active data-protection officer."""
    if not is_dpo(user):
        raise PermissionDenied
