"""The services announce what they did (signals of ``situations``, ``support``, ``meetings``);
these receivers hand it to :mod:`etage.notifications.dispatch` **after the commit**, so that a
refused or rolled-back piece of work notifies nobody, and the visibility check reads the state
as committed. Callbacks are robust: a failure to notify is logged and never undoes, nor
interrupts, the work itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from etage.notifications import dispatch


def _later(handler: Callable[[int, int | None], Any], object_id: int, actor: Any) -> None:
    if dispatch.is_suppressed():
        return
    actor_id = getattr(actor, "pk", None)
    transaction.on_commit(lambda: handler(object_id, actor_id), robust=True)


def on_share_granted(sender: Any, *, share: Any, actor: Any, **kwargs: Any) -> None:
    _later(dispatch.share_granted, share.pk, actor)


def on_pathway_step(sender: Any, *, event: Any, actor: Any, **kwargs: Any) -> None:
    if event.action in ("orient", "change_level"):
        _later(dispatch.pathway_step_recorded, event.pk, actor)


def on_plan_action_assigned(sender: Any, *, action: Any, actor: Any, **kwargs: Any) -> None:
    _later(dispatch.plan_action_assigned, action.pk, actor)


def on_decision_recorded(sender: Any, *, decision: Any, actor: Any, **kwargs: Any) -> None:
    _later(dispatch.decision_recorded, decision.pk, actor)


def connect() -> None:
    from etage.meetings.signals import decision_recorded
    from etage.situations.signals import pathway_step_recorded, share_granted
    from etage.support.signals import plan_action_assigned

    share_granted.connect(on_share_granted, dispatch_uid="notifications.share_granted")
    pathway_step_recorded.connect(on_pathway_step, dispatch_uid="notifications.pathway_step")
    plan_action_assigned.connect(
        on_plan_action_assigned, dispatch_uid="notifications.plan_action_assigned"
    )
    decision_recorded.connect(on_decision_recorded, dispatch_uid="notifications.decision")
