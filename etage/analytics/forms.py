"""The filter stack of the evaluator's analytics pages (evaluation.md part A, "Filter stack").

The form only *shows* the filters: its field names are the query-string keys of
:meth:`Filters.to_query`, and reading the query is :meth:`Filters.from_query`'s job, so that
a page, its CSV export and ``etage_analyse`` read a query the same way. Its choices come from
the snapshot (the territories, landlords and activities it holds), with French labels.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import duckdb
from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from etage.analytics.filters import ATTRIBUTE_COLUMNS, LEVEL_CODES, LIST_ATTRIBUTE_COLUMNS, Filters
from etage.procedures.choices import EventKind
from etage.situations import choices as sc
from etage.situations.selectors import EVENT_LABELS, PATHWAY_EVENT_LABELS
from etage.situations.workflow import ACTION_LABELS

#: Names of the situation columns of the attribute filter.
ATTRIBUTE_LABELS: dict[str, Any] = {
    "status": gettext_lazy("Status"),
    "source": gettext_lazy("Source of the referral"),
    "urgency": gettext_lazy("Urgency"),
    "entry_stage": gettext_lazy("Stage at entry"),
    "contact_outcome": gettext_lazy("Contact outcome"),
    "orientation": gettext_lazy("Orientation"),
    "outcome": gettext_lazy("Outcome at closure"),
    "housing_status": gettext_lazy("Housing at closure"),
    "network_profile": gettext_lazy("Network profile"),
    "referent_kind": gettext_lazy("Kind of referent organisation"),
    "resources_band": gettext_lazy("Resources"),
    "holder_age_band": gettext_lazy("Age band of the tenant"),
    "commune_insee": gettext_lazy("Commune (INSEE code)"),
    "difficulty": gettext_lazy("Difficulty"),
}

#: Labels of the coded values of those columns (others are shown as they are).
VALUE_LABELS: dict[str, Mapping[str, Any]] = {
    "status": dict(sc.Status.choices),
    "source": dict(sc.Source.choices),
    "urgency": dict(sc.Urgency.choices),
    "entry_stage": dict(sc.EntryStage.choices),
    "contact_outcome": dict(sc.ContactOutcome.choices),
    "orientation": dict(sc.Orientation.choices),
    "outcome": dict(sc.Outcome.choices),
    "housing_status": dict(sc.HousingStatus.choices),
    "difficulty": dict(sc.Difficulty.choices),
}

LEVEL_LABELS: Mapping[str, Any] = dict(sc.Level.choices)

#: Events of the consent and sharing categories (as the situation's timeline names them).
EXTRA_ACTIVITY_LABELS: dict[str, Any] = {
    "referral_added": gettext_lazy("New referral for this household"),
    "consent_recorded": gettext_lazy("Consent recorded"),
    "consent_withdrawn": gettext_lazy("Consent withdrawn"),
    "share_granted": gettext_lazy("Shared with an organisation"),
    "share_revoked": gettext_lazy("Sharing ended"),
}


def activity_label(code: str) -> str:
    """The French name of an activity code: a pathway step as the situation's timeline reads
    it once done, a procedure event, or another app's event."""
    for labels in (PATHWAY_EVENT_LABELS, EVENT_LABELS, EXTRA_ACTIVITY_LABELS, ACTION_LABELS):
        if code in labels:
            return str(labels[code])
    if code in EventKind.values:
        return str(EventKind(code).label)
    return code


def level_label(code: str) -> str:
    return str(LEVEL_LABELS.get(code, code)) if code else _("No level")


def value_label(column: str, value: str) -> str:
    labels = VALUE_LABELS.get(column, {})
    return str(labels.get(value, value)) if value else _("(empty)")


@dataclass(frozen=True)
class Chip:
    """An active filter, with the query string of the page without it."""

    label: str
    remove_query: str


