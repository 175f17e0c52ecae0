"""The evaluator's process analytics (evaluation.md part A): hub, process map, variants, one
pseudonymised timeline, survival, compliance, data quality and typology.

Evaluators only (:func:`scope.require_process`; everyone else gets 403). Every page reads the
snapshot through :func:`store.connect` (never the operational tables), shows the filter
stack, keeps the filters in every link and says so plainly when there is no snapshot yet.
The figures come from :mod:`.figures`, the same functions ``etage_analyse`` prints.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

import duckdb
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from etage.analytics import figures, process, store
from etage.analytics.filters import Filters
from etage.analytics.forms import (
    ATTRIBUTE_LABELS,
    FilterStackForm,
    activity_label,
    chips,
    filter_query,
    french_month,
    level_label,
    snapshot_choices,
    value_label,
)
from etage.analytics.layout import Activity, Arc, Layout, layered_layout
from etage.analytics.scope import AnalyticsScope, require_process
from etage.analytics.survival import ENDPOINTS, endpoint_labels
from etage.core.exports import csv_lines
from etage.organisations.models import OrganisationKind

NAV: tuple[tuple[str, Any], ...] = (
    ("analytics:process_hub", gettext_lazy("Overview")),
    ("analytics:process_map", gettext_lazy("Process map")),
    ("analytics:variants", gettext_lazy("Variants")),
    ("analytics:survival", gettext_lazy("Survival")),
    ("analytics:compliance", gettext_lazy("Reference pathway")),
    ("analytics:quality", gettext_lazy("Data quality")),
    ("analytics:typology", gettext_lazy("Pathway types")),
)
METRIC_LABELS: dict[str, Any] = {
    "frequency": gettext_lazy("Frequency only"),
    "median": gettext_lazy("Frequency and median duration"),
    "mean": gettext_lazy("Frequency and mean duration"),
    "p90": gettext_lazy("Frequency and 90th percentile of the duration"),
}
START, END = "__start__", "__end__"
_CASE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass
class Analysis:
    """What every page needs: the scope, the snapshot (or why there is none), the filters."""

    request: HttpRequest
    scope: AnalyticsScope
    filters: Filters
    con: duckdb.DuckDBPyConnection | None
    context: dict[str, Any] = field(default_factory=dict)
    #: The snapshot's manifest, read once by :func:`_open` (empty without a snapshot).
    manifest: dict[str, Any] = field(default_factory=dict)

    def render(self, template: str, **extra: Any) -> HttpResponse:
        return render(self.request, template, {**self.context, **extra})


def _open(
    request: HttpRequest,
    current: str,
    title: str,
    page_params: Sequence[tuple[str, str]] = (),
    *,
    with_charts: bool = False,
) -> Analysis:
    scope = require_process(request.user)
    read = Filters.from_query(request.GET)
    query = filter_query(read)
    context: dict[str, Any] = {
        "page_title": title,
        "filter_query": query,
        "page_params": list(page_params),
        "page_query": urlencode(list(page_params)),
        "filter_messages": list(read.messages),
        "with_charts": with_charts,
        "analysis_nav": [
            {"url": reverse(name), "label": label, "current": name == current}
            for name, label in NAV
        ],
    }
    try:
        con = store.connect()
        manifest = store.manifest()
    except store.SnapshotMissing as missing:
        context["missing"] = str(missing)
        return Analysis(request, scope, read, None, context)
    # The scope restricts the cases; the chips and links only ever carry the user's filters.
    cases = scope.cases(con)
    filters = replace(read, cases=cases) if cases is not None else read
    created = parse_datetime(str(manifest.get("created_at", "")))
    context.update(
        {
            "filter_form": FilterStackForm(read, snapshot_choices(con)),
            "filter_chips": chips(read, page_params),
            "filter_pairs": _pairs(read),
            "case_count": figures.case_count(con, filters),
            # The month only: with the exact day, a case's days observed would give back its
            # exact identification date (anchored time publishes months, schema.py).
            "snapshot_created": date_format(created, "F Y") if created else "",
        }
    )
    return Analysis(request, scope, filters, con, context, manifest)


def _pairs(filters: Filters) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for key, value in filters.to_query().items():
        out.extend((key, v) for v in ([value] if isinstance(value, str) else value))
    return out


def _days(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else number_format(value, digits)


def _pct(value: float | None) -> str:
    return "—" if value is None else number_format(100 * value, 1) + " %"


def hub(request: HttpRequest) -> HttpResponse:
    analysis = _open(request, "analytics:process_hub", _("Pathway analysis"))
    return analysis.render("analytics/process_hub.html")


# --- Process map --------------------------------------------------------------------------


def _metric(request: HttpRequest) -> str:
    value = request.GET.get("metric", "median")
    return value if value in METRIC_LABELS else "median"


def _slider(request: HttpRequest, name: str) -> int:
    default = str(figures.DEFAULT_SLIDERS.get(name, 100))
    return round(figures.share(request.GET.get(name, default)) * 100)


def map_layout(data: dict[str, Any], metric: str) -> Layout:
    """The map of :func:`figures.dfg`'s figures, with a start and an end box."""
    key = {"median": "median_days", "mean": "mean_days", "p90": "p90_days"}.get(metric)
    word = {"median": _("median"), "mean": _("mean"), "p90": "P90"}.get(metric, "")
    activities = [
        Activity(a["activity"], a["label"], a["count"], a["position"] or 0.0)
        for a in data["activities"]
    ]
    if not activities:
        return layered_layout([], [])
    last = max((a.position for a in activities), default=0.0)
    activities += [
        Activity(START, _("Start"), data["cases"], -1.0),
        Activity(END, _("End"), data["cases"], last + 1.0),
    ]
    arcs = []
    for edge in data["edges"]:
        label = number_format(edge["count"], 0, force_grouping=True)
        if key:
            label += " · " + _("%(word)s %(days)s d") % {
                "word": word,
                "days": _days(edge[key]),
            }
        title = _(
            "%(source)s → %(target)s: %(count)s times; mean %(mean)s d, median %(median)s d, "
            "P75 %(p75)s d, P90 %(p90)s d"
        ) % {
            "source": edge["source_label"],
            "target": edge["target_label"],
            "count": edge["count"],
            "mean": _days(edge["mean_days"]),
            "median": _days(edge["median_days"]),
            "p75": _days(edge["p75_days"]),
            "p90": _days(edge["p90_days"]),
        }
        arcs.append(Arc(edge["source"], edge["target"], edge["count"], label, title))
    for terminal, counts in ((START, data["starts"]), (END, data["ends"])):
        for activity, count in counts.items():
            name = activity_label(activity)
            source, target = (terminal, activity) if terminal == START else (activity, terminal)
            title = (
                _("%(count)s pathways start with %(activity)s")
                if terminal == START
                else _("%(count)s pathways end with %(activity)s")
            ) % {"count": count, "activity": name}
            arcs.append(Arc(source, target, count, str(count), title))
    return layered_layout(activities, arcs)


