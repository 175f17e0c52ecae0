"""The filter form of the retrieval, the matrices and the exports (GET, French parameter
names from :mod:`etage.evaluation.retrieval`). Every choice is built from the project alone,
so a code, coder, territory or interview of another project is refused like any bad value."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from etage.accounts.models import User
from etage.evaluation import retrieval as r
from etage.evaluation.models import Interview, Project
from etage.evaluation.models.choices import InterviewMode, StakeholderType
from etage.territories.models import Territory


def _optional_int(value: str) -> int | None:
    return int(value) if value and value.isdigit() else None


class RetrievalForm(forms.Form):
    code = forms.ChoiceField(label=_("Code"), required=False)
    sous_codes = forms.BooleanField(label=_("Include the sub-codes"), required=False)
    codeur = forms.ChoiceField(label=_("Coding"), required=False)
    type = forms.ChoiceField(label=_("Stakeholder type"), required=False)
    territoire = forms.ChoiceField(label=_("Territory"), required=False)
    entretien = forms.ChoiceField(label=_("Interview"), required=False)
    format = forms.ChoiceField(label=_("Interview format"), required=False)
    avec = forms.ChoiceField(label=_("Only where it overlaps the code"), required=False)
    contexte = forms.ChoiceField(
        label=_("Context shown"),
        required=False,
        choices=[
            (r.CONTEXT_CHARS, _("Characters before and after")),
            (r.CONTEXT_TURN, _("The speaker turn")),
            (r.CONTEXT_TURNS, _("The speaker turn, the one before and the one after")),
        ],
    )
    caracteres = forms.IntegerField(
        label=_("Characters of context on each side"),
        required=False,
        min_value=0,
        max_value=r.MAX_CHARS,
        help_text=_("Used when the context is characters before and after."),
    )
    attribut = forms.ChoiceField(
        label=_("Columns"),
        required=False,
        choices=[
            (r.ATTRIBUTE_TYPE, _("Stakeholder type")),
            (r.ATTRIBUTE_TERRITORY, _("Territory")),
            (r.ATTRIBUTE_FORMAT, _("Interview format")),
        ],
    )

    def __init__(self, project: Project, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.nodes = r.code_tree(project)
        codes: list[tuple[str, Any]] = [
            (str(n.code.pk), "– " * n.depth + n.code.name) for n in self.nodes
        ]
        self._choices("code", [("", _("All codes")), *codes])
        self._choices("avec", [("", _("No condition")), *codes])
        coder_ids = set(
            r.usable_segments(project).values_list("coder_id", flat=True).distinct()
        ) | set(project.members.values_list("user_id", flat=True))
        coders = sorted(User.objects.filter(pk__in=coder_ids), key=lambda u: str(u).casefold())
        self._choices(
            "codeur",
            [
                ("", _("Every coder and the reconciled coding")),
                (r.CONSENSUS, _("Reconciled coding only")),
                *[(str(u.pk), str(u)) for u in coders],
            ],
        )
        self._choices("type", [("", _("All types")), *StakeholderType.choices])
        interviews = Interview.objects.filter(project=project).order_by("reference")
        territory_ids = set(interviews.values_list("territory_id", flat=True))
        territories: list[tuple[str, Any]] = [("", _("All territories"))] + [
            (str(t.pk), t.name)
            for t in Territory.objects.filter(pk__in=territory_ids - {None}).order_by("code")
        ]
        if None in territory_ids:
            territories.append((r.NO_TERRITORY, _("No territory")))
        self._choices("territoire", territories)
        self._choices(
            "entretien",
            [
                ("", _("All interviews")),
                *[
                    (str(i.pk), f"{i.reference} — {i.get_stakeholder_type_display()}")
                    for i in interviews
                ],
            ],
        )
        self._choices("format", [("", _("All formats")), *InterviewMode.choices])

    def _choices(self, name: str, choices: list[tuple[str, Any]]) -> None:
        cast(forms.ChoiceField, self.fields[name]).choices = choices

    def segment_filter(self) -> r.SegmentFilter:
        """The filter of a valid form (the empty filter otherwise)."""
        if not self.is_valid():
            return r.SegmentFilter()
        data = self.cleaned_data
        chars = data.get("caracteres")
        return r.SegmentFilter(
            code=_optional_int(data["code"]),
            descendants=bool(data["sous_codes"]),
            coder=_optional_int(data["codeur"]),
            consensus_only=data["codeur"] == r.CONSENSUS,
            stakeholder_type=data["type"],
            territory=_optional_int(data["territoire"]),
            no_territory=data["territoire"] == r.NO_TERRITORY,
            interview=_optional_int(data["entretien"]),
            mode=data["format"],
            cooccurs_with=_optional_int(data["avec"]),
            context=data["contexte"] or r.CONTEXT_CHARS,
            chars=r.DEFAULT_CHARS if chars is None else chars,
        )

    def attribute(self) -> str:
        value = self.cleaned_data.get("attribut") if self.is_valid() else ""
        return value or r.ATTRIBUTE_TYPE

    def attribute_label(self) -> str:
        return str(dict(cast(Any, self.fields["attribut"]).choices)[self.attribute()])

    def paths(self) -> dict[int, str]:
        return {n.code.pk: n.path for n in self.nodes}

    def summary(self) -> list[tuple[str, str]]:
        """(label, chosen value) of each filter in use, for the page and the documents."""
        if not self.is_valid():
            return []
        items = []
        for name in ("code", "avec", "codeur", "type", "territoire", "entretien", "format"):
            value = self.cleaned_data.get(name)
            if value:
                choices = dict(cast(Any, self.fields[name]).choices)
                items.append((str(self[name].label), str(choices.get(value, "")).lstrip("– ")))
        if self.cleaned_data.get("sous_codes"):
            items.append((str(self["sous_codes"].label), str(_("yes"))))
        return items
