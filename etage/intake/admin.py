from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from etage.core.admin_site import admin_site
from etage.intake.arrears.format import FIELD_NAMES, HEADERS, mapping_errors
from etage.intake.models import ImportProfile


class ImportProfileForm(forms.ModelForm):
    class Meta:
        model = ImportProfile
        fields = ["landlord", "column_mapping"]
        help_texts = {
            "column_mapping": format_lazy(
                _(
                    "A JSON object: for each ETAGE field whose header differs in the landlord's "
                    'extract, that header, e.g. {{"lease_reference": "N° bail"}}. Fields: '
                    "{fields}."
                ),
                fields=", ".join(f"{name} ({HEADERS[name]})" for name in FIELD_NAMES),
            )
        }

    def clean_column_mapping(self) -> Any:
        mapping = self.cleaned_data.get("column_mapping")
        if mapping in (None, ""):
            return {}
        problems = mapping_errors(mapping)
        if problems:
            raise forms.ValidationError(problems)
        return {key: value.strip() for key, value in mapping.items()}


class ImportProfileAdmin(admin.ModelAdmin):
    form = ImportProfileForm
    list_display = ["landlord", "updated_at"]
    search_fields = ["landlord__code", "landlord__name"]


admin_site.register(ImportProfile, ImportProfileAdmin)