def process_map(request: HttpRequest) -> HttpResponse:
    metric = _metric(request)
    activities, paths = _slider(request, "activities"), _slider(request, "paths")
    params = [("activities", str(activities)), ("paths", str(paths)), ("metric", metric)]
    analysis = _open(request, "analytics:process_map", _("Process map"), params)
    extra: dict[str, Any] = {
        "activities_pct": activities,
        "paths_pct": paths,
        "metric": metric,
        "metric_label": METRIC_LABELS[metric],
        "metrics": list(METRIC_LABELS.items()),
        "fragment_url": reverse("analytics:process_map"),
        "export_url": _export_url("edges", analysis, params),
    }
    if analysis.con is not None:
        data = figures.dfg(
            analysis.con, analysis.filters, activity_share=activities / 100, path_share=paths / 100
        )
        extra.update({"figures": data, "map_layout": map_layout(data, metric)})
    htmx = getattr(request, "htmx", None)
    # Back-button restores ask for the whole page, not the fragment.
    if htmx and not htmx.history_restore_request and analysis.con is not None:
        return analysis.render("analytics/process_map_fragment.html", **extra)
    return analysis.render("analytics/process_map.html", **extra)


def _export_url(table: str, analysis: Analysis, params: Iterable[tuple[str, str]] = ()) -> str:
    query = urlencode([*_pairs(Filters.from_query(analysis.request.GET)), *params])
    url = reverse("analytics:process_export", kwargs={"table": table})
    return f"{url}?{query}" if query else url


