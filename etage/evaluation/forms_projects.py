"""Forms of the project pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from etage.accounts.models import User
from etage.accounts.roles import Role
from etage.evaluation.models import Project, ProjectMember


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["name", "description"]


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Evaluator"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Role in the project"), choices=ProjectMember.Role.choices)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = ProjectMember.objects.filter(project=project).values("user")
        queryset = (
            User.objects.filter(role=Role.EVALUATOR, is_active=True)
            .exclude(pk__in=members)
            .order_by("last_name", "first_name", "username")
        )
        self.fields["user"].queryset = queryset  # type: ignore[attr-defined]
