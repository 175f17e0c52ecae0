"""Forms of the workshop pages: the workshop, its attendees and cards, the ballots (one form
per voting method, built from the workshop's cards), the facilitator's hand votes, and the
action plan. Choices are limited to the project (its members, cards, recommendations) and to
the indicator catalogue; the limits that matter (dots per person, full rankings) are enforced
again by :mod:`etage.evaluation.services_workshops`."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from etage.accounts.models import User
from etage.analytics.models import IndicatorDefinition
from etage.evaluation import voting
from etage.evaluation.models import (
    ActionItem,
    Card,
    Project,
    Recommendation,
    Workshop,
    WorkshopAttendee,
)
from etage.evaluation.models.choices import ActionStatus, ScoreCriterion, VotingMethod
from etage.evaluation.voting import HandScores
from etage.households.text import contains_nir
from etage.scenarios.models import Scenario

_NIR_MESSAGE = _(
    "This text looks like it contains a social-security number (NIR). ETAGE must not hold it: "
    "remove the number and save again."
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class _VersionedForm(forms.ModelForm):
    """A hidden ``version``: the service refuses a save made from a stale page."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    #: Free-text fields checked for a NIR (data-protection.md #15).
    free_text: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            self.fields["version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.free_text:
            if contains_nir(str(data.get(name) or "")):
                self.add_error(name, _NIR_MESSAGE)
        return data


class WorkshopForm(_VersionedForm):
    free_text = ("title", "agenda", "minutes")

    class Meta:
        model = Workshop
        fields = [
            "kind",
            "title",
            "held_on",
            "territory",
            "agenda",
            "minutes",
            "facilitator",
            "voting_method",
            "dots_per_person",
        ]
        widgets = {
            "held_on": DateInput(),
            "agenda": forms.Textarea(attrs={"rows": 5}),
            "minutes": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "facilitator": _(
                "A member of the project. The facilitator (or a lead evaluator) opens and "
                "closes the vote, types in hand votes and retains cards."
            ),
            "dots_per_person": _("For dot voting: how many dots each attendee may give."),
            "minutes": _("Attendees appear by stakeholder type only, never by name."),
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = User.objects.filter(evaluation_memberships__project=project, is_active=True)
        self.fields["facilitator"].queryset = members.order_by("last_name", "first_name")  # type: ignore[attr-defined]
        self.fields["dots_per_person"].widget.attrs.update({"min": 1, "max": 50})

    def clean_dots_per_person(self) -> int:
        value = int(self.cleaned_data["dots_per_person"])
        if not 1 <= value <= 50:
            raise forms.ValidationError(_("Give each attendee between 1 and 50 dots."))
        return value


class _AccountChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        organisation = getattr(obj.organisation, "code", "") if obj.organisation_id else ""
        name = obj.get_full_name() or obj.username
        return f"{name} ({organisation})" if organisation else name


class AttendeeForm(forms.ModelForm):
    user = _AccountChoice(
        label=_("ETAGE account (optional)"),
        queryset=User.objects.none(),
        required=False,
        help_text=_(
            "With an account, the attendee votes from their own device, on this workshop's "
            "voting page only."
        ),
    )

    class Meta:
        model = WorkshopAttendee
        fields = ["stakeholder_type", "user", "consent"]
        labels = {
            "consent": _("Consent recorded (to take part and to appear by type in the minutes)")
        }

    def __init__(self, *args: Any, workshop: Workshop, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workshop = workshop
        taken = WorkshopAttendee.objects.filter(workshop=workshop, user__isnull=False).values(
            "user"
        )
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(is_active=True)
            .exclude(pk__in=taken)
            .select_related("organisation")
            .order_by("last_name", "first_name", "username")
        )


class CardForm(_VersionedForm):
    free_text = ("title", "description")

    class Meta:
        model = Card
        fields = ["kind", "title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class EuroField(forms.DecimalField):
    """An amount in euros as people type it in French: ``12 500,50 €`` (spaces of any kind
    between thousands, a decimal comma, the sign)."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = "".join(value.replace("€", "").split())
        return super().to_python(value)


class _CardChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} — {obj.workshop.title}"


class ActionForm(_VersionedForm):
    free_text = ("title", "description", "owner")
    card = _CardChoice(label=_("Workshop card"), queryset=Card.objects.none(), required=False)

    class Meta:
        model = ActionItem
        fields = [
            "title",
            "description",
            "owner",
            "deadline",
            "budget",
            "status",
            "card",
            "recommendation",
            "scenario",
            "indicator",
        ]
        widgets = {"deadline": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "owner": _("A service or a role rather than a person's name."),
            "indicator": _(
                "An indicator of the catalogue, computed from the pathway data, that will show "
                "whether the action worked."
            ),
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["card"].queryset = (  # type: ignore[attr-defined]
            Card.objects.filter(workshop__project=project, retained=True)
            .select_related("workshop")
            .order_by("workshop__held_on", "position", "pk")
        )
        fields["card"].help_text = _("Only the retained cards of the project's workshops.")
        fields["recommendation"].queryset = Recommendation.objects.filter(  # type: ignore[attr-defined]
            project=project
        ).order_by("priority", "position", "pk")
        fields["scenario"].queryset = Scenario.objects.filter(project=project).order_by(  # type: ignore[attr-defined]
            "name", "pk"
        )
        fields["scenario"].help_text = _(
            "The scale-up scenario of the project that this action prepares, if any."
        )
        fields["indicator"].queryset = IndicatorDefinition.objects.order_by("family", "name")  # type: ignore[attr-defined]
        fields["budget"] = EuroField(
            label=fields["budget"].label,
            max_digits=12,
            decimal_places=2,
            required=False,
            localize=True,
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        )

    def clean_budget(self) -> Decimal | None:
        budget = self.cleaned_data.get("budget")
        if budget is not None and budget < 0:
            raise forms.ValidationError(_("A budget cannot be negative."))
        return budget


class ActionFilterForm(forms.Form):
    """The follow-up's filters (GET): a status, or only the late actions."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *ActionStatus.choices],
        required=False,
    )
    overdue = forms.BooleanField(label=_("Late actions only"), required=False)


# --- Ballots --------------------------------------------------------------------------------


def _rank_choices(count: int) -> list[tuple[str, str]]:
    return [("", "—")] + [(str(i), str(i)) for i in range(1, count + 1)]


_SCORE_CHOICES = [("", "—")] + [(str(i), str(i)) for i in range(1, 6)]


class BallotForm(forms.Form):
    """One attendee's ballot for the workshop's method: ``card_<pk>`` (dots or rank) or
    ``card_<pk>_<criterion>`` (scores). :meth:`values` gives what
    :func:`~etage.evaluation.services_workshops.ballot_cast` takes."""

    def __init__(
        self,
        *args: Any,
        workshop: Workshop,
        cards: Sequence[Card],
        ballot: dict[int, Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.method = workshop.voting_method
        self.cards = list(cards)
        for card in self.cards:
            if self.method == VotingMethod.DOTS:
                self.fields[f"card_{card.pk}"] = forms.IntegerField(
                    label=card.title,
                    help_text=escape(card.description),
                    min_value=0,
                    required=False,
                    initial=ballot.get(card.pk, 0),
                    widget=forms.NumberInput(
                        attrs={"min": 0, "max": workshop.dots_per_person, "class": "ballot-dots"}
                    ),
                )
            elif self.method == VotingMethod.RANKING:
                self.fields[f"card_{card.pk}"] = forms.TypedChoiceField(
                    label=card.title,
                    help_text=escape(card.description),
                    choices=_rank_choices(len(self.cards)),
                    coerce=int,
                    empty_value=None,
                    required=False,
                    initial=ballot.get(card.pk),
                )
            else:
                given = ballot.get(card.pk) or {}
                for criterion, label in ScoreCriterion.choices:
                    self.fields[f"card_{card.pk}_{criterion}"] = forms.TypedChoiceField(
                        label=label,
                        choices=_SCORE_CHOICES,
                        coerce=int,
                        empty_value=None,
                        required=False,
                        initial=given.get(criterion),
                    )

    def rows(self) -> list[tuple[Card, list[forms.BoundField]]]:
        """Each card with its field(s), for the template."""
        return [
            (card, [self[name] for name in self.fields if name.split("_")[1] == str(card.pk)])
            for card in self.cards
        ]

    def values(self) -> dict[int, Any]:
        data = self.cleaned_data
        if self.method == VotingMethod.SCORING:
            return {
                card.pk: {c: data.get(f"card_{card.pk}_{c}") for c in voting.CRITERIA}
                for card in self.cards
            }
        if self.method == VotingMethod.DOTS:
            return {card.pk: data.get(f"card_{card.pk}") or 0 for card in self.cards}
        return {card.pk: data.get(f"card_{card.pk}") for card in self.cards}


class HandVotesForm(forms.Form):
    """Per card, what the facilitator counted in the room: hands raised (dots), points counted
    on paper rankings (ranking), or the room's mean per criterion and how many people gave
    it (scoring). A blank card has no hand entry (a previous one is removed)."""

    def __init__(
        self,
        *args: Any,
        workshop: Workshop,
        cards: Sequence[Card],
        entries: dict[int, Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.method = workshop.voting_method
        self.cards = list(cards)
        for card in self.cards:
            entry = entries.get(card.pk)
            if self.method in (VotingMethod.DOTS, VotingMethod.RANKING):
                label = (
                    _("Hands raised for “%(card)s”")
                    if self.method == VotingMethod.DOTS
                    else _("Points counted for “%(card)s”")
                )
                self.fields[f"card_{card.pk}"] = forms.IntegerField(
                    label=label % {"card": card.title},
                    min_value=0,
                    max_value=10_000,
                    required=False,
                    initial=entry.dots if entry is not None else None,
                )
                continue
            self.fields[f"card_{card.pk}_people"] = forms.IntegerField(
                label=_("People who scored “%(card)s”") % {"card": card.title},
                min_value=1,
                max_value=10_000,
                required=False,
                initial=entry.dots if entry is not None else None,
            )
            for criterion, criterion_label in ScoreCriterion.choices:
                mean = (entry.scores or {}).get(criterion) if entry is not None else None
                self.fields[f"card_{card.pk}_{criterion}"] = forms.DecimalField(
                    label=_("%(criterion)s: mean for “%(card)s”")
                    % {"criterion": criterion_label, "card": card.title},
                    min_value=Decimal(voting.SCORE_MIN),
                    max_value=Decimal(voting.SCORE_MAX),
                    decimal_places=2,
                    required=False,
                    localize=True,
                    initial=Decimal(str(mean)) if mean is not None else None,
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 4}),
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.method == VotingMethod.SCORING:
            for card in self.cards:
                names = [f"card_{card.pk}_people"] + [
                    f"card_{card.pk}_{c}" for c in voting.CRITERIA
                ]
                filled = [data.get(name) is not None for name in names]
                if any(filled) and not all(filled):
                    raise forms.ValidationError(
                        _(
                            "For “%(card)s”, type in the number of people and the four means, "
                            "or leave all five blank."
                        )
                        % {"card": card.title}
                    )
        return data

    def rows(self) -> list[tuple[Card, list[forms.BoundField]]]:
        return [
            (card, [self[name] for name in self.fields if name.split("_")[1] == str(card.pk)])
            for card in self.cards
        ]

    def entries(self) -> dict[int, int | HandScores | None]:
        data = self.cleaned_data
        entries: dict[int, int | HandScores | None] = {}
        for card in self.cards:
            if self.method != VotingMethod.SCORING:
                entries[card.pk] = data.get(f"card_{card.pk}")
                continue
            people = data.get(f"card_{card.pk}_people")
            entries[card.pk] = (
                None
                if people is None
                else HandScores(
                    people=people,
                    means={c: data[f"card_{card.pk}_{c}"] for c in voting.CRITERIA},
                )
            )
        return entries