# --- Variants and timelines ---------------------------------------------------------------


def variants(request: HttpRequest) -> HttpResponse:
    coverage = _slider(request, "coverage") if "coverage" in request.GET else 80
    params = [("coverage", str(coverage))]
    analysis = _open(request, "analytics:variants", _("Variants"), params)
    extra: dict[str, Any] = {
        "coverage": coverage,
        "export_url": _export_url("variants", analysis, params),
    }
    if analysis.con is not None:
        data = figures.variants(analysis.con, analysis.filters, coverage=coverage / 100)
        extra["figures"] = data
        extra["variant_rows"] = [
            {
                **v,
                "share_text": _pct(v["share"]),
                "cumulative_text": _pct(v["cumulative_share"]),
                "median_text": _days(v["median_days"]),
            }
            for v in data["variants"]
        ]
    return analysis.render("analytics/variants.html", **extra)


def variant_cases(request: HttpRequest, variant: str) -> HttpResponse:
    analysis = _open(request, "analytics:variants", _("Situations of a variant"))
    extra: dict[str, Any] = {"variant_id": variant}
    if analysis.con is not None:
        found = {v.id: v for v in process.variants(analysis.con, analysis.filters)}
        if variant not in found:
            # Not a 404: pseudonyms and variants change with the snapshot, links go stale.
            return analysis.render("analytics/variants_cases.html", not_found=True, **extra)
        extra.update(
            {
                "variant": found[variant],
                "labels": [activity_label(a) for a in found[variant].activities],
                "cases": process.variant_cases(analysis.con, analysis.filters, variant, 50),
            }
        )
    return analysis.render("analytics/variants_cases.html", **extra)


def timeline(request: HttpRequest, case_id: str) -> HttpResponse:
    analysis = _open(request, "analytics:variants", _("Pseudonymised pathway"))
    extra: dict[str, Any] = {"case_id": case_id}
    if analysis.con is not None:
        scoped = analysis.scope.cases(analysis.con)
        found = process.timeline(analysis.con, case_id) if _CASE_ID.match(case_id) else None
        if found is None or (scoped is not None and case_id not in scoped):
            # Not a 404: pseudonyms change with the snapshot, links go stale.
            return analysis.render("analytics/timeline.html", not_found=True, **extra)
        extra.update(timeline_context(found))
    return analysis.render("analytics/timeline.html", **extra)


def timeline_context(found: process.CaseTimeline) -> dict[str, Any]:
    """Attributes as labels and events as day offsets and relative months, never dates."""
    attributes = found.attributes
    labelled = []
    for column, value in attributes.items():
        if value in (None, ""):
            continue
        if column == "level":
            shown = level_label(str(value))
        elif column in ("identified_month", "closed_month"):
            shown = french_month(str(value))
        elif column == "entry_debt":
            shown = number_format(value, 0, force_grouping=True) + " €"
        elif column == "observed_until_day":
            shown = _("%(days)s days") % {"days": value}
        else:
            shown = value_label(column, str(value))
        labelled.append((TIMELINE_LABELS.get(column, ATTRIBUTE_LABELS.get(column, column)), shown))
    events = [
        {
            "label": activity_label(event.activity),
            "activity": event.activity,
            "category": event.category,
            "day": event.day,
            "month": event.day // 30 + 1 if event.day >= 0 else -((-event.day) // 30 + 1),
            "level": level_label(event.level) if event.level else "",
            "resource": str(RESOURCE_LABELS.get(event.resource, event.resource)),
        }
        for event in found.events
    ]
    return {"attributes": labelled, "events": events}


