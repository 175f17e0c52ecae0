"""Forms of the meeting pages. The services are the authority (permission, state, version):
forms only shape and validate what the person typed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etage.accounts.models import User
from etage.accounts.roles import Role
from etage.households.validators import reject_national_identifier
from etage.meetings import integrations
from etage.meetings.choices import DecisionKind, MeetingStatus, PostponementReason
from etage.meetings.models import Meeting
from etage.meetings.services import DecisionInput
from etage.organisations.models import Organisation
from etage.situations.choices import Level, Orientation, Status
from etage.situations.forms import DateInput
from etage.situations.models import Situation


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Start"),
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
    )
    ends_at = forms.DateTimeField(
        label=_("End"),
        widget=DateTimeInput(),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("Room and address. Give the place, the video link, or both."),
    )
    video_link = forms.URLField(
        label=_("Video link"), max_length=500, required=False, assume_scheme="https"
    )

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end of the meeting must come after its start."))
        if not (data.get("place") or "").strip() and not data.get("video_link"):
            self.add_error("place", _("Give the place of the meeting or its video link."))
        return data


class MeetingEditForm(MeetingForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=MeetingStatus.choices, widget=forms.RadioSelect
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    @classmethod
    def for_meeting(cls, meeting: Meeting, data: Any = None) -> MeetingEditForm:
        return cls(
            data,
            initial={
                "starts_at": timezone.localtime(meeting.starts_at),
                "ends_at": timezone.localtime(meeting.ends_at) if meeting.ends_at else None,
                "place": meeting.place,
                "video_link": meeting.video_link,
                "status": meeting.status,
                "version": meeting.version,
            },
        )


class AgendaAddForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference of the situation"),
        max_length=20,
        help_text=_("For example T2-00042."),
    )


class FlagForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should the platform discuss it?"),
        max_length=250,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[reject_national_identifier],
        help_text=_("One or two factual sentences for the coordination; no health details."),
    )


def _kinds_for(situation: Situation) -> list[tuple[str, Any]]:
    """The decisions that make sense for the situation's status."""
    kinds: list[str] = []
    if situation.status in (Status.CONTACTED, Status.ASSESSED):
        kinds.append(DecisionKind.ORIENTATION)
    if situation.status == Status.IN_SUPPORT:
        kinds += [DecisionKind.LEVEL_CHANGE]
        if integrations.support_available():
            kinds.append(DecisionKind.CONTINUE)
    kinds += [DecisionKind.POSTPONEMENT, DecisionKind.OTHER]
    return [(k, DecisionKind(k).label) for k in kinds]


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    orientation = forms.ChoiceField(
        label=_("Orientation"),
        choices=Orientation.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    level = forms.ChoiceField(
        label=_("New level"), choices=Level.choices, widget=forms.RadioSelect, required=False
    )
    lead_professional = forms.ModelChoiceField(
        label=_("Lead professional"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Required for coordination and AGR."),
    )
    referent_organisation = forms.ModelChoiceField(
        label=_("Referent organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("It joins the situation's sharing group. By default, the lead's organisation."),
    )
    next_review_on = forms.DateField(label=_("Next review"), widget=DateInput(), required=False)
    postponement_reason = forms.ChoiceField(
        label=_("Reason for postponing"),
        choices=PostponementReason.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label=_("Decision note"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[reject_national_identifier],
        help_text=_(
            "Short and factual. Shown only to the organisations of the sharing group, in the "
            "members' version of the minutes; never in the circulation version."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, situation: Situation, meeting_day: dt.date, **kwargs: Any):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", situation.version)
        super().__init__(*args, **kwargs)
        self.situation = situation
        self.fields["kind"].choices = _kinds_for(situation)  # type: ignore[attr-defined]
        members = situation.platform.memberships.filter(is_active=True).values("organisation_id")
        lead: Any = self.fields["lead_professional"]
        lead.queryset = (
            User.objects.filter(
                is_active=True,
                role__in=[Role.PROFESSIONAL, Role.COORDINATOR],
                organisation_id__in=members,
                # As on the situation page: the accounts of the situation's territory.
                territories=situation.platform.territory_id,
            )
            .select_related("organisation")
            .order_by("organisation__name", "last_name", "first_name")
        )
        lead.label_from_instance = lambda u: f"{u.get_full_name()} — {u.organisation.code}"
        referent: Any = self.fields["referent_organisation"]
        referent.queryset = Organisation.objects.filter(
            platform_memberships__platform=situation.platform,
            platform_memberships__is_active=True,
            is_active=True,
        ).order_by("name")
        self.meeting_day = meeting_day
        # Only the fields that the decisions open to this situation use.
        kinds = {k for k, _label in self.fields["kind"].choices}  # type: ignore[attr-defined]
        if DecisionKind.ORIENTATION not in kinds:
            del self.fields["orientation"]
        if DecisionKind.LEVEL_CHANGE not in kinds:
            del self.fields["level"]
        if not kinds & {DecisionKind.ORIENTATION, DecisionKind.LEVEL_CHANGE}:
            del self.fields["lead_professional"]
            del self.fields["referent_organisation"]
        if DecisionKind.CONTINUE not in kinds:
            del self.fields["next_review_on"]
        else:
            self.fields["next_review_on"].help_text = _(
                "Required when the support continues; with a change of level, records the "
                "review too."
            )

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == DecisionKind.ORIENTATION and not data.get("orientation"):
            self.add_error("orientation", _("Choose the orientation."))
        if kind == DecisionKind.LEVEL_CHANGE and not data.get("level"):
            self.add_error("level", _("Choose the new support level."))
        review = data.get("next_review_on")
        if kind in (DecisionKind.CONTINUE, DecisionKind.LEVEL_CHANGE) and (
            (kind == DecisionKind.CONTINUE and review is None)
            or (review is not None and review <= self.meeting_day)
        ):
            self.add_error(
                "next_review_on", _("Give the date of the next review, after the meeting.")
            )
        if kind == DecisionKind.POSTPONEMENT and not data.get("postponement_reason"):
            self.add_error("postponement_reason", _("Give the reason for postponing."))
        lead, referent = data.get("lead_professional"), data.get("referent_organisation")
        if lead is not None and referent is None:
            data["referent_organisation"] = lead.organisation
        return data

    def to_input(self) -> DecisionInput:
        d = self.cleaned_data
        kind = d["kind"]
        lead, referent = d.get("lead_professional"), d.get("referent_organisation")
        names_people = kind in (DecisionKind.ORIENTATION, DecisionKind.LEVEL_CHANGE)
        return DecisionInput(
            kind=kind,
            expected_version=d["version"],
            orientation=d.get("orientation", "") if kind == DecisionKind.ORIENTATION else "",
            level=d.get("level", "") if kind == DecisionKind.LEVEL_CHANGE else "",
            lead_professional_id=lead.pk if lead and names_people else None,
            referent_organisation_id=referent.pk if referent and names_people else None,
            next_review_on=(
                d.get("next_review_on")
                if kind in (DecisionKind.CONTINUE, DecisionKind.LEVEL_CHANGE)
                else None
            ),
            postponement_reason=(
                d.get("postponement_reason", "") if kind == DecisionKind.POSTPONEMENT else ""
            ),
            note=d.get("note", ""),
        )


#: Decisions that may come with actions for the shared plan.
KINDS_WITH_ACTIONS = frozenset(
    {DecisionKind.ORIENTATION, DecisionKind.LEVEL_CHANGE, DecisionKind.CONTINUE}
)


class DecidedActionForm(forms.Form):
    """One action decided at the meeting, for the shared plan (support app)."""

    title = forms.CharField(
        label=_("Action decided"),
        max_length=200,
        required=False,
        validators=[reject_national_identifier],
        help_text=_("For example: apply to the housing solidarity fund (FSL)."),
    )
    theme: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Theme"), queryset=Organisation.objects.none(), required=False
    )
    objective_title = forms.CharField(
        label=_("Objective"),
        max_length=200,
        required=False,
        validators=[reject_national_identifier],
        help_text=_(
            "Optional: the objective of the plan it serves. By default, the objective of this "
            "theme in progress, or a new one named after the action."
        ),
    )
    owner_organisation = forms.ModelChoiceField(
        label=_("Organisation in charge"), queryset=Organisation.objects.none(), required=False
    )
    due_on = forms.DateField(label=_("Due date"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, situation: Situation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from etage.references.models import Theme

        theme: Any = self.fields["theme"]
        theme.queryset = Theme.objects.active().order_by("order", "label")
        owner: Any = self.fields["owner_organisation"]
        owner.queryset = Organisation.objects.filter(
            platform_memberships__platform_id=situation.platform_id,
            platform_memberships__is_active=True,
            is_active=True,
        ).order_by("name")

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if (data.get("title") or "").strip():
            for name in ("theme", "owner_organisation"):
                if not data.get(name):
                    self.add_error(name, _("Required for an action."))
        return data

    def to_action(self) -> integrations.DecidedAction | None:
        d = self.cleaned_data
        if not (d.get("title") or "").strip():
            return None
        return integrations.DecidedAction(
            theme_id=d["theme"].pk,
            title=d["title"].strip(),
            owner_organisation_id=d["owner_organisation"].pk,
            objective_title=(d.get("objective_title") or "").strip(),
            due_on=d.get("due_on"),
        )


DecidedActionFormSet = forms.formset_factory(DecidedActionForm, extra=2, max_num=5)


def actions_formset(situation: Situation, data: Any = None) -> Any:
    """The actions part of the decision form, when the shared plan exists on this
    installation and the situation's status allows a decision that comes with actions."""
    if not integrations.support_available():
        return None
    if not {k for k, _label in _kinds_for(situation)} & KINDS_WITH_ACTIONS:
        return None
    return DecidedActionFormSet(data, prefix="actions", form_kwargs={"situation": situation})
