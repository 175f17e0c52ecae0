"""The tables the dashboards, the territory comparison and their exports show, built from the
stored :class:`~.models.IndicatorValue` rows within an :class:`~.scope.AnalyticsScope`.

One builder feeds the page, the chart, the CSV and the XLSX, so an export holds exactly the
cells shown, suppressed the same way. Suppression (steering): the cases behind each cell go
through :func:`etage.privacy.cells.suppress_small_cells` (keys × months, with the year as row
totals and the "all" row as column totals); for shares, the people counted in the numerator
and those outside it go through it too, so that no group of fewer than 5 people can be read
off a percentage; a cell hidden in any of these tables is hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from etage.analytics.catalogue import CATALOGUE, DIMENSIONS, FAMILIES, PARTITIONS, Indicator
from etage.analytics.scope import AnalyticsScope
from etage.privacy.cells import PRIMARY, SECONDARY_MARK, TOTAL, primary_mark, suppress_small_cells
from etage.situations.choices import (
    ContactOutcome,
    Difficulty,
    EntryStage,
    Level,
    Outcome,
    Source,
)

YEAR = "year"
_CHOICES: dict[str, Any] = {
    "level": Level,
    "source": Source,
    "difficulty": Difficulty,
    "outcome": Outcome,
    "entry_stage": EntryStage,
    "contact_outcome": ContactOutcome,
}


def key_label(dimension: str, key: str) -> str:
    if dimension == "all" or key == "all":
        return DIMENSIONS["all"]
    if key == "":
        return _("Not recorded")
    choices = _CHOICES.get(dimension)
    if choices is not None and key in choices.values:
        return str(choices(key).label)
    return key


def format_value(indicator: Indicator, value: float | None) -> str:
    if value is None:
        return "—"
    text = number_format(value, indicator.decimals, force_grouping=True)
    # Durations and amounts carry their unit in the cell: a bare "12,0" reads as a count.
    if indicator.unit_code in ("%", "€", "jours", "mois"):
        return f"{text} {indicator.unit}"
    return text


def month_label(period: str) -> str:
    return f"{period[5:7]}/{period[:4]}" if len(period) == 7 else period


@dataclass
class Figure:
    """One cell as shown: ``text`` (formatted or a suppression mark) and ``number`` (None
    when hidden or absent)."""

    text: str
    number: float | None


@dataclass
class IndicatorTable:
    indicator: Indicator
    dimension: str
    territory: str
    periods: list[str]
    #: (key, label, {period or YEAR: Figure}) in display order; "all" last.
    lines: list[tuple[str, str, dict[str, Figure]]] = field(default_factory=list)

    @property
    def chart_id(self) -> str:
        return f"chart-{self.indicator.code}"

    @property
    def caption(self) -> str:
        return self.indicator.name

    @property
    def columns(self) -> list[str]:
        return [
            DIMENSIONS[self.dimension],
            *(month_label(p) for p in self.periods),
            _("Year"),
        ]

    @property
    def rows(self) -> list[list[str]]:
        return [
            [label, *(cells[p].text for p in (*self.periods, YEAR))]
            for _key, label, cells in self.lines
        ]

    @property
    def is_empty(self) -> bool:
        return all(cells[p].number is None for _k, _l, cells in self.lines for p in cells)

    def spec(self) -> dict[str, Any]:
        """Vega-Lite: the visible monthly figures (hidden cells are left out, not zero)."""
        points = [
            {"mois": month_label(p), "valeur": cells[p].number, "ventilation": label}
            for _key, label, cells in self.lines
            for p in self.periods
            if cells[p].number is not None
        ]
        return {
            "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "width": "container",
            "height": 200,
            "data": {"values": points},
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": {
                    "field": "mois",
                    "type": "ordinal",
                    "title": _("Month"),
                    "sort": [month_label(p) for p in self.periods],
                },
                "y": {"field": "valeur", "type": "quantitative", "title": self.indicator.unit},
                "color": {
                    "field": "ventilation",
                    "type": "nominal",
                    "title": DIMENSIONS[self.dimension],
                },
                # Not by colour alone: each line also has its own point shape.
                "shape": {"field": "ventilation", "type": "nominal", "legend": None},
            },
        }


def counts_people(indicator: Indicator) -> bool:
    return indicator.base != "meetings"


Values = Mapping[tuple[str, str], tuple[float | None, int]]


def _parts(indicator: Indicator, value: float | None, cases: int) -> list[int]:
    """The counts of people a figure reveals: its cases and, for a share, those in and out."""
    if indicator.kind != "share" or value is None:
        return [cases]
    hits = round(value * cases / 100)
    return [cases, hits, cases - hits]


def _hidden(
    indicator: Indicator,
    keys: list[str],
    periods: list[str],
    values: Values,
    total_key: str | None,
    threshold: int,
) -> dict[tuple[str, str], str]:
    """(key or total_key, period or YEAR) → PRIMARY/SECONDARY of every hidden cell."""
    hidden: dict[tuple[str, str], str] = {}
    width = 3 if indicator.kind == "share" else 1
    for part in range(width):
        table = {
            key: {
                p: _parts(indicator, *values.get((key, p), (None, 0)))[part]
                if (key, p) in values
                else 0
                for p in periods
            }
            for key in keys
        }
        result = suppress_small_cells(table, threshold)
        for (row, column), kind in result.hidden.items():
            row_key = total_key if row == TOTAL else row
            column_key = YEAR if column == TOTAL else column
            if row_key is None:
                continue
            hidden.setdefault((row_key, column_key), kind)
    # Figures that are not the sums the table assumed (the year of a stock, a multi-valued
    # breakdown's "all"): their own small counts are hidden too.
    for (key, period), (value, cases) in values.items():
        if any(0 < n < threshold for n in _parts(indicator, value, cases)):
            hidden[(key, period)] = PRIMARY
    return hidden


def indicator_table(
    indicator: Indicator,
    *,
    dimension: str,
    territory: str,
    periods: list[str],
    year: str,
    values: Values,
    scope: AnalyticsScope,
) -> IndicatorTable:
    """``values``: (key, period) → (value, cases) of this indicator, territory and
    dimension, plus the ("all", period) figures."""
    table = IndicatorTable(indicator, dimension, territory, periods)
    keys = sorted(
        {k for k, _p in values if k != "all"} if dimension != "all" else {"all"},
        key=lambda k: key_label(dimension, k),
    )
    total_key = "all" if dimension != "all" else None
    columns = [*periods, YEAR]
    own = {((k, YEAR) if p == year else (k, p)): v for (k, p), v in values.items()}
    hidden: dict[tuple[str, str], str] = {}
    if scope.suppress and counts_people(indicator):
        hidden = _hidden(indicator, keys, periods, own, total_key, scope.threshold)
        if dimension != "all" and dimension not in PARTITIONS:
            # The "all" row is not the sum of the keys: suppress it as a line of its own.
            alone = {(k, p): v for (k, p), v in own.items() if k == "all"}
            for cell, kind in _hidden(
                indicator, ["all"], periods, alone, None, scope.threshold
            ).items():
                hidden.setdefault(cell, kind)
    mark = primary_mark(scope.threshold)
    for key in [*keys, *([total_key] if total_key else [])]:
        cells: dict[str, Figure] = {}
        for column in columns:
            value, _cases = own.get((key, column), (None, 0))
            if (key, column) in hidden:
                cells[column] = Figure(
                    mark if hidden[(key, column)] == PRIMARY else SECONDARY_MARK, None
                )
            elif (key, column) not in own:
                zero = indicator.kind == "count"
                cells[column] = Figure("0" if zero else "—", 0.0 if zero else None)
            else:
                cells[column] = Figure(format_value(indicator, value), value)
        table.lines.append((key, key_label(dimension, key), cells))
    return table


@dataclass
class Dashboard:
    year: str
    territory: str
    dimension: str
    periods: list[str]
    sections: list[tuple[str, str, list[IndicatorTable]]]


def dashboard(scope: AnalyticsScope, *, year: str, territory: str, dimension: str) -> Dashboard:
    """Every indicator of the catalogue for one year, territory and breakdown."""
    from etage.analytics.models import IndicatorValue

    if not scope.may_see(territory):
        raise ValueError("territory outside the scope")
    rows = IndicatorValue.objects.filter(
        territory=territory, period__startswith=year, dimension__in={"all", dimension}
    ).values_list("code", "period", "dimension", "key", "value", "cases")
    by_code: dict[str, dict[tuple[str, str], tuple[float | None, int]]] = {}
    periods: set[str] = set()
    wanted: dict[str, str] = {
        i.code: (dimension if dimension in i.breakdowns else "all") for i in CATALOGUE
    }
    for code, period, row_dimension, key, value, cases in rows:
        if code not in wanted or (len(period) != 4 and len(period) != 7):
            continue
        if len(period) == 7:
            periods.add(period)
        if row_dimension == wanted[code] or row_dimension == "all":
            by_code.setdefault(code, {})[(key, period)] = (value, cases)
    months = sorted(periods)
    sections = []
    for family, label in FAMILIES.items():
        tables = [
            indicator_table(
                indicator,
                dimension=wanted[indicator.code],
                territory=territory,
                periods=[] if indicator.yearly_only else months,
                year=year,
                values=by_code.get(indicator.code, {}),
                scope=scope,
            )
            for indicator in CATALOGUE
            if indicator.family == family
        ]
        sections.append((family, label, tables))
    return Dashboard(year, territory, dimension, months, sections)


def export_rows(board: Dashboard | None) -> tuple[list[str], list[list[str]]]:
    """The dashboard's cells as flat rows (header, rows) for CSV and XLSX."""
    header = [
        _("Family"),
        _("Indicator code"),
        _("Indicator"),
        _("Territory"),
        _("Breakdown"),
        _("Breakdown value"),
        _("Period"),
        _("Value"),
        _("Unit"),
    ]
    out: list[list[str]] = []
    if board is None:
        return header, out
    for _family, family_label, tables in board.sections:
        for table in tables:
            for _key, label, cells in table.lines:
                for column in (*table.periods, YEAR):
                    out.append(
                        [
                            family_label,
                            table.indicator.code,
                            table.indicator.name,
                            board.territory or _("All territories"),
                            DIMENSIONS[table.dimension],
                            label,
                            board.year if column == YEAR else column,
                            cells[column].text,
                            table.indicator.unit,
                        ]
                    )
    return header, out


