"""Rows written once: pathway and procedure events, journal entries, the access log.

A correction is a new row that references the old one; the application offers no update and
no delete (data-protection.md #10; the event log is the evaluation's tracking data).

Two guards keep them so:

- in the application, the manager and the instances of :class:`AppendOnlyModel` refuse
  ``update()``, ``delete()`` and a second ``save()``, on every database;
- on PostgreSQL, a trigger (``etage_refuse_append_only_change``, migration
  ``core.0002_append_only_triggers``) refuses any UPDATE or DELETE of these tables' rows in
  SQL, whatever the code path (cascades, raw SQL, a shell).

The retention job must still delete or anonymise expired rows: it does so, and only so, inside
:func:`retention_purge`, which lets the trigger through for the current transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, models, transaction

#: The PostgreSQL setting the trigger reads; set for one transaction only (SET LOCAL).
RETENTION_PURGE_SETTING = "etage.retention_purge"


@contextmanager
def retention_purge() -> Iterator[None]:
    """The ONLY way to delete or anonymise append-only rows: the retention job (expired
    access-log entries, purged situations' events) and the demo's reset use it.

    Opens a transaction (or a savepoint) and, on PostgreSQL, sets
    ``etage.retention_purge = 'on'`` for that transaction only, so the trigger lets UPDATE and
    DELETE through until it ends; elsewhere it only opens the transaction. The application
    guard of :class:`AppendOnlyModel` still applies to ``objects``: delete through the base
    manager (``Model._base_manager``) or a cascade, as the retention steps do. A database
    superuser (or the tables' owner) can always disable triggers: this guard stops mistakes
    and the application's code paths, not the database administrator."""
    with transaction.atomic():
        if connection.vendor != "postgresql":
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting(%s, true)", [RETENTION_PURGE_SETTING])
            previous = cursor.fetchone()[0] or "off"
            cursor.execute("SELECT set_config(%s, 'on', true)", [RETENTION_PURGE_SETTING])
        yield
        # Back to what it was, so an enclosing transaction is not left open to deletions
        # (on an error, rolling back the savepoint undoes the setting by itself).
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [RETENTION_PURGE_SETTING, previous])


def _refuse(model: type[models.Model]) -> PermissionError:
    return PermissionError(f"{model._meta.label} rows are append-only: add a correcting row.")


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise _refuse(self.model)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise _refuse(self.model)


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise _refuse(type(self))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise _refuse(type(self))