@dataclass(frozen=True)
class Choices:
    """What the snapshot offers to filter on."""

    territories: tuple[str, ...] = ()
    landlords: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    attributes: tuple[tuple[str, tuple[str, ...]], ...] = ()


def snapshot_choices(con: duckdb.DuckDBPyConnection) -> Choices:
    def distinct(sql: str) -> tuple[str, ...]:
        return tuple(str(row[0]) for row in con.execute(sql).fetchall() if row[0])

    attributes: list[tuple[str, tuple[str, ...]]] = []
    for column in ATTRIBUTE_COLUMNS:
        # Column names come from the whitelist, never from the request.
        values = distinct(f"SELECT DISTINCT {column} FROM situations ORDER BY 1")  # noqa: S608
        if values:
            attributes.append((column, values))
    for column in LIST_ATTRIBUTE_COLUMNS:
        values = distinct(
            "SELECT DISTINCT unnest(difficulties) FROM situations ORDER BY 1"
            if column == "difficulty"
            else "SELECT NULL WHERE false"
        )
        if values:
            attributes.append((column, values))
    return Choices(
        territories=distinct("SELECT DISTINCT territory FROM situations ORDER BY 1"),
        landlords=distinct("SELECT DISTINCT landlord FROM situations ORDER BY 1"),
        activities=distinct("SELECT DISTINCT activity FROM events ORDER BY 1"),
        attributes=tuple(attributes),
    )


class MonthInput(forms.TextInput):
    input_type = "month"


