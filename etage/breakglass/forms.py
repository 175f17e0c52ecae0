from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from etage.breakglass.services import MIN_REASON_LENGTH


class OpenForm(forms.Form):
    reference = forms.CharField(
        label=_("Situation reference"),
        max_length=20,
        help_text=_("For example T1-00042."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        min_length=MIN_REASON_LENGTH,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Why you must read this situation (incident, request of a data-protection "
            "officer…). Shown to the data-protection officer with every page you read."
        ),
    )
