"""Models and migrations agree, on whichever database the suite runs."""

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    # Exits with SystemExit(1) when a migration is missing.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_database_runs_with_integrity_guarantees():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
        else:
            assert connection.vendor == "postgresql"
            assert connection.pg_version >= 150000
