"""Append-only rows stay as written (data-protection.md #10): the application refuses to
change them on every database; on PostgreSQL a trigger refuses it in SQL too, except inside
``retention_purge()``, the retention job's only door."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from etage.core.append_only import AppendOnlyModel, retention_purge
from etage.core.models import AccessAction, AccessLogEntry
from etage.core.services import access_log_record
from etage.situations.models import PathwayEvent

pytestmark = pytest.mark.django_db

APPEND_ONLY_MODELS = [m for m in apps.get_models() if issubclass(m, AppendOnlyModel)]


def _entry(user) -> AccessLogEntry:
    return access_log_record(user=user, action=AccessAction.READ, obj=user)


def _raw_sql_refused(sql: str, params: list[Any]) -> bool:
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    return True


def test_every_append_only_table_is_guarded_on_this_database():
    """A new append-only model must get the trigger too (a new migration of core)."""
    tables = sorted(m._meta.db_table for m in APPEND_ONLY_MODELS)
    assert "core_accesslogentry" in tables
    assert "situations_pathwayevent" in tables
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tgrelid::regclass::text FROM pg_trigger "
                "WHERE tgname = 'etage_append_only' AND tgenabled <> 'D'"
            )
            guarded = sorted(row[0] for row in cursor.fetchall())
        assert guarded == tables
    else:
        for model in APPEND_ONLY_MODELS:
            with pytest.raises(PermissionError):
                model.objects.all().update()
            with pytest.raises(PermissionError):
                model.objects.all().delete()


def test_the_access_log_refuses_update_and_delete(demo_reference):
    entry = _entry(demo_reference["t1-dpd"])
    table = AccessLogEntry._meta.db_table
    if connection.vendor == "postgresql":
        assert _raw_sql_refused(f"UPDATE {table} SET reason = %s WHERE id = %s", ["x", entry.pk])
        assert _raw_sql_refused(f"DELETE FROM {table} WHERE id = %s", [entry.pk])
        # Not even through Django's base manager, which skips the application guard.
        with pytest.raises(IntegrityError), transaction.atomic():
            AccessLogEntry._base_manager.filter(pk=entry.pk).delete()
    else:
        with pytest.raises(PermissionError):
            AccessLogEntry.objects.filter(pk=entry.pk).update(reason="x")
        with pytest.raises(PermissionError):
            entry.delete()
        entry.reason = "x"
        with pytest.raises(PermissionError):
            entry.save()
    entry.refresh_from_db()
    assert entry.reason == ""


def test_a_pathway_event_refuses_update_and_delete(refer):
    event = refer().events.get()
    table = PathwayEvent._meta.db_table
    if connection.vendor == "postgresql":
        assert _raw_sql_refused(f"UPDATE {table} SET action = %s WHERE id = %s", ["x", event.pk])
        assert _raw_sql_refused(f"DELETE FROM {table} WHERE id = %s", [event.pk])
        # A cascade from the situation is refused as well.
        situation = event.situation
        situation.shares.all().delete()
        with pytest.raises(IntegrityError), transaction.atomic():
            situation.delete()
    else:
        with pytest.raises(PermissionError):
            PathwayEvent.objects.filter(pk=event.pk).update(action="x")
        with pytest.raises(PermissionError):
            PathwayEvent.objects.filter(pk=event.pk).delete()
    assert PathwayEvent.objects.filter(pk=event.pk, action=event.action).exists()


def test_retention_purge_is_the_one_door_and_closes_behind_it(demo_reference, refer):
    entry = _entry(demo_reference["t1-dpd"])
    event = refer().events.get()
    with retention_purge():
        PathwayEvent._base_manager.filter(pk=event.pk).update(action="anonymised")
        AccessLogEntry._base_manager.filter(pk=entry.pk).delete()
    assert PathwayEvent.objects.get(pk=event.pk).action == "anonymised"
    assert not AccessLogEntry.objects.filter(pk=entry.pk).exists()
    if connection.vendor == "postgresql":
        # Closed again after the block, within the same transaction.
        assert _raw_sql_refused(
            f"DELETE FROM {PathwayEvent._meta.db_table} WHERE id = %s", [event.pk]
        )
    else:
        with pytest.raises(PermissionError):
            PathwayEvent.objects.filter(pk=event.pk).delete()


def test_the_log_outlives_a_deleted_account(demo_reference):
    user = demo_reference["t3-dpd"]
    entry = _entry(user)
    pk = user.pk
    user.delete()
    entry.refresh_from_db()
    assert (entry.user_id, entry.username) == (pk, "t3-dpd")
