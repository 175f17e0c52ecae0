"""Forms of the data-protection officers' pages: they shape what was typed; the services
decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etage.households.validators import reject_national_identifier
from etage.privacy.models import RequestChannel, RequestKind, RequestStatus
from etage.situations.forms import DateInput


class AccessRequestForm(forms.Form):
    person_name = forms.CharField(
        label=_("Name of the person, as given"),
        max_length=150,
        validators=[reject_national_identifier],
        help_text=_("Only the name: the register must not become a second file."),
    )
    kind = forms.ChoiceField(
        label=_("Right exercised"), choices=RequestKind.choices, widget=forms.RadioSelect
    )
    channel = forms.ChoiceField(
        label=_("Received by"), choices=RequestChannel.choices, widget=forms.RadioSelect
    )
    received_on = forms.DateField(label=_("Received on"), widget=DateInput())
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_national_identifier],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()


class AccessRequestUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=RequestStatus.choices, widget=forms.RadioSelect
    )
    refusal_reason = forms.CharField(
        label=_("Reason for refusing"),
        required=False,
        max_length=500,
        validators=[reject_national_identifier],
        help_text=_("Required when the request is refused."),
    )
    answered_on = forms.DateField(
        label=_("Answered on"),
        required=False,
        widget=DateInput(),
        help_text=_("Today if left empty, for an answered or refused request."),
    )
    answer = forms.FileField(
        label=_("Answer sent (PDF, DOCX, ODT…)"),
        required=False,
        help_text=_("Replaces the file attached before, if any."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_national_identifier],
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class PersonSearchForm(forms.Form):
    last_name = forms.CharField(label=_("Last name"), max_length=120)
    first_name = forms.CharField(label=_("First name"), max_length=120, required=False)
    birth_year = forms.IntegerField(
        label=_("Year of birth"), required=False, min_value=1900, max_value=2100
    )
    commune = forms.CharField(
        label=_("Commune (name or INSEE code)"), max_length=120, required=False
    )
    lease_reference = forms.CharField(label=_("Lease reference"), max_length=40, required=False)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=250,
        validators=[reject_national_identifier],
        help_text=_(
            "Written to the access log with every household shown, e.g. the number of the "
            "access request."
        ),
    )
