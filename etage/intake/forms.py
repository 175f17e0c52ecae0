from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from etage.accounts.roles import Role
from etage.households.validators import reject_national_identifier
from etage.organisations.models import Organisation, OrganisationKind
from etage.situations.choices import Difficulty, EntryStage, Source, Urgency
from etage.territories.models import Commune

_SOURCE_BY_KIND = {
    OrganisationKind.LANDLORD: Source.LANDLORD_AGENCY,
    OrganisationKind.CCAS: Source.CCAS,
    OrganisationKind.MDM: Source.MDM,
    OrganisationKind.ASSOCIATION: Source.ASSOCIATION,
    OrganisationKind.CCAPEX: Source.CCAPEX,
    OrganisationKind.HEALTH: Source.HEALTH,
}


class ReferralForm(forms.Form):
    last_name = forms.CharField(
        label=_("Family name"), max_length=120, validators=[reject_national_identifier]
    )
    first_name = forms.CharField(
        label=_("First name"),
        max_length=120,
        required=False,
        validators=[reject_national_identifier],
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    adults = forms.IntegerField(
        label=_("Adults in the household"), min_value=1, max_value=20, initial=1
    )
    children = forms.IntegerField(label=_("Children"), min_value=0, max_value=20, initial=0)
    address = forms.CharField(
        label=_("Address"), max_length=250, help_text=_("Number, street, building, floor.")
    )
    commune = forms.ModelChoiceField(label=_("Commune"), queryset=Commune.objects.none())
    landlord = forms.ModelChoiceField(
        label=_("Landlord"), queryset=Organisation.objects.landlords()
    )
    lease_reference = forms.CharField(
        label=_("Lease reference"),
        max_length=40,
        required=False,
        help_text=_("If you know it: it helps find a situation already open."),
        validators=[reject_national_identifier],
    )
    difficulties = forms.MultipleChoiceField(
        label=_("Difficulties noticed"),
        choices=Difficulty.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    source = forms.ChoiceField(label=_("Who noticed it"), choices=Source.choices)
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        initial=Urgency.NORMAL,
    )
    entry_stage = forms.ChoiceField(
        label=_("Eviction procedure"), choices=EntryStage.choices, initial=EntryStage.UNKNOWN
    )
    description = forms.CharField(
        label=_("What you noticed"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Factual, relevant, not excessive: what you saw or heard, not opinions."),
        validators=[reject_national_identifier],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        communes = Commune.objects.filter(territory__isnull=False).select_related("territory")
        if user.territories.exists():
            communes = communes.filter(territory__in=user.territories.all())
        self.fields["commune"].queryset = communes.order_by("name")  # type: ignore[attr-defined]
        org = user.organisation
        if org is not None and not self.is_bound:
            if org.kind == OrganisationKind.LANDLORD:
                self.initial.setdefault("landlord", org.pk)
            default_source = (
                Source.CARETAKER
                if user.role == Role.SIGNALLER and org.kind == OrganisationKind.LANDLORD
                else Source.RENT_RECOVERY
                if user.role == Role.RENT_RECOVERY
                else _SOURCE_BY_KIND.get(org.kind, Source.LANDLORD_AGENCY)
            )
            self.initial.setdefault("source", default_source)
