from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The six digits shown by your authenticator application."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class VerifyForm(CodeForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_(
            "The six digits shown now by your authenticator application, or one of your "
            "backup codes."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )
