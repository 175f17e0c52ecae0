"""Forms of the codebook. Choices are limited to the project's own codes, questions and
segments; what needs the whole codebook (cycles, names among siblings, closed codes) is
checked by :mod:`etage.evaluation.services_codebook`, which the views call."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from etage.evaluation import refiqda
from etage.evaluation.models import Code, EvaluativeQuestion, Project, Segment
from etage.evaluation.selectors_codebook import place_choices
from etage.households.validators import reject_national_identifier

#: A codebook of a few hundred codes weighs tens of kilobytes; the preview carries the file
#: back to the server in the confirmation form, which Django caps at 2.5 MB of form data.
MAX_IMPORT_BYTES = 1024 * 1024
_COLOR = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")


class CodeChoiceField(forms.ChoiceField):
    """A select of codes whose posted value may be any code of the project: the page offers
    only the sensible places, and a code that is no longer one (moved meanwhile, or typed in)
    gets the service's explanation instead of a bare "invalid choice"."""

    def valid_value(self, value: Any) -> bool:
        return True


class SegmentsField(forms.MultipleChoiceField):
    """The segments of a split: one re-coded elsewhere since the page was opened gets the
    service's "reload the page" instead of a bare "invalid choice"."""

    def valid_value(self, value: Any) -> bool:
        return str(value).isdigit()


def _text(label: Any, *, rows: int = 3, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
        validators=[reject_national_identifier],
    )


class _CodeIn(forms.Form):
    project: Project

    def _code(self, value: Any) -> Code | None:
        if value in (None, ""):
            return None
        try:
            pk = int(value)
        except (TypeError, ValueError):
            pk = 0
        code = Code.objects.filter(project=self.project, pk=pk).first()
        if code is None:
            raise forms.ValidationError(_("This code does not exist in this project."))
        return code


class CodeForm(_CodeIn):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(
        label=_("Name"),
        max_length=Code._meta.get_field("name").max_length,
        validators=[reject_national_identifier],
    )
    parent = CodeChoiceField(
        label=_("Place in the codebook"),
        required=False,
        help_text=_("Leave “Top level” for a main theme, or choose the code it details."),
    )
    definition = _text(_("Definition"), help_text=_("What the code means, in one or two lines."))
    include = _text(_("Inclusion criteria"), help_text=_("When to apply this code."))
    exclude = _text(
        _("Exclusion criteria"), help_text=_("When not to apply it, and which code to use then.")
    )
    example = _text(
        _("Example"), help_text=_("A typical pseudonymised excerpt (never a real name).")
    )
    color = forms.CharField(
        label=_("Colour"),
        required=False,
        max_length=7,
        help_text=_(
            "Optional, as #RRGGBB (for example #1F77B4). It is always shown beside the name, "
            "never alone."
        ),
        widget=forms.TextInput(attrs={"size": 8, "autocomplete": "off"}),
    )
    questions = forms.ModelMultipleChoiceField(
        label=_("Evaluative questions this code documents"),
        queryset=EvaluativeQuestion.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, project: Project, code: Code | None = None, **kwargs: Any
    ) -> None:
        if code is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "version": code.version,
                "name": code.name,
                "parent": code.parent_id or "",
                "definition": code.definition,
                "include": code.include,
                "exclude": code.exclude,
                "example": code.example,
                "color": code.color,
                "questions": list(code.questions.values_list("pk", flat=True)),
            }
        super().__init__(*args, **kwargs)
        self.project = project
        self.code = code
        self.fields["parent"].choices = [  # type: ignore[attr-defined]
            ("", _("Top level")),
            *place_choices(project, without=code),
        ]
        questions = EvaluativeQuestion.objects.filter(project=project).order_by("number")
        self.fields["questions"].queryset = questions  # type: ignore[attr-defined]
        if not questions.exists():
            self.fields["questions"].help_text = _(
                "The project has no evaluative question yet: add them in the evaluation matrix."
            )

    def clean_parent(self) -> Code | None:
        return self._code(self.cleaned_data.get("parent"))

    def clean_color(self) -> str:
        color = self.cleaned_data["color"].strip()
        if color and not _COLOR.match(color):
            raise forms.ValidationError(
                _("Write the colour as # followed by 6 hexadecimal digits, e.g. #1F77B4.")
            )
        return color.upper()


