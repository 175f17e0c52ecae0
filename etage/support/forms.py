"""Forms of coordinated support. They shape input; the services decide (permission, scope,
versions, sensitive terms), and their refusals come back as form errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etage.accounts.models import User
from etage.accounts.roles import Role
from etage.households.validators import reject_national_identifier
from etage.organisations.models import Organisation
from etage.references.models import ActionTemplate, Theme
from etage.situations.forms import DateInput
from etage.situations.models import Situation
from etage.support.choices import (
    ActionStatus,
    JournalKind,
    ObjectiveStatus,
    Progress,
    ReviewDecision,
    Visibility,
)
from etage.support.models import JournalEntry, Objective, PlanAction

GUIDANCE = _(
    "Factual, relevant, not excessive: write what was done and decided, not judgements. "
    "The household may ask to read it."
)


class SensitiveConfirmMixin(forms.Form):
    """A checkbox that templates show only after the service found sensitive terms
    (data-protection.md #16): nothing is saved until the writer confirms, or removes them."""

    confirm_sensitive = forms.BooleanField(
        label=_("I confirm these details are necessary for the support"), required=False
    )


class ObjectiveForm(forms.Form):
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=Theme.objects.none())
    theme_other = forms.CharField(
        label=_("Theme in your own words"),
        required=False,
        max_length=120,
        validators=[reject_national_identifier],
        help_text=_("Optional, when no theme of the list fits well."),
    )
    title = forms.CharField(
        label=_("Objective"),
        max_length=200,
        validators=[reject_national_identifier],
        help_text=_(
            "What the household and the professionals aim for, e.g. “Stop the debt growing”."
        ),
    )

    def __init__(self, *args: Any, objective: Objective | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = Q(active=True)
        if objective is not None:
            # An objective keeps its theme even after administrators retire it.
            offered |= Q(pk=objective.theme_id)
        self.fields["theme"].queryset = Theme.objects.filter(offered).order_by("order", "label")  # type: ignore[attr-defined]


class ObjectiveEditForm(ObjectiveForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=ObjectiveStatus.choices, widget=forms.RadioSelect
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


def platform_organisations(situation: Situation) -> Any:
    return Organisation.objects.filter(
        platform_memberships__platform_id=situation.platform_id,
        platform_memberships__is_active=True,
        is_active=True,
    ).order_by("name")


def platform_people(situation: Situation) -> Any:
    return (
        User.objects.filter(
            is_active=True,
            role__in=[Role.PROFESSIONAL, Role.COORDINATOR],
            organisation__platform_memberships__platform_id=situation.platform_id,
            organisation__platform_memberships__is_active=True,
        )
        .select_related("organisation")
        .order_by("organisation__name", "last_name", "first_name")
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.username} — {obj.organisation.code}"


class ActionForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Suggested action"),
        queryset=ActionTemplate.objects.none(),
        required=False,
        empty_label=_("None: I write my own"),
        help_text=_("Suggestions for the theme; or write the action below."),
    )
    title = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=200,
        validators=[reject_national_identifier],
        help_text=_("Your own wording (it replaces the suggestion)."),
    )
    owner_organisation = forms.ModelChoiceField(
        label=_("Organisation in charge"), queryset=Organisation.objects.none()
    )
    owner_person = PersonChoiceField(
        label=_("Person in charge"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody in particular"),
        help_text=_("Optional; must work for the organisation in charge."),
    )
    due_on = forms.DateField(label=_("Due date"), required=False, widget=DateInput())

    def __init__(
        self, *args: Any, situation: Situation, objective: Objective | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_organisation"].queryset = platform_organisations(situation)  # type: ignore[attr-defined]
        self.fields["owner_person"].queryset = platform_people(situation)  # type: ignore[attr-defined]
        templates = ActionTemplate.objects.active().select_related("theme")
        if objective is not None:
            templates = templates.filter(theme_id=objective.theme_id)
        self.fields["template"].queryset = templates  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        title = (data.get("title") or "").strip()
        template = data.get("template")
        if not title and template is not None:
            data["title"] = template.label
        elif not title and "title" not in self.errors:
            self.add_error("title", _("Choose a suggested action or write your own."))
        person, organisation = data.get("owner_person"), data.get("owner_organisation")
        if (
            person is not None
            and organisation is not None
            and person.organisation_id != organisation.pk
        ):
            self.add_error(
                "owner_person",
                _("This person does not work for %(org)s.") % {"org": organisation.name},
            )
        return data


class ActionEditForm(ActionForm):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, action: PlanAction, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "title": action.title,
                "owner_organisation": action.owner_organisation_id,
                "owner_person": action.owner_person_id,
                "due_on": action.due_on,
                "status": action.status,
                "version": action.version,
            },
        )
        super().__init__(*args, objective=action.objective, **kwargs)
        del self.fields["template"]
        self.fields["title"].required = True
        self.fields["title"].help_text = ""


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


