from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from etage.households.models import Household, Person


class HouseholdForm(forms.ModelForm):  # type: ignore[type-arg,unused-ignore]
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Household
        fields = ["adults", "children", "phone", "resources_band"]


PersonFormSet = inlineformset_factory(
    Household,
    Person,
    fields=["last_name", "first_name", "birth_year", "relationship"],
    extra=1,
    can_delete=True,
    min_num=1,
    validate_min=True,
)
PersonFormSet.deletion_widget = forms.CheckboxInput
DELETE_LABEL = _("Remove this person")