@dataclass
class Comparison:
    year: str
    family: str
    territories: list[tuple[str, str]]  # (code, header label with the network profile)
    columns: list[str]
    rows: list[tuple[Indicator, list[str]]]


def comparison(
    scope: AnalyticsScope, *, year: str, family: str, territories: Iterable[str]
) -> Comparison:
    """The family's indicators for the year, one column per territory (dimension "all")."""
    from etage.analytics.models import IndicatorValue

    codes = [t for t in territories if scope.may_see(t) and t]
    indicators = [i for i in CATALOGUE if i.family == family]
    stored = IndicatorValue.objects.filter(
        period=year, territory__in=codes, code__in=[i.code for i in indicators], dimension="all"
    ).values_list("code", "territory", "value", "cases")
    values: dict[str, dict[tuple[str, str], tuple[float | None, int]]] = {}
    for code, territory, value, cases in stored:
        values.setdefault(code, {})[(territory, year)] = (value, cases)
    # A territory's network profile, as its figures recorded it (the latest period wins).
    profiles = dict(
        IndicatorValue.objects.filter(
            code="identified", dimension="network_profile", territory__in=codes
        )
        .order_by("period")
        .values_list("territory", "key")
    )
    headers = [(t, f"{t} ({profiles[t]})" if profiles.get(t) else t) for t in codes]
    mark = primary_mark(scope.threshold)
    rows = []
    for indicator in indicators:
        own = values.get(indicator.code, {})
        hidden: dict[tuple[str, str], str] = {}
        if scope.suppress and counts_people(indicator):
            # Territories side by side: one line, its (unpublished) total checked too.
            transposed = {(year, t): v for (t, _y), v in own.items()}
            found = _hidden(indicator, [year], codes, transposed, None, scope.threshold)
            hidden = {(t, year): kind for (_y, t), kind in found.items() if t != YEAR}
        cells = []
        for code in codes:
            if (code, year) in hidden:
                cells.append(mark if hidden[(code, year)] == PRIMARY else SECONDARY_MARK)
            elif (code, year) in own:
                cells.append(format_value(indicator, own[(code, year)][0]))
            else:
                cells.append("0" if indicator.kind == "count" else "—")
        rows.append((indicator, cells))
    return Comparison(
        year, family, headers, [_("Indicator"), *(label for _c, label in headers)], rows
    )