class FilterStackForm(forms.Form):
    """Field names are the keys of :meth:`Filters.to_query`."""

    period_from = forms.CharField(
        label=gettext_lazy("Identified from (month)"),
        required=False,
        widget=MonthInput(attrs={"placeholder": "2025-01"}),
    )
    period_to = forms.CharField(
        label=gettext_lazy("Identified until (month, included)"),
        required=False,
        widget=MonthInput(attrs={"placeholder": "2026-10"}),
    )
    territory = forms.MultipleChoiceField(
        label=gettext_lazy("Territory"), required=False, widget=forms.CheckboxSelectMultiple
    )
    level = forms.MultipleChoiceField(
        label=gettext_lazy("Support level"), required=False, widget=forms.CheckboxSelectMultiple
    )
    landlord = forms.MultipleChoiceField(label=gettext_lazy("Landlord"), required=False)
    attr = forms.MultipleChoiceField(label=gettext_lazy("Situation attribute"), required=False)
    followed_by_a = forms.ChoiceField(label=gettext_lazy("Activity A"), required=False)
    followed_by_b = forms.ChoiceField(
        label=gettext_lazy("eventually followed by B"), required=False
    )
    never_followed_by_a = forms.ChoiceField(label=gettext_lazy("Activity A"), required=False)
    never_followed_by_b = forms.ChoiceField(
        label=gettext_lazy("never followed by B"), required=False
    )
    min_days = forms.DecimalField(
        label=gettext_lazy("Case duration at least (days)"), required=False, min_value=0
    )
    max_days = forms.DecimalField(
        label=gettext_lazy("Case duration at most (days)"), required=False, min_value=0
    )
    variant = forms.CharField(
        label=gettext_lazy("Variant"),
        required=False,
        help_text=gettext_lazy("Set from the variant explorer."),
    )

    GRID = ("period_from", "period_to", "landlord", "attr", "min_days", "max_days", "variant")
    CHECKS = ("territory", "level")
    PAIRS = (("followed_by_a", "followed_by_b"), ("never_followed_by_a", "never_followed_by_b"))

    def __init__(self, filters: Filters, choices: Choices) -> None:
        # Shown as read, never validated: Filters.from_query already said what it ignored.
        super().__init__(initial=_initial(filters))
        self.filters = filters
        self._choices("territory", [(t, t) for t in choices.territories])
        self._choices("level", [(code, level_label(code)) for code in LEVEL_CODES])
        self._choices("landlord", [(code, code) for code in choices.landlords])
        self._choices(
            "attr",
            [
                (
                    str(ATTRIBUTE_LABELS.get(column, column)),
                    [(f"{column}:{value}", value_label(column, value)) for value in values],
                )
                for column, values in choices.attributes
            ],
        )
        activities = sorted(choices.activities, key=activity_label)
        options = [("", _("— choose —")), *((code, activity_label(code)) for code in activities)]
        for name in (
            "followed_by_a",
            "followed_by_b",
            "never_followed_by_a",
            "never_followed_by_b",
        ):
            self._choices(name, options)

    def _choices(self, name: str, options: list[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = options

    def grid_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.GRID]

    def check_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.CHECKS]

    def pair_fields(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        legends = (_("Eventually followed by"), _("Never followed by"))
        return [
            (legend, self[a], self[b]) for legend, (a, b) in zip(legends, self.PAIRS, strict=True)
        ]


def _initial(filters: Filters) -> dict[str, Any]:
    initial: dict[str, Any] = dict(filters.to_query())
    return initial


def filter_query(filters: Filters, **extra: Any) -> str:
    """The query string of ``filters`` (plus page parameters), for links between pages."""
    params: dict[str, Any] = dict(filters.to_query())
    params.update({k: v for k, v in extra.items() if v not in (None, "")})
    return urlencode(params, doseq=True)


def _pairs(filters: Filters) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for key, value in filters.to_query().items():
        out.extend((key, v) for v in ([value] if isinstance(value, str) else value))
    return out


def chips(filters: Filters, extra: Iterable[tuple[str, str]] = ()) -> list[Chip]:
    """One removable chip per active filter (a "followed by" pair is one chip)."""
    pairs = _pairs(filters)
    found: list[Chip] = []

    def without(*removed: tuple[str, str]) -> str:
        kept = [p for p in pairs if p not in removed]
        return urlencode([*kept, *extra])

    for key, value in pairs:
        if key.endswith("_b") and key.startswith(("followed_by", "never_followed_by")):
            continue
        if key == "period_from":
            label = _("Identified from %(month)s") % {"month": french_month(value)}
        elif key == "period_to":
            label = _("Identified until %(month)s") % {"month": french_month(value)}
        elif key == "territory":
            label = _("Territory: %(value)s") % {"value": value}
        elif key == "landlord":
            label = _("Landlord: %(value)s") % {"value": value}
        elif key == "level":
            label = _("Level: %(value)s") % {"value": level_label(value)}
        elif key == "variant":
            label = _("Variant %(value)s") % {"value": value}
        elif key == "attr":
            column, _sep, code = value.partition(":")
            label = "%s : %s" % (  # noqa: UP031
                ATTRIBUTE_LABELS.get(column, column),
                value_label(column, code),
            )
        elif key in ("followed_by_a", "never_followed_by_a"):
            prefix = key[:-2]
            pair = filters.followed_by if prefix == "followed_by" else filters.never_followed_by
            assert pair is not None
            template = (
                _("%(a)s eventually followed by %(b)s")
                if prefix == "followed_by"
                else _("%(a)s never followed by %(b)s")
            )
            label = template % {"a": activity_label(pair[0]), "b": activity_label(pair[1])}
            found.append(Chip(label, without((key, value), (f"{prefix}_b", pair[1]))))
            continue
        elif key == "min_days":
            label = _("Lasting at least %(days)s days") % {"days": value}
        elif key == "max_days":
            label = _("Lasting at most %(days)s days") % {"days": value}
        elif key == "category":
            label = _("Events: %(value)s") % {"value": value}
        else:
            label = f"{key} = {value}"
        found.append(Chip(label, without((key, value))))
    return found


def french_month(value: str) -> str:
    """ "2025-03" → "mars 2025" (months only: analytics never show an exact day)."""
    year, _sep, month = value.partition("-")
    if year.isdigit() and month.isdigit() and 1 <= int(month) <= 12:
        return date_format(dt.date(int(year), int(month), 1), "F Y")
    return value
