"""Flag terms of sensitive categories in free text before it is saved (data-protection.md
#16). Pure: no ORM. The list is short on purpose — it prompts the writer to ask "is this
necessary?", it does not judge; the writer may confirm and save.

Terms are written folded (lower case, no accents); a trailing ``*`` matches any ending
(``psychiatr*`` → psychiatre, psychiatrique). Phrases match consecutive words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from etage.households.text import fold

CATEGORIES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "health": (
        _("health"),
        (
            "sante",
            "maladie*",
            "malade*",
            "hopital*",
            "hospitalis*",
            "medecin*",
            "medica*",
            "traitement*",
            "cancer*",
            "diabet*",
            "vih",
            "sida",
            "handicap*",
            "grossesse*",
            "enceinte",
            "chirurgi*",
        ),
    ),
    "mental_health": (
        _("mental health"),
        (
            "psychiatr*",
            "psycholog*",
            "psychose*",
            "psychotique*",
            "schizophren*",
            "bipolaire*",
            "depressi*",
            "suicid*",
            "cmp",
            "hdt",
            "trouble psychique*",
            "troubles psychiques",
        ),
    ),
    "addiction": (
        _("addiction"),
        (
            "alcool*",
            "drogue*",
            "cannabis",
            "heroine",
            "cocaine",
            "crack",
            "addict*",
            "toxicoman*",
            "ivre*",
            "ivresse*",
            "stupefiant*",
            "sevrage*",
        ),
    ),
    "violence": (
        _("violence"),
        (
            "violence*",
            "violent*",
            "coups",
            "frappe*",
            "battu*",
            "battue*",
            "agress*",
            "viol",
            "viols",
            "harcel*",
            "emprise",
            "maltrait*",
        ),
    ),
    "justice": (
        _("offences and convictions"),
        (
            "prison*",
            "incarcer*",
            "condamn*",
            "casier judiciaire",
            "garde a vue",
            "delit*",
            "detenu*",
        ),
    ),
    "private_life": (
        _("beliefs, origin or sex life"),
        (
            "religion*",
            "religieu*",
            "musulman*",
            "chretien*",
            "juif*",
            "juive*",
            "origine ethnique",
            "orientation sexuelle",
            "homosexu*",
            "opinion politique*",
            "opinions politiques",
        ),
    ),
}

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SensitiveMatch:
    category: str
    label: str
    words: tuple[str, ...]  # as written, in order of appearance


def _matches(term: str, folded: list[str], start: int) -> int:
    """Number of words matched by ``term`` at ``start`` (0 when it does not match)."""
    parts = term.split()
    if start + len(parts) > len(folded):
        return 0
    for offset, part in enumerate(parts):
        word = folded[start + offset]
        if part.endswith("*"):
            if not word.startswith(part[:-1]):
                return 0
        elif word != part:
            return 0
    return len(parts)


def find_sensitive_terms(text: str) -> list[SensitiveMatch]:
    """The sensitive categories ``text`` touches, each with the words that triggered it."""
    words = _WORD.findall(text or "")
    folded = [fold(w).replace(" ", "") for w in words]
    found: list[SensitiveMatch] = []
    for category, (label, terms) in CATEGORIES.items():
        hits: list[str] = []
        for index in range(len(folded)):
            for term in terms:
                length = _matches(term, folded, index)
                if length:
                    phrase = " ".join(words[index : index + length])
                    if phrase.lower() not in (h.lower() for h in hits):
                        hits.append(phrase)
                    break
        if hits:
            found.append(SensitiveMatch(category, str(label), tuple(hits)))
    return found
