"""Normalisation of names and addresses for duplicate detection, and the national-identifier
guard of data-protection.md #15. Pure functions: no ORM."""

from __future__ import annotations

import difflib
import re
import unicodedata

# A French NIR (social-security number): 13 digits, optionally followed by a 2-digit key,
# possibly written with spaces, dots or dashes between groups. Corsica uses 2A/2B.
_NIR = re.compile(
    r"(?<![0-9A-Za-z])[12][\s.-]?\d{2}[\s.-]?(?:0[1-9]|1[0-2]|[2-9]\d)[\s.-]?"
    r"(?:\d{2}|2[AaBb])[\s.-]?\d{3}[\s.-]?\d{3}(?:[\s.-]?\d{2})?(?![0-9A-Za-z])"
)

_ABBREVIATIONS = {
    "bd": "boulevard",
    "bld": "boulevard",
    "av": "avenue",
    "ave": "avenue",
    "r": "rue",
    "pl": "place",
    "all": "allee",
    "imp": "impasse",
    "ch": "chemin",
    "crs": "cours",
    "st": "saint",
    "ste": "sainte",
}


def fold(text: str) -> str:
    """Lower-case, strip accents, keep letters and digits separated by single spaces."""
    if text.isascii():  # the common case, without the per-character accent check
        return " ".join(re.findall(r"[a-z0-9]+", text.lower()))
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+", ascii_only.lower()))


def name_key(name: str) -> str:
    return fold(name)


def address_key(address: str) -> str:
    words = [_ABBREVIATIONS.get(w, w) for w in fold(address).split()]
    return " ".join(words)


def names_similar(a: str, b: str, *, threshold: float = 0.85) -> bool:
    """Two family names are similar when their folded forms are close (typos, accents,
    hyphenated names written with a space)."""
    ka, kb = name_key(a).replace(" ", ""), name_key(b).replace(" ", "")
    if not ka or not kb:
        return False
    return ka == kb or difflib.SequenceMatcher(None, ka, kb).ratio() >= threshold


def contains_nir(text: str) -> bool:
    """True when ``text`` holds something shaped like a 13- or 15-character NIR."""
    return bool(_NIR.search(text or ""))
