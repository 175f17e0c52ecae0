"""Forms of the scenario pages: the parameters as labelled fields (not raw JSON), a new
scenario from a scale, a run, the prospective table."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from etage.scenarios.models import ContextFigure, Hypothesis, ProspectiveVariable
from etage.scenarios.params import LEVELS
from etage.situations.choices import Level

MAX_UPLOAD_BYTES = 1024 * 1024


class NewScenarioForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    scale = forms.ModelChoiceField(
        label=_("Scale"), queryset=ContextFigure.objects.filter(is_scale=True), empty_label=None
    )
    observed = forms.BooleanField(
        label=_("Take the support durations observed by the platforms (snapshot)"),
        required=False,
        initial=True,
        help_text=_(
            "Kaplan–Meier curves of the supports per level, read from the pseudonymised "
            "snapshot. Unticked, or without a snapshot, working hypotheses are used."
        ),
    )


class UploadScenarioForm(forms.Form):
    file = forms.FileField(label=_("Scenario file (JSON, etage-scenario/1)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large (1 MB at most)."))
        return upload


def _decimal(label: Any, *, minimum: float = 0, maximum: float | None = None) -> forms.FloatField:
    return forms.FloatField(label=label, min_value=minimum, max_value=maximum)


class ParametersForm(forms.Form):
    """The main parameters of a scenario; the duration curves stay as they are unless the
    user sets a mean (an exponential hypothesis) in their place."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    scale_label = forms.CharField(label=_("Scale"), max_length=200)
    housing_stock = forms.IntegerField(label=_("Housing stock (dwellings)"), min_value=1)
    scale_source = forms.CharField(label=_("Source of the housing stock"), required=False)
    identification_rate = _decimal(
        _("Situations identified per 100 dwellings per year"), maximum=100
    )
    hours_per_fte_year = _decimal(_("Worked hours of one FTE per year"), minimum=1, maximum=8760)
    non_case_share = _decimal(_("Time not spent on situations (%)"), maximum=95)
    orientation_fte = _decimal(_("Orientation staff (FTE)"))
    orientation_hours = _decimal(_("Hours per orientation"), minimum=0.1)
    horizon_months = forms.IntegerField(label=_("Horizon (months)"), min_value=2, max_value=240)
    warmup_months = forms.IntegerField(label=_("Warm-up (months)"), min_value=0, max_value=239)

    def __init__(self, *args: Any, parameters: dict[str, Any] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.level_fields: list[tuple[str, list[str]]] = []
        levels = (parameters or {}).get("levels", {})
        for code in LEVELS:
            label = Level(code).label
            names = []
            for suffix, field in (
                ("share", _decimal(_("Share of orientations (%)"), maximum=100)),
                (
                    "mean",
                    forms.FloatField(
                        label=_("Mean duration (months)"),
                        min_value=0.1,
                        required=False,
                        help_text=_("Empty: keep the observed curve."),
                    ),
                ),
                ("hours", _decimal(_("Worker hours per situation per month"))),
                ("cap", forms.IntegerField(label=_("Caseload cap per FTE"), min_value=1)),
                ("fte", _decimal(_("Staff (FTE)"))),
                ("cost", _decimal(_("Annual cost of one FTE (€)"))),
            ):
                name = f"{code}_{suffix}"
                field.label = f"{label} — {field.label}"
                field.required = suffix != "mean"
                if code not in levels:
                    field.required = False
                self.fields[name] = field
                names.append(name)
            self.level_fields.append((str(label), names))

    @staticmethod
    def initial_from(
        scenario_name: str, description: str, version: int, p: dict[str, Any]
    ) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "version": version,
            "name": scenario_name,
            "description": description,
            "scale_label": p["scale"]["label"],
            "housing_stock": p["scale"]["housing_stock"],
            "scale_source": p["scale"].get("source", ""),
            "identification_rate": round(p["identification_rate"] * 100, 6),
            "hours_per_fte_year": p["hours_per_fte_year"],
            "non_case_share": round(p["non_case_share"] * 100, 6),
            "orientation_fte": p["orientation"]["staff_fte"],
            "orientation_hours": p["orientation"]["hours_per_situation"],
            "horizon_months": int(p["horizon_months"]),
            "warmup_months": int(p["warmup_months"]),
        }
        for code, level in p["levels"].items():
            duration = level["duration"]
            initial.update(
                {
                    f"{code}_share": round(level["share"] * 100, 6),
                    f"{code}_mean": duration["mean_months"]
                    if duration["kind"] == "exponential"
                    else None,
                    f"{code}_hours": level["hours_per_month"],
                    f"{code}_cap": level["caseload_cap"],
                    f"{code}_fte": level["staff_fte"],
                    f"{code}_cost": level["cost_per_fte"],
                }
            )
        return initial

    def parameters(self, current: dict[str, Any]) -> dict[str, Any]:
        """The parameter document from the cleaned data (to be validated by the service)."""
        d = self.cleaned_data
        levels = {}
        for code in LEVELS:
            if d.get(f"{code}_share") in (None, "") and code not in current.get("levels", {}):
                continue
            mean = d.get(f"{code}_mean")
            previous = current.get("levels", {}).get(code, {}).get("duration")
            if mean:
                duration = {"kind": "exponential", "mean_months": mean}
            elif previous is not None:
                duration = previous
            else:
                duration = {"kind": "exponential", "mean_months": 6}
            levels[code] = {
                "share": (d.get(f"{code}_share") or 0) / 100,
                "duration": duration,
                "hours_per_month": d.get(f"{code}_hours") or 0,
                "caseload_cap": d.get(f"{code}_cap") or 1,
                "staff_fte": d.get(f"{code}_fte") or 0,
                "cost_per_fte": d.get(f"{code}_cost") or 0,
            }
        return {
            "format": current.get("format", "etage-scenario/1"),
            "name": d["name"],
            "scale": {
                "label": d["scale_label"],
                "housing_stock": d["housing_stock"],
                "source": d["scale_source"],
            },
            "identification_rate": d["identification_rate"] / 100,
            "hours_per_fte_year": d["hours_per_fte_year"],
            "non_case_share": d["non_case_share"] / 100,
            "orientation": {
                "staff_fte": d["orientation_fte"],
                "hours_per_situation": d["orientation_hours"],
            },
            "levels": levels,
            "horizon_months": d["horizon_months"],
            "warmup_months": d["warmup_months"],
        }


class RunForm(forms.Form):
    seed = forms.IntegerField(label=_("Seed"), min_value=0, initial=2019)
    replications = forms.IntegerField(
        label=_("Replications"), min_value=1, max_value=500, initial=100
    )


class VariableForm(forms.ModelForm):
    class Meta:
        model = ProspectiveVariable
        fields = ["name", "position"]


class HypothesisForm(forms.ModelForm):
    class Meta:
        model = Hypothesis
        fields = ["variable", "label", "description", "parameters", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "parameters": _(
                'The scenario parameters this hypothesis sets, e.g. {"identification_rate": '
                '0.015, "levels.agr.share": 0.25}.'
            )
        }

    def __init__(self, *args: Any, project: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["variable"].queryset = ProspectiveVariable.objects.filter(  # type: ignore[attr-defined]
            project=project
        )
