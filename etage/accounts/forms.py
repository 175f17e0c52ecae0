from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from etage.accounts.models import LANGUAGE_CHOICES


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


class LanguageForm(forms.Form):
    """The interface language: each one named in its own language (LANGUAGE_CHOICES)."""

    language = forms.ChoiceField(
        label=_("Interface language"),
        choices=LANGUAGE_CHOICES,
        widget=forms.RadioSelect,
        help_text=_(
            "The language of ETAGE's menus, pages, messages and e-mails to you. What people "
            "write (notes, names) stays as written."
        ),
    )
