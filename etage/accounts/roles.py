"""The roles of domain.md §2 and what each may broadly do.

Fine-grained access to situations is decided by the permission module of each app; this module
only says which kind of person an account is for.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SIGNALLER = "signaller", _("Signalling (caretaker, local office)")
    PROFESSIONAL = "professional", _("Support professional")
    COORDINATOR = "coordinator", _("Platform coordination")
    RENT_RECOVERY = "rent_recovery", _("Rent recovery / litigation")
    STEERING = "steering", _("Steering")
    EVALUATOR = "evaluator", _("Evaluation")
    DPO = "dpo", _("Data protection officer")
    ADMIN = "admin", _("Administration")


#: Roles whose holders handle nominative case data and must use a second factor
#: (data-protection.md #9); administrators too, as they configure access.
STRONG_AUTH_ROLES: frozenset[str] = frozenset(
    {Role.PROFESSIONAL, Role.COORDINATOR, Role.RENT_RECOVERY, Role.DPO, Role.ADMIN}
)

#: Roles that never read a case (aggregates, pseudonymised data or configuration only).
NO_CASE_ROLES: frozenset[str] = frozenset({Role.STEERING, Role.EVALUATOR, Role.ADMIN})


def can_administer(role: str) -> bool:
    """Only administrators reach the configuration back-office."""
    return role == Role.ADMIN
