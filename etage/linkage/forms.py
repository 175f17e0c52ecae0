"""Forms of the review queue and of household merges."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from etage.households.validators import reject_national_identifier


class MergeChoiceForm(forms.Form):
    other = forms.TypedChoiceField(
        label=_("The other record of this household"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the household to merge with."),
            "invalid_choice": _("This household cannot be merged from here."),
        },
    )
    reason = forms.CharField(
        label=_("Why are these the same household?"),
        help_text=_("For example: same people, same address, recorded twice by two partners."),
        max_length=250,
        validators=[reject_national_identifier],
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why these two records are the same household.")},
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        other = self.fields["other"]
        assert isinstance(other, forms.TypedChoiceField)
        other.choices = choices


class MergeConfirmForm(forms.Form):
    other = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(max_length=250, widget=forms.HiddenInput)
    kept_version = forms.IntegerField(widget=forms.HiddenInput)
    absorbed_version = forms.IntegerField(widget=forms.HiddenInput)
