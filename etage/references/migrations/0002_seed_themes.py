"""Seed the themes of the shared plan and their suggested actions (etage.references.defaults)."""

from django.db import migrations

from etage.references.defaults import THEMES, seed_default_references


def seed(apps, schema_editor):
    seed_default_references(
        apps.get_model("references", "Theme"), apps.get_model("references", "ActionTemplate")
    )


def unseed(apps, schema_editor):
    Theme = apps.get_model("references", "Theme")
    Theme.objects.filter(code__in=[code for code, _, _ in THEMES]).delete()


class Migration(migrations.Migration):
    dependencies = [("references", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
