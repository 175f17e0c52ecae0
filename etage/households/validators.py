from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from etage.households.text import contains_nir


def reject_national_identifier(value: str) -> None:
    """data-protection.md #15: no social-security number anywhere, including free text."""
    if contains_nir(value):
        raise ValidationError(
            _(
                "This text looks like it contains a social-security number (NIR). ETAGE must "
                "not hold it: remove the number and save again."
            ),
            code="nir",
        )
