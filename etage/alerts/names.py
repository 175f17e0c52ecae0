"""Reading the first tenant's family and first name out of a landlord's "tenant name(s)"
column, to pre-fill the referral form (the social worker checks and corrects it)."""

from __future__ import annotations

import re

#: Between two tenants: "DUPONT Jean et MARTIN Léa", "DUPONT Jean / MARTIN Léa"…
_SEPARATORS = re.compile(r"\s+(?:et|and)\s+|\s*[/;&+]\s*", re.IGNORECASE)
_CIVILITIES = {
    "m",
    "m.",
    "mr",
    "mr.",
    "mme",
    "mme.",
    "mlle",
    "mlle.",
    "monsieur",
    "madame",
    "mademoiselle",
}


def _is_upper_word(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def split_tenant_names(tenant_names: str) -> tuple[str, str]:
    """(family name, first name) of the first tenant named.

    - "Dupont, Jean" → ("Dupont", "Jean");
    - words in capitals are the family name: "Jean DE LA TOUR" → ("DE LA TOUR", "Jean");
    - otherwise the first word is the family name, as landlords' extracts put it:
      "Dupont Jean" → ("Dupont", "Jean");
    - civilities (M., Mme…) are dropped.
    """
    text = " ".join(tenant_names.split())
    first = _SEPARATORS.split(text, maxsplit=1)[0].strip() if text else ""
    if "," in first:
        last, _sep, given = first.partition(",")
        return _clean(last), _clean(given)
    words = [w for w in first.split(" ") if w and w.lower() not in _CIVILITIES]
    if not words:
        return "", ""
    upper = [w for w in words if _is_upper_word(w)]
    if upper and len(upper) < len(words):
        return " ".join(upper), " ".join(w for w in words if not _is_upper_word(w))
    return words[0], " ".join(words[1:])


def _clean(part: str) -> str:
    return " ".join(w for w in part.split() if w.lower() not in _CIVILITIES)
