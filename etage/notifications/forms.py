from __future__ import annotations

from typing import Any

from django import forms

from etage.notifications.models import Delivery, NotificationKind


class PreferencesForm(forms.Form):
    """One choice per kind of notification: right away, in the daily digest, or never."""

    def __init__(self, *args: Any, current: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in NotificationKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                initial=current[kind.value],
                widget=forms.RadioSelect,
            )

    def deliveries(self) -> dict[str, str]:
        return {kind: self.cleaned_data[kind] for kind in NotificationKind.values}
