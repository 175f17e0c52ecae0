"""The form of the report page: the three texts the lead evaluators write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from etage.evaluation.models import Project

MAX_TEXT = 50_000


class ReportTextsForm(forms.Form):
    summary = forms.CharField(
        label=_("Executive summary"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Leave a blank line between paragraphs."),
    )
    method_limits = forms.CharField(
        label=_("Method and its limits"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "The report adds the counts itself (interviews, workshops, coding, agreement, "
            "situations analysed): describe the choices made and what they leave out."
        ),
    )
    conclusions = forms.CharField(
        label=_("Conclusions"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    @classmethod
    def for_project(cls, project: Project, data: Any = None) -> ReportTextsForm:
        return cls(
            data,
            initial={
                "summary": project.summary,
                "method_limits": project.method_limits,
                "conclusions": project.conclusions,
                "version": project.version,
            },
        )