RESOURCE_LABELS: dict[str, Any] = dict(OrganisationKind.choices)
TIMELINE_LABELS: dict[str, Any] = {
    "territory": gettext_lazy("Territory"),
    "landlord": gettext_lazy("Landlord"),
    "level": gettext_lazy("Support level"),
    "entry_debt": gettext_lazy("Debt at entry (rounded)"),
    "identified_month": gettext_lazy("Month of identification"),
    "closed_month": gettext_lazy("Month of closure"),
    "observed_until_day": gettext_lazy("Observed for"),
}


# --- Survival -----------------------------------------------------------------------------


def survival_view(request: HttpRequest) -> HttpResponse:
    endpoint = request.GET.get("endpoint", "closure")
    endpoint = endpoint if endpoint in ENDPOINTS else "closure"
    group = request.GET.get("group", "")
    group = group if group in figures.GROUPS else ""
    params = [("endpoint", endpoint), ("group", group)]
    analysis = _open(request, "analytics:survival", _("Survival"), params, with_charts=True)
    extra: dict[str, Any] = {
        "endpoint": endpoint,
        "group": group,
        "endpoints": list(endpoint_labels().items()),
        "groups": [
            ("", _("No grouping")),
            ("level", _("Support level")),
            ("territory", _("Territory")),
        ],
        "export_url": _export_url("survival", analysis, params),
    }
    if analysis.con is not None:
        data = figures.survival_curves(
            analysis.con, analysis.filters, endpoint, group_by=group or None
        )
        extra.update(survival_context(data))
    return analysis.render("analytics/survival.html", **extra)


def survival_context(data: dict[str, Any]) -> dict[str, Any]:
    rows = [{"group": g["label"], **point} for g in data["groups"] for point in g["curve"]]
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": "container",
        "height": 320,
        "data": {"values": rows},
        "encoding": {
            "x": {"field": "day", "type": "quantitative", "title": _("Days since identification")},
            "color": {"field": "group", "type": "nominal", "title": _("Group")},
        },
        "layer": [
            {
                "mark": {"type": "area", "interpolate": "step-after", "opacity": 0.2},
                "encoding": {
                    "y": {
                        "field": "ci_lower",
                        "type": "quantitative",
                        "title": _("Share not yet reached"),
                    },
                    "y2": {"field": "ci_upper"},
                },
            },
            {
                "mark": {"type": "line", "interpolate": "step-after", "strokeWidth": 2},
                "encoding": {
                    "y": {"field": "survival", "type": "quantitative", "scale": {"domain": [0, 1]}},
                    "strokeDash": {"field": "group", "type": "nominal", "title": _("Group")},
                },
            },
        ],
    }
    incidence_rows = [
        {"outcome": c["label"], "day": p["day"], "incidence": p["incidence"]}
        for c in data["incidence"]
        for p in c["curve"]
    ]
    incidence_spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": "container",
        "height": 280,
        "data": {"values": incidence_rows},
        "mark": {"type": "line", "interpolate": "step-after"},
        "encoding": {
            "x": {"field": "day", "type": "quantitative", "title": _("Days since identification")},
            "y": {"field": "incidence", "type": "quantitative", "title": _("Cumulative incidence")},
            "color": {"field": "outcome", "type": "nominal", "title": _("Outcome")},
            "strokeDash": {"field": "outcome", "type": "nominal", "title": _("Outcome")},
        },
    }
    curve_rows = [
        [
            g["label"],
            _days(p["day"], 0),
            _pct(p["survival"]),
            f"{_pct(p['ci_lower'])} – {_pct(p['ci_upper'])}",
            p["at_risk"],
            p["events"],
            p["censored"],
        ]
        for g in data["groups"]
        for p in g["curve"]
    ]
    logrank = data["logrank"]
    verdict = ""
    if logrank is not None and logrank["p_value"] is not None:
        numbers = {
            "statistic": number_format(logrank["statistic"], 2),
            "df": logrank["degrees_of_freedom"],
            "p": number_format(logrank["p_value"], 4),
        }
        verdict = (
            _(
                "The curves differ more than chance would explain (log-rank test: "
                "chi² = %(statistic)s, %(df)s degrees of freedom, p = %(p)s < 0.05)."
            )
            if logrank["p_value"] < 0.05
            else _(
                "The difference between the curves could be due to chance (log-rank test: "
                "chi² = %(statistic)s, %(df)s degrees of freedom, p = %(p)s ≥ 0.05)."
            )
        ) % numbers
    return {
        "figures": data,
        "spec": spec,
        "columns": [
            _("Group"),
            _("Day"),
            _("Not yet reached"),
            _("95 percent confidence interval"),
            _("At risk"),
            _("Events"),
            _("Censored"),
        ],
        "rows": curve_rows,
        "incidence_spec": incidence_spec,
        "incidence_columns": [_("Outcome"), _("Day"), _("Cumulative incidence")],
        "incidence_rows": [
            [r["outcome"], _days(r["day"], 0), _pct(r["incidence"])] for r in incidence_rows
        ],
        "verdict": verdict,
    }


