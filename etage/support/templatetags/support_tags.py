"""Template tags that feed the support sections of the situation page, so that each section
is one ``{% include %}`` line there and the situation view stays unaware of support.

Each tag reads the permission from the page's ``actions`` (computed once by the situation
view) and returns nothing without ``view_social``.
"""

from __future__ import annotations

from typing import Any

from django import template

from etage.situations.models import Situation
from etage.situations.permissions import allowed_actions
from etage.situations.permissions_matrix import Action
from etage.support import selectors
from etage.support.forms import ActionStatusForm
from etage.support.models import Document, JournalEntry

register = template.Library()

#: How many entries and documents the situation page shows; the rest is on their pages.
LATEST = 5


def _actions(context: template.Context, situation: Situation) -> frozenset[Action]:
    actions = context.get("actions")
    if actions is None:
        actions = allowed_actions(context["request"].user, situation)
    return frozenset(actions)


@register.simple_tag(takes_context=True)
def support_plan(context: template.Context, situation: Situation) -> selectors.Plan:
    return selectors.plan_of(
        context["request"].user, situation, actions=_actions(context, situation)
    )


@register.simple_tag(takes_context=True)
def support_journal(context: template.Context, situation: Situation) -> list[JournalEntry]:
    return list(
        selectors.journal_page(
            context["request"].user, situation, actions=_actions(context, situation)
        )[:LATEST]
    )


@register.simple_tag(takes_context=True)
def support_documents(context: template.Context, situation: Situation) -> list[Document]:
    return list(
        selectors.documents_visible_to(
            context["request"].user, situation, actions=_actions(context, situation)
        ).select_related("uploaded_by_organisation")[:LATEST]
    )


@register.simple_tag(takes_context=True)
def support_reviews(
    context: template.Context, situation: Situation
) -> selectors.ReviewSummary | None:
    return selectors.reviews_of(
        context["request"].user, situation, actions=_actions(context, situation)
    )


@register.simple_tag
def status_form(row: selectors.ActionRow, typed: str | None = None) -> Any:
    """The inline status form of one action, on its current version."""
    return ActionStatusForm(
        initial={"status": typed or row.action.status, "version": row.action.version},
        auto_id=f"statut-{row.action.pk}-%s",
    )


@register.filter
def filesize_fr(size: int) -> str:
    from etage.support.services import _human_size

    return _human_size(int(size))
