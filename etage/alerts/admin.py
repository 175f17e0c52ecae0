"""Early-warning rules in the configuration back-office. Candidates are case data and are
never registered here (data-protection.md #8)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from etage.alerts.models import WarningRule
from etage.alerts.rules import STAGE_RANKS, RuleKind, parameter_errors
from etage.core.admin_site import admin_site
from etage.procedures.choices import EventKind

_STAGE_CHOICES = [(k.value, k.label) for k in EventKind if k.value in STAGE_RANKS]

#: Form field → (parameter name, kinds that use it).
_PARAMETER_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "months": ("months", (RuleKind.DEBT_MONTHS,)),
    "rise": ("rise", (RuleKind.DEBT_RISING,)),
    "period": ("period", (RuleKind.DEBT_RISING,)),
    "count": ("count", (RuleKind.COMPLAINTS,)),
    "days": ("days", (RuleKind.COMPLAINTS, RuleKind.NO_PAYMENT)),
    "stages": ("stages", (RuleKind.PROCEDURE_STAGE,)),
}


class WarningRuleForm(forms.ModelForm):
    """One typed field per parameter, instead of raw JSON; only those of the chosen kind are
    kept."""

    months = forms.DecimalField(
        label=_("Debt threshold (months of rent)"),
        required=False,
        max_digits=4,
        decimal_places=1,
        help_text=_("Kind « debt of at least X months »."),
    )
    rise = forms.DecimalField(
        label=_("Rise of the debt (months of rent)"),
        required=False,
        max_digits=4,
        decimal_places=1,
        help_text=_("Kind « debt rising »."),
    )
    period = forms.IntegerField(
        label=_("Over how many months"), required=False, help_text=_("Kind « debt rising ».")
    )
    count = forms.IntegerField(
        label=_("Number of complaints"), required=False, help_text=_("Kind « complaints ».")
    )
    days = forms.IntegerField(
        label=_("Period (days)"),
        required=False,
        help_text=_("Kinds « complaints » (period counted) and « no payment » (days without)."),
    )
    stages = forms.MultipleChoiceField(
        label=_("Procedure stages"),
        required=False,
        choices=_STAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kind « procedure stage reached »: the rule triggers at any stage ticked."),
    )

    class Meta:
        model = WarningRule
        fields = ["territory", "code", "kind", "is_active", "weight", "order"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (param, _kinds) in _PARAMETER_FIELDS.items():
            if param in (self.instance.parameters or {}):
                self.initial.setdefault(name, self.instance.parameters[param])

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        kind = cleaned.get("kind", "")
        parameters: dict[str, Any] = {}
        for name, (param, kinds) in _PARAMETER_FIELDS.items():
            value = cleaned.get(name)
            if kind in kinds and value not in (None, "", []):
                parameters[param] = str(value) if isinstance(value, Decimal) else value
        for message in parameter_errors(kind, parameters) if kind else []:
            self.add_error(None, message)
        self.instance.parameters = parameters
        return cleaned


class WarningRuleAdmin(admin.ModelAdmin):
    form = WarningRuleForm
    list_display = ("territory", "order", "code", "kind", "parameters", "weight", "is_active")
    list_filter = ("territory", "kind", "is_active")
    list_select_related = ("territory",)
    search_fields = ("code",)
    fieldsets = (
        (None, {"fields": ("territory", "code", "kind", "is_active", "weight", "order")}),
        (_("Parameters"), {"fields": ("months", "rise", "period", "count", "days", "stages")}),
    )


admin_site.register(WarningRule, WarningRuleAdmin)
