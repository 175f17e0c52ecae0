"""The context figures of domain.md §5 (public sources). Seeded by a migration, ensured again
by the demo build for databases flushed since; an administrator edits them afterwards."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

# (key, label, value, unit, year, source, is_scale)
FIGURES = [
    (
        "social-stock-france",
        "Logements sociaux en France",
        "5400000",
        "logements",
        2024,
        "RPLS au 1er janvier 2024 (domain.md §5)",
        True,
    ),
    (
        "social-stock-metropole",
        "Parc social de la Métropole de Lyon (estimation)",
        "155000",
        "logements",
        2022,
        "Estimation 150 000 à 160 000 logements (domain.md §5)",
        True,
    ),
    (
        "stock-three-landlords",
        "Parc des bailleurs publics connus "
        "(LMH + GrandLyon Habitat ; Est Métropole Habitat à ajouter)",
        "59400",
        "logements",
        2022,
        "domain.md §5 : LMH ≈ 33 400 (2022) + GrandLyon Habitat > 26 000 (2016) ; le parc d'Est "
        "Métropole Habitat n'y est pas donné : à compléter avant usage",
        True,
    ),
    ("stock-lmh", "Lyon Métropole Habitat", "33400", "logements", 2022, "domain.md §5", True),
    ("stock-glh", "GrandLyon Habitat", "26000", "logements", 2016, "domain.md §5", True),
    (
        "arrears-share-social",
        "Ménages du parc social avec un impayé",
        "0.196",
        "part",
        2022,
        "Fin 2022 (domain.md §5)",
        False,
    ),
    (
        "commandements-france",
        "Commandements de payer",
        "133000",
        "actes",
        2022,
        "domain.md §5",
        False,
    ),
    ("summonses-france", "Assignations", "68000", "actes", 2022, "domain.md §5", False),
    (
        "evictions-france",
        "Expulsions avec le concours de la force publique",
        "24556",
        "expulsions",
        2024,
        "domain.md §5",
        False,
    ),
]


def seed_context_figures(figure_model: Any) -> None:
    """Create the figures that are missing; never overwrite an administrator's edits. Takes
    the model class so that the migration can pass the historical one."""
    for key, label, value, unit, year, source, is_scale in FIGURES:
        figure_model.objects.get_or_create(
            key=key,
            defaults={
                "label": label,
                "value": Decimal(value),
                "unit": unit,
                "year": year,
                "source": source,
                "is_scale": is_scale,
            },
        )
