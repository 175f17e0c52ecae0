"""Analytics configuration in the back-office: the sourced cost parameters of the support
levels (the cost per household divides them by the households supported). Indicator values
are statistics computed by ``etage_indicators`` and are not edited by hand."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from etage.analytics.models import CostParameter
from etage.core.admin_site import admin_site
from etage.situations.choices import Level


class CostParameterForm(forms.ModelForm[CostParameter]):
    level = forms.ChoiceField(label=_("level"), choices=Level.choices)

    class Meta:
        model = CostParameter
        fields = ("year", "territory", "level", "annual_cost", "fte", "source")


class CostParameterAdmin(admin.ModelAdmin[CostParameter]):
    form = CostParameterForm
    list_display = ("year", "territory", "level", "annual_cost", "fte", "source")
    list_filter = ("year", "level")
    ordering = ("-year", "territory", "level")


admin_site.register(CostParameter, CostParameterAdmin)