class CommentForm(SensitiveConfirmMixin):
    text = forms.CharField(
        label=_("Comment"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_national_identifier],
        help_text=GUIDANCE,
    )


class JournalEntryForm(SensitiveConfirmMixin):
    kind = forms.ChoiceField(label=_("Kind"), choices=JournalKind.choices, widget=forms.RadioSelect)
    occurred_on = forms.DateField(
        label=_("Date of the fact"),
        widget=DateInput(),
        help_text=_("When it happened, not when you write it."),
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=Visibility.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("What happened"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        validators=[reject_national_identifier],
        help_text=GUIDANCE,
    )
    corrects = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, situation: Situation, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("occurred_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.situation = situation
        org = getattr(user.organisation, "name", "")
        self.fields["visibility"].choices = [  # type: ignore[attr-defined]
            (Visibility.GROUP, _("Shared with the sharing group")),
            (
                Visibility.ORGANISATION,
                _("Private to my organisation (%(org)s)") % {"org": org}
                if org
                else Visibility.ORGANISATION.label,
            ),
        ]

    def clean_occurred_on(self) -> Any:
        value = self.cleaned_data["occurred_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date of the fact cannot be in the future."))
        if value < self.situation.identified_on:
            raise forms.ValidationError(
                _("The date cannot be before the identification date (%(d)s).")
                % {"d": self.situation.identified_on.strftime("%d/%m/%Y")}
            )
        return value


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        # The service checks emptiness, size and type, with its own messages.
        allow_empty_file=True,
        help_text=_("PDF, image (PNG, JPEG), Word, Excel, OpenDocument text or plain text."),
    )
    kind_label = forms.CharField(
        label=_("Kind of document"),
        required=False,
        max_length=100,
        validators=[reject_national_identifier],
        help_text=_("For example: CAF letter, repayment plan, summons."),
    )
    journal_entry = forms.ModelChoiceField(
        label=_("Attach to a journal entry"),
        queryset=JournalEntry.objects.none(),
        required=False,
        empty_label=_("No: a document of the situation"),
        help_text=_("A document attached to a private entry is private too."),
    )

    def __init__(self, *args: Any, entries: Any, limit: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["journal_entry"].queryset = entries  # type: ignore[attr-defined]
        self.fields["journal_entry"].label_from_instance = (  # type: ignore[attr-defined]
            lambda e: (
                f"{e.occurred_on:%d/%m/%Y} — {e.get_kind_display()} ({e.author_organisation.code})"
            )
        )
        size = f"{limit / (1024 * 1024):.0f}"
        self.fields["file"].help_text = _(
            "PDF, image (PNG, JPEG), Word (DOCX), Excel (XLSX), OpenDocument text (ODT) or plain "
            "text (TXT); %(size)s MiB at most."
        ) % {"size": size}


class ReviewForm(forms.Form):
    held_on = forms.DateField(label=_("Date of the review"), widget=DateInput())
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ReviewDecision.choices, widget=forms.RadioSelect
    )
    next_review_on = forms.DateField(
        label=_("Next review"),
        widget=DateInput(),
        help_text=_("By default, the platform's review interval after this review."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ProgressForm(forms.Form):
    progress = forms.ChoiceField(
        label=_("Progress"), choices=Progress.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=500,
        validators=[reject_national_identifier],
        help_text=GUIDANCE,
    )

    def __init__(self, *args: Any, objective: Objective, **kwargs: Any) -> None:
        kwargs["prefix"] = f"objectif-{objective.pk}"
        super().__init__(*args, **kwargs)
        self.objective = objective


class JournalFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *JournalKind.choices]  # type: ignore[attr-defined]
