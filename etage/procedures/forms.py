"""Forms of the procedure tracker. They shape the input; the services decide (permission,
dates, consistency) and their refusals are shown as form errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etage.procedures.choices import (
    AMOUNT_KINDS,
    DETAIL_FIELDS,
    KINDS_OF_TRACK,
    TRACKS_OF,
    AidKind,
    AidStatus,
    Decision,
    EventKind,
    JudgmentOutcome,
    LeaseClause,
    ProtectionMeasure,
    Right,
    Source,
    Track,
)
from etage.procedures.models import Aid, ProcedureEvent
from etage.situations.forms import DateInput
from etage.situations.models import Situation


def kind_choices(tracks: frozenset[str]) -> list[tuple[Any, Any]]:
    """Kinds grouped by procedure (``<optgroup>``), for the tracks the person may record."""
    groups: list[tuple[Any, Any]] = [("", _("Choose an event"))]
    for track in Track:
        if track in tracks:
            groups.append((track.label, [(k.value, k.label) for k in KINDS_OF_TRACK[track.value]]))
    return groups


class KindForm(forms.Form):
    kind = forms.ChoiceField(label=_("What happened?"))

    def __init__(self, *args: Any, tracks: frozenset[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices(tracks)  # type: ignore[attr-defined]


def _date_field(label: Any, help_text: Any = "", required: bool = False) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), help_text=help_text)


def _choice_field(label: Any, choices: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=choices, required=False, widget=forms.RadioSelect)


def _detail_fields() -> dict[str, forms.Field]:
    return {
        "lease_clause": _choice_field(
            _("What period does the lease clause give after a formal order to pay?"),
            LeaseClause.choices,
        ),
        "hearing_on": _date_field(_("Date of the hearing")),
        "adjourned_to": _date_field(
            _("Adjourned to"), _("Leave empty if the case was heard and put to deliberation.")
        ),
        "judgment_outcome": _choice_field(_("Decision"), JudgmentOutcome.choices),
        "until": _date_field(_("Extra time granted until")),
        "decision": _choice_field(_("Decision"), Decision.choices),
        "months": forms.IntegerField(
            label=_("Number of months"),
            required=False,
            min_value=1,
            max_value=60,
            help_text=_("Protocol: 24 months at most; extensions: 36 months at most in all."),
        ),
        "right": _choice_field(_("Right"), Right.choices),
        "measure": _choice_field(_("Measure"), ProtectionMeasure.choices),
    }


class EventForm(forms.Form):
    """The form for one kind of event: only the fields that kind uses."""

    kind = forms.CharField(widget=forms.HiddenInput, required=False)
    occurred_on = _date_field(
        _("Date of the fact"), _("When it happened, not when you record it."), required=True
    )
    source = forms.ChoiceField(label=_("Reported by"), choices=Source.choices)

    def __init__(
        self,
        *args: Any,
        kind: str,
        tracks: frozenset[str],
        correcting: ProcedureEvent | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("kind", kind)
        kwargs["initial"].setdefault("occurred_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.event_kind = kind
        self.label = EventKind(kind).label if kind in EventKind.values else ""
        both = [t for t in TRACKS_OF.get(kind, ()) if t in tracks]
        if len(both) > 1 and correcting is None:
            self.fields["track"] = forms.ChoiceField(
                label=_("Which procedure?"),
                choices=[(t.value, t.label) for t in both],
                widget=forms.RadioSelect,
                initial=both[0].value,
            )
        if kind in AMOUNT_KINDS:
            self.fields["amount"] = forms.DecimalField(
                label=_("Amount (€)"),
                required=False,
                min_value=0,
                max_digits=10,
                decimal_places=2,
            )
            self.fields["months_of_rent"] = forms.DecimalField(
                label=_("Months of rent"),
                required=False,
                min_value=0,
                max_digits=5,
                decimal_places=1,
            )
        available = _detail_fields()
        for name in DETAIL_FIELDS.get(kind, ()):
            self.fields[name] = available[name]
        if correcting is not None:
            self.fields["is_void"] = forms.BooleanField(
                label=_("This entry was recorded in error: cancel it"),
                required=False,
                help_text=_("The entry stays in the history, marked as recorded in error."),
            )

    def detail_names(self) -> tuple[str, ...]:
        return DETAIL_FIELDS.get(self.event_kind, ())

    def details(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.detail_names()}

    @staticmethod
    def initial_from(event: ProcedureEvent) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "kind": event.kind,
            "occurred_on": event.occurred_on,
            "source": event.source,
            "amount": event.amount,
            "months_of_rent": event.months_of_rent,
        }
        for key, value in (event.details or {}).items():
            initial[key] = value
        return initial


class BalanceForm(forms.Form):
    on = _date_field(_("Balance on"), required=True)
    amount = forms.DecimalField(
        label=_("Arrears (€)"),
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("0 if the household owes nothing."),
    )
    monthly_rent = forms.DecimalField(
        label=_("Monthly rent and charges (€)"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
        help_text=_(
            "What the arrears are measured against: net of housing benefit when the benefit is "
            "paid to the landlord. Leave empty to use the tenancy's rent."
        ),
    )
    source = forms.ChoiceField(label=_("Reported by"), choices=Source.choices)

    def __init__(self, *args: Any, situation: Situation, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("on", timezone.localdate())
        kwargs["initial"].setdefault("source", Source.LANDLORD)
        super().__init__(*args, **kwargs)


class AidForm(forms.Form):
    kind = forms.ChoiceField(label=_("Aid"), choices=AidKind.choices)
    status = forms.ChoiceField(
        label=_("Status"), choices=AidStatus.choices, widget=forms.RadioSelect
    )
    requested_on = _date_field(_("Requested on"), required=True)
    requested_amount = forms.DecimalField(
        label=_("Amount requested (€)"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
    )
    decision_on = _date_field(_("Decision on"))
    granted_amount = forms.DecimalField(
        label=_("Amount granted (€)"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
    )
    paid_on = _date_field(_("Paid on"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FIELDS = (
        "kind",
        "status",
        "requested_on",
        "requested_amount",
        "decision_on",
        "granted_amount",
        "paid_on",
    )

    def __init__(self, *args: Any, aid: Aid | None = None, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        if aid is not None:
            for name in self.FIELDS:
                initial.setdefault(name, getattr(aid, name))
            initial.setdefault("version", aid.version)
        else:
            initial.setdefault("status", AidStatus.REQUESTED)
            initial.setdefault("requested_on", timezone.localdate())
        super().__init__(*args, **kwargs)

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.FIELDS}
