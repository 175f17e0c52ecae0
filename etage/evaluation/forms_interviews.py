"""Forms of the interview register: the interview, its consent and withdrawal, the
transcript upload and its confirmation, and the register's filters. Forms check what they
can show next to a field; the services check everything again."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from etage.evaluation.models import Interview, Project
from etage.evaluation.models.choices import ConsentForm, InterviewMode, StakeholderType
from etage.evaluation.selectors_interviews import RegisterFilters
from etage.evaluation.services_interviews import (
    INTERVIEW_FIELDS,
    MAX_EXTRA_NAMES,
)
from etage.evaluation.transcripts import MAX_TRANSCRIPT_BYTES
from etage.households.text import contains_nir
from etage.organisations.models import Organisation
from etage.situations.forms import DateInput
from etage.territories.models import Territory

_NIR_MESSAGE = _(
    "This text looks like it contains a social-security number (NIR). ETAGE must not hold "
    "it: remove the number and save again."
)


def _not_in_future(day: datetime.date) -> datetime.date:
    if day > timezone.localdate():
        raise forms.ValidationError(_("This date is in the future."))
    return day


class InterviewForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Interview
        fields = list(INTERVIEW_FIELDS)
        widgets = {
            "held_on": DateInput(),
            "mode": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "reference": _(
                "A short anonymous code such as E07, listed in the report's annex. Never a "
                "name or initials."
            ),
            "notes": _(
                "Context of the interview (place, duration, conditions). No name: describe "
                "people by their role."
            ),
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            is_active=True
        ).order_by("name")
        self.fields["territory"].queryset = Territory.objects.order_by("code")  # type: ignore[attr-defined]
        self.fields["participants"].widget.attrs["min"] = 1
        self.fields["reference"].widget.attrs["autocomplete"] = "off"
        if self.instance.pk is not None and not self.is_bound:
            self.fields["version"].initial = self.instance.version

    def clean_reference(self) -> str:
        reference = " ".join(self.cleaned_data["reference"].split())
        taken = Interview.objects.filter(project=self.project, reference=reference)
        if self.instance.pk is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("Reference %(reference)s is already used in this project: choose another one."),
                params={"reference": reference},
            )
        return reference

    def clean_participants(self) -> int:
        participants = int(self.cleaned_data["participants"])
        if participants < 1:
            raise forms.ValidationError(_("An interview has at least one participant."))
        return participants

    def clean_notes(self) -> str:
        notes = self.cleaned_data["notes"].strip()
        if contains_nir(notes):
            raise forms.ValidationError(_NIR_MESSAGE)
        return notes

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == InterviewMode.COLLECTIVE and data.get("participants") == 1:
            self.add_error(
                "participants", _("A collective interview has at least two participants.")
            )
        return data


class ConsentRecordForm(forms.Form):
    given_on = forms.DateField(label=_("Consent given on"), widget=DateInput())
    form = forms.ChoiceField(
        label=pgettext_lazy("consent", "Form"),
        choices=ConsentForm.choices,
        widget=forms.RadioSelect,
    )
    recording = forms.BooleanField(label=_("Recording agreed"), required=False, initial=True)
    quotation = forms.BooleanField(
        label=_("Pseudonymised quotations agreed"),
        required=False,
        initial=True,
        help_text=_("Without it, excerpts of this interview are coded but never quoted."),
    )

    def clean_given_on(self) -> datetime.date:
        return _not_in_future(self.cleaned_data["given_on"])


class WithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("Consent withdrawn on"), widget=DateInput())
    erase_transcript = forms.BooleanField(
        label=_("Also erase the transcript and its coded excerpts"),
        required=False,
        help_text=_(
            "When the interviewee asks for their words to be erased. Cannot be undone: the "
            "transcript, its coded excerpts and their memos are deleted; the register keeps "
            "the interview's line, which names no one."
        ),
    )

    def clean_withdrawn_on(self) -> datetime.date:
        return _not_in_future(self.cleaned_data["withdrawn_on"])


class TranscriptUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Transcript file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.docx"}),
    )
    extra_names = forms.CharField(
        label=_("Other names to replace"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "One per line (people, places, organisations that would identify someone). "
            "Speakers' names, e-mail addresses, phone numbers and street addresses are found "
            "without help. These names are used once and never stored."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("A .txt or .docx file of at most %(size)d MB.") % {
            "size": MAX_TRANSCRIPT_BYTES // (1024 * 1024)
        }

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        # Checked before reading: the file is not loaded to find out it is too large.
        if upload.size > MAX_TRANSCRIPT_BYTES:
            raise forms.ValidationError(
                _("The file is too large: transcripts are limited to %(size)d MB."),
                params={"size": MAX_TRANSCRIPT_BYTES // (1024 * 1024)},
            )
        if not upload.name.lower().endswith((".txt", ".docx")):
            raise forms.ValidationError(_("Only .txt and .docx transcripts can be read."))
        return upload

    def clean_extra_names(self) -> str:
        names = [line for line in self.cleaned_data["extra_names"].splitlines() if line.strip()]
        if len(names) > MAX_EXTRA_NAMES:
            raise forms.ValidationError(
                _("Give at most %(count)d names to replace."), params={"count": MAX_EXTRA_NAMES}
            )
        return str(self.cleaned_data["extra_names"])


class TranscriptConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


class RegisterFilterForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Stakeholder type"),
        required=False,
        choices=[("", _("All types")), *StakeholderType.choices],
    )
    territoire = forms.ModelChoiceField(
        label=_("Territory"),
        required=False,
        queryset=Territory.objects.order_by("code"),
        empty_label=_("All territories"),
    )
    consentement = forms.ChoiceField(
        label=_("Consent"),
        required=False,
        choices=[
            ("", _("All statuses")),
            ("given", pgettext_lazy("consent status", "Given")),
            ("withdrawn", pgettext_lazy("consent status", "Withdrawn")),
            ("missing", pgettext_lazy("consent status", "Missing")),
        ],
    )

    def filters(self) -> RegisterFilters:
        """The valid filters (an invalid value is ignored, the others still apply)."""
        if not self.is_bound:
            return RegisterFilters()
        self.is_valid()
        data = self.cleaned_data
        territory = data.get("territoire")
        return RegisterFilters(
            stakeholder_type=data.get("type") or "",
            territory=territory.pk if territory else None,
            consent=data.get("consentement") or "",
        )
