"""The append-only trigger of ``core.0003`` on the append-only tables added since: the
early-warning candidates' history and the administrators' emergency accesses. Tables listed
explicitly, as in 0003; their apps' migrations create them, hence the dependencies."""

from django.db import migrations

TABLES = [
    "alerts_candidateevent",  # what happened to an early-warning candidate
    "breakglass_breakglassgrant",  # an administrator's emergency access, with its reason
]


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER etage_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION etage_refuse_append_only_change()"
        )


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS etage_append_only ON {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_append_only_triggers"),
        ("alerts", "0001_initial"),
        ("breakglass", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
