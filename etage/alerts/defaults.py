"""The default early-warning rules of a territory (docs/alertes.md says why each one).
Seeded by :func:`seed_default_rules` — called by the demo build and by
``manage.py etage_seed_warning_rules`` for a new territory — and then edited in the
configuration back-office."""

from __future__ import annotations

from typing import Any

from etage.alerts.rules import STAGE_RANKS, RuleKind

#: (code, kind, parameters, weight, order)
DEFAULT_RULES: tuple[tuple[str, str, dict[str, Any], int, int], ...] = (
    # 2 months of rent: the arrears threshold of housing benefit (CCH R. 824-1), from which
    # the landlord must report to the CAF — the earliest point the law itself marks.
    ("debt_2_months", RuleKind.DEBT_MONTHS, {"months": "2"}, 20, 10),
    # A debt that grows by a month of rent in three months is not a one-off delay.
    ("debt_rising_3_months", RuleKind.DEBT_RISING, {"rise": "1", "period": 3}, 10, 20),
    # From the commandement de payer on, every step has a legal clock (docs/architecture.md,
    # "Procedures and deadlines").
    (
        "procedure_commandement",
        RuleKind.PROCEDURE_STAGE,
        {"stages": sorted(STAGE_RANKS)},
        20,
        30,
    ),
    # Repeated neighbourhood complaints often come with a difficulty nobody has named yet.
    ("complaints_3_in_90_days", RuleKind.COMPLAINTS, {"count": 3, "days": 90}, 10, 40),
    # Two months without any payment while something is owed.
    ("no_payment_60_days", RuleKind.NO_PAYMENT, {"days": 60}, 10, 50),
)


def seed_default_rules(territory: Any) -> int:
    """Create the default rules missing from ``territory`` (by code); existing rules, even
    edited or deactivated, are left as they are. Returns how many were created."""
    from etage.alerts.models import WarningRule

    existing = set(WarningRule.objects.filter(territory=territory).values_list("code", flat=True))
    new = [
        WarningRule(
            territory=territory,
            code=code,
            kind=str(kind),
            parameters=parameters,
            weight=weight,
            order=order,
        )
        for code, kind, parameters, weight, order in DEFAULT_RULES
        if code not in existing
    ]
    WarningRule.objects.bulk_create(new)
    return len(new)
