"""Forms of the evaluation matrix and the logic model. Choices are limited to the project's
own codes, case studies and workshops (the scope), and to the indicator catalogue."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from etage.analytics.models import IndicatorDefinition
from etage.evaluation.models import (
    CaseStudy,
    Code,
    EvaluativeQuestion,
    LogicModelNode,
    Project,
    Recommendation,
    Workshop,
)

_INDICATORS_HELP = _(
    "Indicators of the catalogue computed from the pathway data. The list fills in after the "
    "first computation of the indicators."
)


class _VersionedForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            self.fields["version"].initial = self.instance.version


class QuestionForm(_VersionedForm):
    codes = forms.ModelMultipleChoiceField(
        label=_("Codes that document it"),
        queryset=Code.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = EvaluativeQuestion
        fields = [
            "number",
            "text",
            "criterion",
            "judgement_criteria",
            "indicators",
            "case_studies",
            "workshops",
            "findings",
        ]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "judgement_criteria": forms.Textarea(attrs={"rows": 3}),
            "findings": forms.Textarea(attrs={"rows": 5}),
            "indicators": forms.CheckboxSelectMultiple,
            "case_studies": forms.CheckboxSelectMultiple,
            "workshops": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        fields = self.fields
        fields["indicators"].queryset = IndicatorDefinition.objects.order_by(  # type: ignore[attr-defined]
            "family", "name"
        )
        fields["indicators"].help_text = _INDICATORS_HELP
        fields["case_studies"].queryset = CaseStudy.objects.filter(project=project)  # type: ignore[attr-defined]
        fields["workshops"].queryset = Workshop.objects.filter(project=project)  # type: ignore[attr-defined]
        fields["codes"].queryset = Code.objects.filter(  # type: ignore[attr-defined]
            project=project, is_active=True
        ).order_by("name")
        if self.instance.pk is not None and not self.is_bound:
            fields["codes"].initial = list(self.instance.codes.values_list("pk", flat=True))

    def clean_number(self) -> int:
        number = self.cleaned_data["number"]
        taken = EvaluativeQuestion.objects.filter(project=self.project, number=number)
        if self.instance.pk is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("Question %(number)s already exists in this project: choose another number."),
                params={"number": number},
            )
        return int(number)


class RecommendationForm(_VersionedForm):
    class Meta:
        model = Recommendation
        fields = ["question", "text", "priority", "position"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = EvaluativeQuestion.objects.filter(  # type: ignore[attr-defined]
            project=project
        ).order_by("number")
        self.fields["question"].required = False


class LogicNodeForm(_VersionedForm):
    class Meta:
        model = LogicModelNode
        fields = ["stage", "text", "indicators", "position"]
        widgets = {"indicators": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicators"].queryset = IndicatorDefinition.objects.order_by(  # type: ignore[attr-defined]
            "family", "name"
        )
        self.fields["indicators"].help_text = _INDICATORS_HELP
