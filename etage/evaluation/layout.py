"""The sections of an evaluation project, shown as a sub-navigation on every project page."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from etage.evaluation.models import Project

#: (url name, label): each section's index page takes the project's pk as ``project_pk``.
SECTIONS: tuple[tuple[str, Promise], ...] = (
    ("evaluation:project", _("Overview")),
    ("evaluation:interviews", _("Interviews")),
    ("evaluation:codebook", _("Codebook")),
    ("evaluation:coding", _("Coding and agreement")),
    ("evaluation:retrieval", _("Retrieval and matrices")),
    ("evaluation:cases", _("Case studies")),
    ("evaluation:workshops", _("Workshops")),
    ("evaluation:matrix", _("Evaluation matrix")),
    ("evaluation:logic_model", _("Logic model")),
    ("scenarios:list", _("Scenarios")),
    ("evaluation:report", _("Report")),
)


@dataclass(frozen=True)
class NavItem:
    url: str
    label: str
    current: bool


def project_nav(project: Project, current: str) -> list[NavItem]:
    return [
        NavItem(reverse(name, kwargs={"project_pk": project.pk}), str(label), name == current)
        for name, label in SECTIONS
    ]


def project_context(project: Project, current: str, **extra: object) -> dict[str, object]:
    """The context every project page's template (``evaluation/project_base.html``) needs."""
    return {"project": project, "project_nav": project_nav(project, current), **extra}
