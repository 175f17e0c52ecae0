from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from etage.alerts.models import RULE_KIND_CHOICES, Candidate, CandidateStatus, DismissalReason
from etage.alerts.rules import ENTRY_STAGE_OF_RANK, RuleKind, stage_rank
from etage.households.validators import reject_national_identifier
from etage.intake.forms import ReferralForm
from etage.situations.choices import Difficulty, Source, Urgency
from etage.territories.models import Commune, Territory


class CandidateFilterForm(forms.Form):
    territory = forms.ModelChoiceField(
        label=_("Territory"), queryset=Territory.objects.none(), required=False
    )
    commune = forms.ModelChoiceField(
        label=_("Commune"), queryset=Commune.objects.none(), required=False
    )
    rule = forms.ChoiceField(
        label=_("Rule triggered"),
        choices=[("", _("Any rule")), *RULE_KIND_CHOICES],
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=CandidateStatus.choices,
        required=False,
        initial=CandidateStatus.OPEN,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        territories = user.territories.order_by("code")
        self.fields["territory"].queryset = territories  # type: ignore[attr-defined]
        self.fields["commune"].queryset = Commune.objects.filter(  # type: ignore[attr-defined]
            territory__in=territories
        ).order_by("name")


class DismissForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why dismiss this candidate?"),
        choices=DismissalReason.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required for « Other ». Factual, relevant, not excessive. The candidate comes back "
            "only if the signal gets worse."
        ),
        validators=[reject_national_identifier],
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if (
            cleaned.get("reason") == DismissalReason.OTHER
            and not cleaned.get("comment", "").strip()
        ):
            self.add_error("comment", _("Say in a few words why this candidate is dismissed."))
        return cleaned


class CandidateReferralForm(ReferralForm):
    """The referral form, pre-filled from a candidate: the social worker checks it and
    submits. The landlord and the lease stay those of the candidate."""

    entry_debt = forms.DecimalField(
        label=_("Debt when identified (€)"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, candidate: Candidate, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["landlord"].disabled = True
        self.fields["lease_reference"].disabled = True
        self.fields["landlord"].help_text = _("The candidate's landlord.")
        self.fields["lease_reference"].help_text = _("The lease of the candidate.")
        if not self.is_bound:
            self.initial.update(initial_from_candidate(candidate))
        else:
            # Disabled fields take their value from the initial data, never from the post.
            self.initial.update(
                landlord=candidate.landlord_id, lease_reference=candidate.lease_reference
            )


def initial_from_candidate(candidate: Candidate) -> dict[str, Any]:
    last_name, first_name = candidate.first_tenant
    kinds = {t.get("kind") for t in candidate.triggers}
    difficulties = []
    if candidate.balance > 0 or kinds & {RuleKind.DEBT_MONTHS, RuleKind.DEBT_RISING}:
        difficulties.append(Difficulty.RENT_ARREARS)
    if RuleKind.COMPLAINTS in kinds:
        difficulties.append(Difficulty.NEIGHBOURHOOD)
    rank = stage_rank(candidate.procedure_stage)
    reasons = "; ".join(candidate.reasons())
    description = str(
        _("Early warning (landlord's extract of %(date)s): %(reasons)s.")
        % {"date": candidate.balance_on.strftime("%d/%m/%Y"), "reasons": reasons}
    )
    return {
        "last_name": last_name,
        "first_name": first_name,
        "address": candidate.address,
        "commune": candidate.commune_id,
        "landlord": candidate.landlord_id,
        "lease_reference": candidate.lease_reference,
        "difficulties": difficulties,
        "source": Source.LANDLORD_AGENCY,
        "urgency": Urgency.URGENT if rank >= 4 else Urgency.NORMAL,
        "entry_stage": ENTRY_STAGE_OF_RANK[rank],
        "entry_debt": candidate.balance,
        "description": description if reasons else "",
        "version": candidate.version,
    }
