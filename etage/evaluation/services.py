"""Shared service helpers of the evaluation workspace: optimistic concurrency and the
error every service raises with a French message."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F
from django.utils.translation import gettext as _


class EvaluationError(Exception):
    """A refused change, with the message to show (nothing was changed)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def stale() -> EvaluationError:
    return EvaluationError(
        _(
            "Someone else changed this in the meantime. Reload the page to see their "
            "changes, then make yours again."
        )
    )


def save_versioned(instance: models.Model, expected_version: int, **changes: Any) -> None:
    """Apply ``changes`` to ``instance`` if nobody saved it since ``expected_version`` was
    read (no lost update, non-negotiable 4); raise :func:`stale` otherwise."""
    model = type(instance)
    updated = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
        version=F("version") + 1, **changes
    )
    if not updated:
        raise stale()
    for name, value in changes.items():
        setattr(instance, name, value)
    instance.version = expected_version + 1  # type: ignore[attr-defined]
