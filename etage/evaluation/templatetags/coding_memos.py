"""How the coding pages name a memo: the stored marker of a reconciliation drop is shown in
the reader's language (see ``selectors_coding.DROPPED_TITLE``)."""

from __future__ import annotations

from django import template

from etage.evaluation.models import Memo
from etage.evaluation.selectors_coding import memo_title as _memo_title

register = template.Library()


@register.filter
def memo_title(memo: Memo) -> str:
    return _memo_title(memo)
