"""Forms of the case studies: the draw, a case's summary and pins, the cells of the two
triangulation matrices. Choices come from the project (its interviews, its excerpts) or from
the snapshot (territories, the case's moments); the services check again."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from etage.analytics.filters import LEVEL_CODES, Filters
from etage.analytics.forms import MonthInput, level_label
from etage.evaluation.models.choices import Verdict
from etage.evaluation.sampling import DEFAULT_BY, STRATUM_COLUMNS
from etage.evaluation.selectors_cases import STRATUM_LABELS
from etage.households.validators import reject_national_identifier

#: Largest sample one draw may take (a case study is read at 360°: a few dozen at most).
MAX_SAMPLE = 200
MAX_SEED = 2**63 - 1
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
#: Stratification columns offered, the default ones first.
BY_ORDER = (*DEFAULT_BY, *(c for c in STRATUM_COLUMNS if c not in DEFAULT_BY))


class DrawForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("How many cases"),
        choices=[
            ("total", _("A total, shared among the strata")),
            ("per_stratum", _("The same number from every stratum")),
        ],
        initial="total",
        widget=forms.RadioSelect,
    )
    size = forms.IntegerField(
        label=_("Number of cases (in total, or per stratum)"),
        min_value=1,
        max_value=MAX_SAMPLE,
        initial=12,
    )
    allocation = forms.ChoiceField(
        label=_("Sharing of a total among the strata"),
        choices=[
            ("proportional", _("Proportional to the size of each stratum (at least one each)")),
            ("equal", _("As equal as possible between strata")),
        ],
        initial="proportional",
        widget=forms.RadioSelect,
        help_text=_("Used only with a total."),
    )
    by = forms.MultipleChoiceField(
        label=_("Strata"),
        choices=[(c, STRATUM_LABELS[c]) for c in BY_ORDER],
        initial=list(DEFAULT_BY),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Territory × support level × outcome family by default."),
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        max_value=MAX_SEED,
        help_text=_(
            "Chosen at random for you. Keep it: the same snapshot, seed and settings give the "
            "same cases, which is how the draw is verified later."
        ),
    )
    period_from = forms.CharField(
        label=_("Identified from (month, optional)"), required=False, widget=MonthInput
    )
    period_to = forms.CharField(
        label=_("Identified until (month included, optional)"), required=False, widget=MonthInput
    )
    territory = forms.MultipleChoiceField(
        label=_("Only these territories (optional)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    level = forms.MultipleChoiceField(
        label=_("Only these support levels (optional)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    #: Digest of the previewed draw: confirming records exactly what was shown.
    preview = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, territories: Sequence[tuple[str, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["territory"].choices = list(territories)  # type: ignore[attr-defined]
        self.fields["level"].choices = [(c, level_label(c)) for c in LEVEL_CODES]  # type: ignore[attr-defined]

    def _month(self, name: str) -> str:
        value = str(self.cleaned_data.get(name) or "").strip()
        if value and not _MONTH.match(value):
            raise forms.ValidationError(_("Give a month as YYYY-MM, e.g. 2025-01."))
        return value

    def clean_period_from(self) -> str:
        return self._month("period_from")

    def clean_period_to(self) -> str:
        return self._month("period_to")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and start > end:
            self.add_error("period_to", _("The end month is before the start month."))
        return data

    @property
    def columns(self) -> tuple[str, ...]:
        chosen = set(self.cleaned_data["by"])
        return tuple(c for c in BY_ORDER if c in chosen)

    def filters(self) -> Filters | None:
        data = self.cleaned_data
        query: dict[str, Any] = {
            "period_from": data.get("period_from") or [],
            "period_to": data.get("period_to") or [],
            "territory": list(data.get("territory") or []),
            "level": list(data.get("level") or []),
        }
        filters = Filters.from_query(query)
        return None if filters.is_empty else filters


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("Case summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        validators=[reject_national_identifier],
        help_text=_("What the four sources say together; factual, pseudonymised."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class AttachForm(forms.Form):
    slot = forms.CharField(widget=forms.HiddenInput)
    interview = forms.IntegerField(label=_("Interview"), min_value=1)


class PinForm(forms.Form):
    moment = forms.ChoiceField(label=_("Moment of the pathway"))
    segment = forms.TypedChoiceField(label=_("Coded excerpt"), coerce=int)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=300,
        validators=[reject_national_identifier],
    )

    def __init__(
        self,
        *args: Any,
        moments: Sequence[tuple[str, str]],
        segments: Sequence[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["moment"].choices = [("", _("Choose a moment")), *moments]  # type: ignore[attr-defined]
        self.fields["segment"].choices = [("", _("Choose an excerpt")), *segments]  # type: ignore[attr-defined]

    def chosen_moment(self) -> tuple[str, int]:
        day, _sep, activity = self.cleaned_data["moment"].partition(":")
        return activity, int(day)


class CellForm(forms.Form):
    """A verdict and a text: a triangulation cell (comment) or a cross-case cell (finding)."""

    verdict = forms.ChoiceField(
        label=_("Verdict"), choices=Verdict.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_national_identifier],
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, text_label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if text_label is not None:
            self.fields["text"].label = text_label
