"""One form per pathway move. Each carries the version the person saw (optimistic concurrency)
and the date of the fact; ``payload()`` turns cleaned data into the event payload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etage.accounts.models import User
from etage.accounts.roles import Role
from etage.households.validators import reject_national_identifier
from etage.organisations.models import Organisation
from etage.situations.choices import (
    HousingStatus,
    InformationMethod,
    LegalBasis,
    Level,
    Orientation,
    Outcome,
    SuspensionReason,
)
from etage.situations.models import Situation


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class StepForm(forms.Form):
    occurred_on = forms.DateField(
        label=_("Date of the fact"),
        widget=DateInput(),
        help_text=_("When it happened, not when you record it."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, situation: Situation, **kwargs: Any) -> None:
        self.situation = situation
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("occurred_on", timezone.localdate())
        kwargs["initial"].setdefault("version", situation.version)
        super().__init__(*args, **kwargs)

    def clean_occurred_on(self) -> Any:
        value = self.cleaned_data["occurred_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date of the fact cannot be in the future."))
        return value

    def payload(self) -> dict[str, Any]:
        return {}


class InformForm(StepForm):
    method = forms.ChoiceField(
        label=_("How was the household informed?"),
        choices=InformationMethod.choices,
        widget=forms.RadioSelect,
    )
    emergency_reason = forms.CharField(
        label=_("Reason for the emergency exception"),
        required=False,
        max_length=250,
        help_text=_(
            "Required only for an emergency exception; the household is informed as soon as "
            "possible."
        ),
    )

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if (
            data.get("method") == InformationMethod.EMERGENCY
            and not data.get("emergency_reason", "").strip()
        ):
            self.add_error("emergency_reason", _("State the reason for the emergency exception."))
        return data

    def payload(self) -> dict[str, Any]:
        p = {"method": self.cleaned_data["method"]}
        if self.cleaned_data["method"] == InformationMethod.EMERGENCY:
            p["emergency_reason"] = self.cleaned_data["emergency_reason"].strip()
        return p


def _professionals(situation: Situation) -> forms.ModelChoiceField:
    members = situation.platform.memberships.filter(is_active=True).values("organisation_id")
    return forms.ModelChoiceField(
        label=_("Lead professional"),
        queryset=User.objects.filter(
            is_active=True,
            role__in=[Role.PROFESSIONAL, Role.COORDINATOR],
            organisation_id__in=members,
            # A partner working on several territories has one account per territory scope.
            territories=situation.platform.territory_id,
        )
        .select_related("organisation")
        .order_by("organisation__name", "last_name"),
        required=False,
        help_text=_("Required for coordination and AGR."),
    )


def _referents(situation: Situation) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Referent organisation"),
        queryset=Organisation.objects.filter(
            platform_memberships__platform=situation.platform,
            platform_memberships__is_active=True,
            is_active=True,
        ).order_by("name"),
        required=False,
        help_text=_("It joins the situation's sharing group."),
    )


class _LeadMixin(StepForm):
    def __init__(self, *args: Any, situation: Situation, **kwargs: Any) -> None:
        super().__init__(*args, situation=situation, **kwargs)
        self.fields["lead_professional"] = _professionals(situation)
        self.fields["referent_organisation"] = _referents(situation)
        self.fields["lead_professional"].label_from_instance = (  # type: ignore[attr-defined]
            lambda u: f"{u.get_full_name()} — {u.organisation.code}"
        )

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        lead, referent = data.get("lead_professional"), data.get("referent_organisation")
        if lead is not None and referent is None:
            data["referent_organisation"] = lead.organisation
        return data

    def lead_payload(self) -> dict[str, Any]:
        lead, referent = (
            self.cleaned_data.get("lead_professional"),
            self.cleaned_data.get("referent_organisation"),
        )
        return {
            "lead_professional_id": lead.pk if lead else None,
            "referent_organisation_id": referent.pk if referent else None,
        }


class OrientForm(_LeadMixin):
    orientation = forms.ChoiceField(
        label=_("Orientation"), choices=Orientation.choices, widget=forms.RadioSelect
    )

    def payload(self) -> dict[str, Any]:
        return {"orientation": self.cleaned_data["orientation"], **self.lead_payload()}


class ChangeLevelForm(_LeadMixin):
    level = forms.ChoiceField(label=_("New level"), choices=Level.choices, widget=forms.RadioSelect)

    def payload(self) -> dict[str, Any]:
        return {
            "level": self.cleaned_data["level"],
            "previous_level": self.situation.level,
            **self.lead_payload(),
        }


class StartSupportForm(StepForm):
    next_review_on = forms.DateField(
        label=_("First review"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty to use the platform's review interval."),
    )

    def payload(self) -> dict[str, Any]:
        return {"next_review_on": self.cleaned_data.get("next_review_on")}


class SuspendForm(StepForm):
    reason = forms.ChoiceField(
        label=_("Reason"), choices=SuspensionReason.choices, widget=forms.RadioSelect
    )

    def payload(self) -> dict[str, Any]:
        return {"reason": self.cleaned_data["reason"]}


class CloseForm(StepForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    exit_debt = forms.DecimalField(
        label=_("Debt at exit (€)"),
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("0 if the household owes nothing."),
    )
    housing_status = forms.ChoiceField(label=_("Housing at exit"), choices=HousingStatus.choices)

    def payload(self) -> dict[str, Any]:
        return {
            "outcome": self.cleaned_data["outcome"],
            "exit_debt": self.cleaned_data["exit_debt"],
            "housing_status": self.cleaned_data["housing_status"],
        }


YES_NO = [("yes", _("Yes")), ("no", _("No"))]
YES_NO_UNKNOWN = [*YES_NO, ("unknown", _("Unknown"))]


class FollowUpForm(StepForm):
    still_housed = forms.ChoiceField(
        label=_("Is the household still housed?"), choices=YES_NO_UNKNOWN, widget=forms.RadioSelect
    )
    arrears_over_3_months = forms.ChoiceField(
        label=_("Arrears of more than 3 months?"), choices=YES_NO_UNKNOWN, widget=forms.RadioSelect
    )

    def payload(self) -> dict[str, Any]:
        return {
            "still_housed": self.cleaned_data["still_housed"],
            "arrears_over_3_months": self.cleaned_data["arrears_over_3_months"],
        }


FORMS: dict[str, type[StepForm]] = {
    "inform": InformForm,
    "contact_reached": StepForm,
    "contact_unreachable": StepForm,
    "contact_refused": StepForm,
    "assess": StepForm,
    "orient": OrientForm,
    "start_support": StartSupportForm,
    "change_level": ChangeLevelForm,
    "suspend": SuspendForm,
    "resume": StepForm,
    "close": CloseForm,
    "follow_up_6": FollowUpForm,
    "follow_up_12": FollowUpForm,
    "archive": StepForm,
}


class ConsentForm(forms.Form):
    given_on = forms.DateField(label=_("Date of consent"), widget=DateInput())
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations the household agrees to share with"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("How it was collected"),
        required=False,
        max_length=250,
        help_text=_("For example: signed form kept by the CCAS."),
    )
    keep_landlord_history = forms.BooleanField(
        label=_("The household agrees that the landlord keeps its own follow-up after closure"),
        required=False,
        help_text=_(
            "Otherwise the notes, comments and documents of the landlord's staff are erased "
            "once the situation is closed."
        ),
    )

    def __init__(self, *args: Any, situation: Situation, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"given_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            platform_memberships__platform=situation.platform, is_active=True
        ).order_by("name")


class ShareForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.filter(is_active=True).order_by("name"),
    )
    legal_basis = forms.ChoiceField(
        label=_("Legal basis"),
        choices=[c for c in LegalBasis.choices if c[0] != LegalBasis.ORIGIN],
        widget=forms.RadioSelect,
    )


class RevokeShareForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=250)


class WithdrawConsentForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("Date of withdrawal"), widget=DateInput())


class CorrectDateForm(forms.Form):
    occurred_on = forms.DateField(label=_("Correct date of the fact"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=250,
        validators=[reject_national_identifier],
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
