"""Rows written once: pathway and procedure events, journal entries, the access log.

A correction is a new row that references the old one; the application offers no update and
no delete (data-protection.md #10; the event log is the evaluation's tracking data).
"""

from __future__ import annotations

from typing import Any

from django.db import models


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