# --- CSV exports --------------------------------------------------------------------------


def export(request: HttpRequest, table: str) -> HttpResponse | StreamingHttpResponse:
    """One table of a page as CSV for French spreadsheets, with the page's filters and scope."""
    analysis = _open(request, "analytics:process_hub", "")
    if table not in EXPORTS:
        raise Http404
    if analysis.con is None:
        return analysis.render("analytics/process_hub.html")
    header, rows = EXPORTS[table](analysis)
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="analyse-{table}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _export_edges(analysis: Analysis) -> tuple[list[str], list[list[Any]]]:
    assert analysis.con is not None
    request = analysis.request
    data = figures.dfg(
        analysis.con,
        analysis.filters,
        activity_share=_slider(request, "activities") / 100,
        path_share=_slider(request, "paths") / 100,
    )
    header = [_("From"), _("To"), _("Times"), _("Mean (days)"), _("Median (days)"), "P75", "P90"]
    rows = [
        [
            e["source_label"],
            e["target_label"],
            e["count"],
            _days(e["mean_days"], 2),
            _days(e["median_days"], 2),
            _days(e["p75_days"], 2),
            _days(e["p90_days"], 2),
        ]
        for e in data["edges"]
    ]
    return header, rows


def _export_variants(analysis: Analysis) -> tuple[list[str], list[list[Any]]]:
    assert analysis.con is not None
    coverage = _slider(analysis.request, "coverage") if "coverage" in analysis.request.GET else 80
    data = figures.variants(analysis.con, analysis.filters, coverage=coverage / 100)
    header = [
        _("Variant"),
        _("Activities"),
        _("Situations"),
        _("Share"),
        _("Cumulative share"),
        _("Median duration (days)"),
    ]
    rows = [
        [
            v["id"],
            " → ".join(v["labels"]),
            v["cases"],
            _pct(v["share"]),
            _pct(v["cumulative_share"]),
            _days(v["median_days"]),
        ]
        for v in data["variants"]
    ]
    return header, rows


def _export_survival(analysis: Analysis) -> tuple[list[str], list[list[Any]]]:
    assert analysis.con is not None
    request = analysis.request
    endpoint = request.GET.get("endpoint", "closure")
    endpoint = endpoint if endpoint in ENDPOINTS else "closure"
    group = request.GET.get("group", "")
    group = group if group in figures.GROUPS else ""
    data = figures.survival_curves(analysis.con, analysis.filters, endpoint, group_by=group or None)
    context = survival_context(data)
    return [str(c) for c in context["columns"]], context["rows"]


