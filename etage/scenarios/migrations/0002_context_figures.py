"""The context figures of domain.md §5 (public sources), editable afterwards."""

from decimal import Decimal

from django.db import migrations

FIGURES = [
    ("social-stock-france", "Logements sociaux en France", "5400000", "logements", 2024,
     "RPLS au 1er janvier 2024 (domain.md §5)", True),
    ("social-stock-metropole", "Parc social de la Métropole de Lyon (estimation)", "155000",
     "logements", 2022, "Estimation 150 000 à 160 000 logements (domain.md §5)", True),
    ("stock-three-landlords",
     "Parc des bailleurs publics connus (LMH + GrandLyon Habitat ; Est Métropole Habitat à ajouter)",
     "59400", "logements", 2022,
     "domain.md §5 : LMH ≈ 33 400 (2022) + GrandLyon Habitat > 26 000 (2016) ; le parc d'Est "
     "Métropole Habitat n'y est pas donné : à compléter avant usage", True),
    ("stock-lmh", "Lyon Métropole Habitat", "33400", "logements", 2022, "domain.md §5", True),
    ("stock-glh", "GrandLyon Habitat", "26000", "logements", 2016, "domain.md §5", True),
    ("arrears-share-social", "Ménages du parc social avec un impayé", "0.196", "part", 2022,
     "Fin 2022 (domain.md §5)", False),
    ("commandements-france", "Commandements de payer", "133000", "actes", 2022,
     "domain.md §5", False),
    ("summonses-france", "Assignations", "68000", "actes", 2022, "domain.md §5", False),
    ("evictions-france", "Expulsions avec le concours de la force publique", "24556",
     "expulsions", 2024, "domain.md §5", False),
]


def add(apps, schema_editor):
    ContextFigure = apps.get_model("scenarios", "ContextFigure")
    for key, label, value, unit, year, source, is_scale in FIGURES:
        ContextFigure.objects.update_or_create(
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


def remove(apps, schema_editor):
    apps.get_model("scenarios", "ContextFigure").objects.filter(
        key__in=[f[0] for f in FIGURES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("scenarios", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
