"""The context figures of domain.md §5 (public sources), editable afterwards."""

from django.db import migrations

from etage.scenarios.context_figures import FIGURES, seed_context_figures


def add(apps, schema_editor):
    seed_context_figures(apps.get_model("scenarios", "ContextFigure"))


def remove(apps, schema_editor):
    apps.get_model("scenarios", "ContextFigure").objects.filter(
        key__in=[f[0] for f in FIGURES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("scenarios", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