class MergeForm(_CodeIn):
    """The code to merge into (read from the query string: the confirmation page follows)."""

    into = CodeChoiceField(label=_("Merge into"))

    def __init__(self, *args: Any, project: Project, code: Code, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["into"].choices = [("", "—"), *place_choices(project, without=code)]  # type: ignore[attr-defined]

    def clean_into(self) -> Code:
        target = self._code(self.cleaned_data.get("into"))
        if target is None:
            raise forms.ValidationError(_("Choose the code to merge into."))
        return target


class SplitForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Name of the new code"),
        max_length=Code._meta.get_field("name").max_length,
        validators=[reject_national_identifier],
    )
    definition = _text(_("Definition of the new code"))
    place = forms.ChoiceField(
        label=_("Place of the new code"),
        choices=[("beside", ""), ("under", "")],
        initial="beside",
        widget=forms.RadioSelect,
    )
    segments = SegmentsField(
        label=_("Segments that move to the new code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, code: Code, segments: list[Segment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = code.version
        self.fields["place"].choices = [  # type: ignore[attr-defined]
            (
                "beside",
                _("Beside “%(name)s” (same parent)") % {"name": code.name},
            ),
            ("under", _("Under “%(name)s”") % {"name": code.name}),
        ]
        self.fields["segments"].choices = [(str(s.pk), segment_label(s)) for s in segments]  # type: ignore[attr-defined]
        if not segments:
            self.fields["segments"].help_text = _(
                "“%(name)s” codes no segment yet: the new code starts empty."
            ) % {"name": code.name}

    def clean_segments(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data["segments"]]


def segment_label(segment: Segment) -> str:
    interview = segment.transcript.interview
    where = _("%(reference)s, characters %(start)s–%(end)s, coded by %(coder)s") % {
        "reference": interview.reference,
        "start": segment.start,
        "end": segment.end,
        "coder": segment.coder,
    }
    if segment.consensus:
        where = _("%(where)s (reconciled coding)") % {"where": where}
    if not interview.has_valid_consent:
        # data-protection.md #18: without a valid consent the words are not shown.
        return _("%(where)s — excerpt hidden: no valid consent") % {"where": where}
    text = " ".join(segment.text.split())
    if len(text) > 300:
        text = text[:300] + "…"
    return f"{where} — « {text} »"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Codebook file (.qdc, REFI-QDA)"),
        help_text=_(
            "Exported by NVivo, ATLAS.ti, MAXQDA, QualCoder, Taguette or ETAGE; 1 MB at most."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is too large (1 MB at most)."))
        if not (upload.name or "").lower().endswith(".qdc"):
            raise forms.ValidationError(_("Choose a .qdc file (REFI-QDA codebook)."))
        data = upload.read()
        try:
            self.codebook = refiqda.codebook_from_qdc(data)
        except refiqda.QdcError as error:
            raise forms.ValidationError(str(error)) from error
        self.data_bytes = data
        return upload


class ImportConfirmForm(forms.Form):
    """The previewed file, sent back as it was read (base64), with the digest of the preview
    the user saw: the import happens only if the file would still do exactly that."""

    payload = forms.CharField(widget=forms.HiddenInput)
    filename = forms.CharField(widget=forms.HiddenInput, max_length=200)
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            data = base64.b64decode(cleaned.get("payload", ""), validate=True)
        except (binascii.Error, ValueError) as error:
            raise forms.ValidationError(
                _("The file could not be read again: upload it once more.")
            ) from error
        if len(data) > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is too large (1 MB at most)."))
        try:
            self.codebook = refiqda.codebook_from_qdc(data)
        except refiqda.QdcError as error:
            raise forms.ValidationError(str(error)) from error
        self.data_bytes = data
        return cleaned
