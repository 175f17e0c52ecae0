"""Forms of the coding pages. Choices are limited to the project's own codes, transcripts,
coders and segments; the services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from etage.accounts.models import User
from etage.evaluation.models import Code, Memo, Project, Transcript
from etage.evaluation.selectors_coding import TurnView
from etage.households.text import contains_nir

_NIR_MESSAGE = _(
    "This text looks like it contains a social-security number (NIR). ETAGE must not hold "
    "it: remove the number and save again."
)


def _passage_choices(turns: tuple[TurnView, ...], *, ends: bool) -> list[Any]:
    """Sentences grouped by turn, the whole turn first: the value is where the passage starts
    (``ends=False``) or where it ends (``ends=True``)."""
    choices: list[Any] = [("", _("— choose —"))]
    for turn in turns:
        unit = turn.unit
        label = (
            _("Turn %(number)s — %(speaker)s") % {"number": unit.index, "speaker": unit.speaker}
            if unit.speaker
            else _("Turn %(number)s") % {"number": unit.index}
        )
        options = [
            (
                str(unit.end if ends else unit.start),
                _("Whole turn %(number)s") % {"number": unit.index},
            )
        ]
        options += [
            (
                str(s.end if ends else s.start),
                _("Sentence %(number)s: « %(preview)s »")
                % {"number": s.number, "preview": s.preview},
            )
            for s in turn.sentences
        ]
        choices.append((label, options))
    return choices


class SegmentForm(forms.Form):
    """Code a passage: selected with the mouse (``start``/``end`` filled in by the page's
    script) or, with the keyboard and without a script, from the lists of turns and
    sentences."""

    code = forms.ModelChoiceField(label=_("Code"), queryset=Code.objects.none())
    passage_start = forms.TypedChoiceField(
        label=_("Passage starts at"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_(
            "To code with the keyboard: choose the turn or sentence where the passage starts "
            "and the one where it ends. You can also select words in the text with the mouse."
        ),
    )
    passage_end = forms.TypedChoiceField(
        label=_("Passage ends at"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Leave empty to code up to the end of the sentence or turn chosen above."),
    )
    start = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    end = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(
        self, *args: Any, project: Project, turns: tuple[TurnView, ...], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.turns = turns
        self.fields["code"].queryset = Code.objects.filter(  # type: ignore[attr-defined]
            project=project, is_active=True
        ).order_by("position", "name", "pk")
        self.fields["code"].empty_label = _("— choose a code —")  # type: ignore[attr-defined]
        self.fields["passage_start"].choices = _passage_choices(turns, ends=False)  # type: ignore[attr-defined]
        self.fields["passage_end"].choices = _passage_choices(turns, ends=True)  # type: ignore[attr-defined]

    def _end_of(self, start: int) -> int:
        """Where the sentence (or turn) starting at ``start`` ends."""
        for turn in self.turns:
            for sentence in turn.sentences:
                if sentence.start == start:
                    return sentence.end
            if turn.unit.start == start:
                return turn.unit.end
        return start

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None:
            data["span"] = (start, end)
            return data
        first, last = data.get("passage_start"), data.get("passage_end")
        if first is None:
            if not self.has_error("passage_start"):
                self.add_error(
                    "passage_start",
                    _(
                        "Select the words to code: with the mouse in the text, or choose "
                        "where the passage starts in this list."
                    ),
                )
            return data
        last = self._end_of(first) if last is None else last
        if last <= first:
            self.add_error("passage_end", _("The end of the passage must come after its start."))
            return data
        data["span"] = (first, last)
        return data


class MemoForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Memo
        fields = ["title", "text", "transcript", "code"]
        widgets = {"text": forms.Textarea(attrs={"rows": 8})}
        labels = {"transcript": _("About the transcript"), "code": _("About the code")}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        transcripts = Transcript.objects.filter(interview__project=project)
        self.fields["transcript"].queryset = transcripts.select_related(  # type: ignore[attr-defined]
            "interview"
        ).order_by("interview__reference")
        self.fields["transcript"].label_from_instance = (  # type: ignore[attr-defined]
            lambda t: _("Interview %(reference)s") % {"reference": t.interview.reference}
        )
        self.fields["code"].queryset = Code.objects.filter(project=project).order_by(  # type: ignore[attr-defined]
            "position", "name", "pk"
        )
        if self.instance.pk is not None and not self.is_bound:
            self.fields["version"].initial = self.instance.version

    def clean_title(self) -> str:
        title = str(self.cleaned_data["title"])
        if contains_nir(title):
            raise forms.ValidationError(_NIR_MESSAGE)
        return title

    def clean_text(self) -> str:
        text = str(self.cleaned_data["text"])
        if contains_nir(text):
            raise forms.ValidationError(_NIR_MESSAGE)
        return text


def _coder_label(user: User) -> str:
    return str(user)


class AgreementForm(forms.Form):
    """The pair of coders and the transcript (optional) of the agreement page (GET)."""

    coder_a = forms.TypedChoiceField(label=_("Coder A"), coerce=int)
    coder_b = forms.TypedChoiceField(label=_("Coder B"), coerce=int)
    transcript = forms.TypedChoiceField(
        label=_("Transcript"), coerce=int, required=False, empty_value=None
    )

    def __init__(
        self, *args: Any, coders: list[User], transcripts: list[Transcript], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        people = [(str(u.pk), _coder_label(u)) for u in coders]
        self.fields["coder_a"].choices = people  # type: ignore[attr-defined]
        self.fields["coder_b"].choices = people  # type: ignore[attr-defined]
        self.fields["transcript"].choices = [  # type: ignore[attr-defined]
            ("", _("All transcripts coded by both")),
            *(
                (str(t.pk), _("Interview %(reference)s") % {"reference": t.interview.reference})
                for t in transcripts
            ),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("coder_a") is not None and data.get("coder_a") == data.get("coder_b"):
            self.add_error("coder_b", _("Choose two different coders."))
        return data


class PairForm(forms.Form):
    """The pair of coders of the reconciliation page (GET)."""

    coder_a = forms.TypedChoiceField(label=_("Coder A"), coerce=int)
    coder_b = forms.TypedChoiceField(label=_("Coder B"), coerce=int)

    def __init__(self, *args: Any, coders: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = [(str(u.pk), _coder_label(u)) for u in coders]
        self.fields["coder_a"].choices = people  # type: ignore[attr-defined]
        self.fields["coder_b"].choices = people  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("coder_a") is not None and data.get("coder_a") == data.get("coder_b"):
            self.add_error("coder_b", _("Choose two different coders."))
        return data


class DecisionForm(forms.Form):
    """One reconciliation decision (POST)."""

    turn = forms.IntegerField(min_value=1, required=False)
    action = forms.ChoiceField(
        choices=[
            ("keep_a", "keep_a"),
            ("keep_b", "keep_b"),
            ("keep_both", "keep_both"),
            ("drop", "drop"),
            ("reopen", "reopen"),
            ("agreed", "agreed"),
        ]
    )
    state = forms.CharField(required=False, max_length=4000)
    note = forms.CharField(required=False, max_length=2000)
