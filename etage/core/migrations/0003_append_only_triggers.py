"""On PostgreSQL, a trigger refuses UPDATE and DELETE on every append-only table
(data-protection.md #10), unless the transaction set ``etage.retention_purge = 'on'`` — which
only :func:`etage.core.append_only.retention_purge` does, for the retention job.

The tables are listed explicitly, not discovered: a migration must stay the same when the
models change later. They are every table of an ``AppendOnlyModel`` today; a new append-only
model adds its table in a new migration (``tests/core/test_append_only.py`` fails until then).
Other apps' tables are created by their own migrations, hence the dependencies below.

SQLite keeps the application guard only: Django empties SQLite tables with DELETE between
transactional tests, which a trigger would refuse.
"""

from django.db import migrations

TABLES = [
    "core_accesslogentry",  # the access log itself
    "situations_pathwayevent",  # the pathway's events: the evaluation's tracking data
    "procedures_procedureevent",  # milestones of the rent-arrears procedure
    "procedures_arrearsbalance",  # dated balances recorded on a situation
    "support_journalentry",  # the shared journal (corrections are new entries)
    "support_actioncomment",  # comments on plan actions
]

FUNCTION = """
CREATE OR REPLACE FUNCTION etage_refuse_append_only_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('etage.retention_purge', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'ETAGE: % rows are append-only; % refused (add a correcting row)',
        TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
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
    schema_editor.execute("DROP FUNCTION IF EXISTS etage_refuse_append_only_change()")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_access_log_search_and_retention"),
        ("situations", "0001_initial"),
        ("procedures", "0001_initial"),
        ("support", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