EXPORTS = {
    "edges": _export_edges,
    "variants": _export_variants,
    "survival": _export_survival,
}


# --- Typology -----------------------------------------------------------------------------


def typology_view(request: HttpRequest) -> HttpResponse:
    from etage.analytics import typology

    k_raw = request.GET.get("k", "")
    k = int(k_raw) if k_raw.isdigit() and 1 <= int(k_raw) <= 8 else None
    params = [("k", str(k))] if k else []
    analysis = _open(request, "analytics:typology", _("Pathway types"), params)
    extra: dict[str, Any] = {"k": k or "", "k_choices": range(2, 9)}
    if analysis.con is not None:
        found: typology.Typology = cache.get_or_set(  # type: ignore[assignment]
            _snapshot_key("typology", analysis, k),
            lambda: typology.typology(analysis.con, analysis.filters, k=k),
            timeout=24 * 3600,
        )
        extra["typology"] = found
        extra["types"] = [
            {
                "type": t,
                "share": _pct(t.share),
                "median": _days(t.median_duration, 0),
                "examples": t.case_ids[:5],
            }
            for t in found.types
        ]
    return analysis.render("analytics/typology.html", **extra)


def _snapshot_key(kind: str, analysis: Analysis, *extra: Any) -> str:
    """A cache key that changes with the snapshot (its place, when it was written, its key
    fingerprint), the filters and the scope's cases, so a cached figure is never served for
    another selection or after the nightly snapshot."""
    manifest = analysis.manifest
    written = store.snapshot_dir() / "manifest.json"
    filters = analysis.filters
    cases = sorted(filters.cases) if filters.cases is not None else None
    material = json.dumps(
        [
            str(written),
            written.stat().st_mtime_ns,
            manifest.get("created_at"),
            manifest.get("key_fingerprint"),
            filters.to_query(),
            cases,
            list(extra),
        ],
        sort_keys=True,
        default=str,
    )
    return f"etage:analytics:{kind}:" + hashlib.sha256(material.encode()).hexdigest()


# --- Reference pathway and data quality ---------------------------------------------------


def compliance_view(request: HttpRequest) -> HttpResponse:
    from etage.analytics import compliance

    analysis = _open(request, "analytics:compliance", _("Reference pathway"))
    extra: dict[str, Any] = {"export_url": _export_url("compliance", analysis)}
    if analysis.con is not None:
        report = compliance.compliance(
            analysis.con, analysis.filters, compliance.active_rules(), deviation_limit=50
        )
        extra["rules"] = [
            {
                "rule": rule,
                "rate": _pct(rule.rate),
                "territories": [
                    (t.territory, t.measured, t.compliant, _pct(t.rate)) for t in rule.territories
                ],
                "deviations": [
                    (
                        d.case_id,
                        d.territory,
                        compliance.days_late_display(d.days_late),
                        d.reached,
                    )
                    for d in rule.deviations
                ],
            }
            for rule in report.rules
        ]
    return analysis.render("analytics/compliance.html", **extra)


def _export_compliance(analysis: Analysis) -> tuple[list[str], list[list[Any]]]:
    from etage.analytics import compliance

    assert analysis.con is not None
    report = compliance.compliance(analysis.con, analysis.filters, compliance.active_rules())
    header = [_("Rule"), _("Territory"), _("Situations measured"), _("Compliant"), _("Rate")]
    rows = [
        [rule.label, t.territory, t.measured, t.compliant, _pct(t.rate)]
        for rule in report.rules
        for t in rule.territories
    ]
    return header, rows


EXPORTS["compliance"] = _export_compliance


def quality_view(request: HttpRequest) -> HttpResponse:
    from etage.analytics import quality

    analysis = _open(request, "analytics:quality", _("Data quality"))
    extra: dict[str, Any] = {}
    if analysis.con is not None:
        extra["checks"] = quality.data_quality(analysis.con, analysis.filters)
    return analysis.render("analytics/quality.html", **extra)
