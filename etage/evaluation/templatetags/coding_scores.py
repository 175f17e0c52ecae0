"""How the coding pages write agreement scores: two decimals in the page's language, a
percentage, the Landis and Koch band in words, and "not computable" (never a bare NaN)."""

from __future__ import annotations

import math

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

register = template.Library()

BANDS = {
    "poor": _("worse than chance"),
    "slight": _("slight agreement"),
    "fair": _("fair agreement"),
    "moderate": _("moderate agreement"),
    "substantial": _("substantial agreement"),
    "almost_perfect": _("almost perfect agreement"),
    "undefined": _("not computable"),
}

REASONS = {
    "no_units": _("no speaker turn was coded by both coders."),
    "constant": _(
        "both coders made the same decision on every turn (the code applied everywhere or "
        "nowhere): chance alone explains such agreement, so the coefficient is not defined."
    ),
}


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@register.filter
def score(value: float | None) -> str:
    """0.6234 → "0,62" (French); ``None``/NaN → "not computable"."""
    if _missing(value):
        return str(BANDS["undefined"])
    assert value is not None
    return number_format(round(value, 2), decimal_pos=2)


@register.filter
def ratio_percent(value: float | None) -> str:
    """0.875 → "88 %" (a share between 0 and 1); ``None``/NaN → "not computable"."""
    if _missing(value):
        return str(BANDS["undefined"])
    assert value is not None
    return f"{number_format(round(value * 100), decimal_pos=0)} %"


@register.filter
def band(key: str) -> str:
    return str(BANDS.get(key, ""))


@register.filter
def reason(key: str) -> str:
    return str(REASONS.get(key, ""))
