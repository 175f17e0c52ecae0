"""The filter stack shared by every analytics view (evaluation.md part A).

A :class:`Filters` value says which cases (situations) and which events an analysis covers.
:func:`case_ids_sql` and :func:`events_sql` turn it into parameterised DuckDB SQL over the
snapshot views; every view, indicator and export restricts through them, so that a figure
on one page and the same figure on another always cover the same cases.

Order of events within a case is ``(timestamp, seq)`` everywhere (schema.py "Order").

Trace-based filters look at the case's *trace*: its events of the selected ``categories``,
in that order.

- ``followed_by = (A, B)`` keeps the cases where some A occurs strictly before some B in the
  trace (equal timestamps count in ``seq`` order). ``(A, A)`` means A occurs at least twice.
- ``never_followed_by = (A, B)`` keeps the cases whose trace contains A and has **no B after
  its first A** — exactly the cases with an A that ``followed_by = (A, B)`` does not keep.
  Cases without any A are not kept (the question is about what happens after A).
- ``min_days`` / ``max_days`` bound the case duration: from the first to the last event of
  the trace, in days (fractional), bounds included — the process-mining case duration.
- ``variant`` keeps the cases whose trace has that variant id (:func:`variant_id`).

Cases without any event of the selected categories have no trace: trace-based filters drop
them; the others keep them (they still count as situations).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.translation import gettext as _

from etage.analytics.schema import CATEGORIES, PROCESS_CATEGORIES

#: Situation columns a user may filter on ("attribute" filter), name → SQL expression over
#: the ``situations`` view aliased ``s``. A whitelist: the column name never comes from the
#: request, only its value, always as a parameter.
ATTRIBUTE_COLUMNS: dict[str, str] = {
    "status": "s.status",
    "source": "s.source",
    "urgency": "s.urgency",
    "entry_stage": "s.entry_stage",
    "contact_outcome": "s.contact_outcome",
    "orientation": "s.orientation",
    "outcome": "s.outcome",
    "housing_status": "s.housing_status",
    "network_profile": "s.network_profile",
    "referent_kind": "s.referent_kind",
    "resources_band": "s.resources_band",
    "holder_age_band": "s.holder_age_band",
    "commune_insee": "s.commune_insee",
}
#: Multi-valued column: the filter keeps cases whose list contains the value.
LIST_ATTRIBUTE_COLUMNS: dict[str, str] = {"difficulty": "s.difficulties"}

LEVEL_CODES = ("advice", "coordination", "agr")

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_CODE = re.compile(r"^[A-Za-z0-9_+.-]{1,64}$")
_VARIANT = re.compile(r"^[0-9a-f]{10}$")
#: Separator of activities when hashing a trace; cannot occur in an activity code.
TRACE_SEPARATOR = "\x1f"


def variant_id(activities: Sequence[str]) -> str:
    """Short stable id of an activity sequence (same in SQL: :data:`VARIANT_ID_SQL`)."""
    joined = TRACE_SEPARATOR.join(activities)
    return hashlib.md5(joined.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]


#: SQL of :func:`variant_id` for an aggregate over one case's events (aliases: activity,
#: timestamp, seq).
VARIANT_ID_SQL = "substr(md5(string_agg(activity, chr(31) ORDER BY timestamp, seq)), 1, 10)"


class QueryLike(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...


@dataclass(frozen=True)
class Filters:
    period_from: str | None = None  # "YYYY-MM" on identified_month, inclusive
    period_to: str | None = None
    territories: tuple[str, ...] = ()
    landlords: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()  # the situation's current (or last) level
    variant: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()  # (column, value); columns ANDed
    followed_by: tuple[str, str] | None = None
    never_followed_by: tuple[str, str] | None = None
    min_days: float | None = None
    max_days: float | None = None
    cases: frozenset[str] | None = None  # scope restriction, never read from a query
    categories: tuple[str, ...] = PROCESS_CATEGORIES
    #: Why values of the query were ignored (French, for the page); not part of equality.
    messages: tuple[str, ...] = field(default=(), compare=False, hash=False)

    @property
    def is_empty(self) -> bool:
        """True when no case is filtered out (categories and messages aside)."""
        return not (
            self.period_from
            or self.period_to
            or self.territories
            or self.landlords
            or self.levels
            or self.variant
            or self.attributes
            or self.followed_by
            or self.never_followed_by
            or self.min_days is not None
            or self.max_days is not None
            or self.cases is not None
        )

    @property
    def uses_trace(self) -> bool:
        return bool(
            self.variant
            or self.followed_by
            or self.never_followed_by
            or self.min_days is not None
            or self.max_days is not None
        )

    # -- query strings ---------------------------------------------------------------------

    @classmethod
    def from_query(cls, query: QueryLike | Mapping[str, Any]) -> Filters:
        """Read the query-string keys of :meth:`to_query`; invalid values are ignored and
        explained in :attr:`messages`."""
        messages: list[str] = []

        def values(key: str) -> list[str]:
            getlist = getattr(query, "getlist", None)
            raw = getlist(key) if getlist else query.get(key, [])
            if isinstance(raw, str):
                raw = [raw]
            return [str(v).strip() for v in raw or () if str(v).strip()]

        def one(key: str) -> str | None:
            found = values(key)
            return found[-1] if found else None

        def month(key: str) -> str | None:
            value = one(key)
            if value is None or _MONTH.match(value):
                return value
            messages.append(
                _("Ignored period “%(value)s”: expected a month YYYY-MM.") % {"value": value}
            )
            return None

        def codes(key: str, allowed: Iterable[str] | None = None) -> tuple[str, ...]:
            kept: list[str] = []
            allowed_set = set(allowed) if allowed is not None else None
            for value in values(key):
                if not _CODE.match(value) or (allowed_set is not None and value not in allowed_set):
                    messages.append(_("Ignored unknown value “%(value)s”.") % {"value": value[:64]})
                elif value not in kept:
                    kept.append(value)
            return tuple(kept)

        def days(key: str) -> float | None:
            value = one(key)
            if value is None:
                return None
            try:
                number = float(value.replace(",", "."))
            except ValueError:
                number = -1.0
            if number >= 0 and number == number and number != float("inf"):
                return number
            messages.append(
                _("Ignored duration “%(value)s”: expected a number of days.")
                % {"value": value[:32]}
            )
            return None

        def pair(prefix: str) -> tuple[str, str] | None:
            a, b = one(f"{prefix}_a"), one(f"{prefix}_b")
            if a is None and b is None:
                return None
            if a and b and _CODE.match(a) and _CODE.match(b):
                return (a, b)
            messages.append(_("Ignored an incomplete “followed by” filter: choose two activities."))
            return None

        attributes: list[tuple[str, str]] = []
        for raw in values("attr"):
            column, _sep, value = raw.partition(":")
            known = column in ATTRIBUTE_COLUMNS or column in LIST_ATTRIBUTE_COLUMNS
            if known and value and len(value) <= 64:
                attributes.append((column, value))
                continue
            messages.append(_("Ignored attribute filter “%(value)s”.") % {"value": raw[:64]})
        variant = one("variant")
        if variant is not None and not _VARIANT.match(variant):
            messages.append(_("Ignored unknown variant “%(value)s”.") % {"value": variant[:32]})
            variant = None
        categories = codes("category", CATEGORIES) or PROCESS_CATEGORIES
        period_from, period_to = month("period_from"), month("period_to")
        min_days, max_days = days("min_days"), days("max_days")
        if min_days is not None and max_days is not None and min_days > max_days:
            messages.append(_("Ignored the duration thresholds: the minimum exceeds the maximum."))
            min_days = max_days = None
        return cls(
            period_from=period_from,
            period_to=period_to,
            territories=codes("territory"),
            landlords=codes("landlord"),
            levels=codes("level", LEVEL_CODES),
            variant=variant,
            attributes=tuple(attributes),
            followed_by=pair("followed_by"),
            never_followed_by=pair("never_followed_by"),
            min_days=min_days,
            max_days=max_days,
            categories=categories,
            messages=tuple(messages),
        )

    def to_query(self) -> dict[str, str | list[str]]:
        """Query-string form (``urlencode(…, doseq=True)``); ``cases`` is never included."""
        out: dict[str, str | list[str]] = {}
        if self.period_from:
            out["period_from"] = self.period_from
        if self.period_to:
            out["period_to"] = self.period_to
        if self.territories:
            out["territory"] = list(self.territories)
        if self.landlords:
            out["landlord"] = list(self.landlords)
        if self.levels:
            out["level"] = list(self.levels)
        if self.variant:
            out["variant"] = self.variant
        if self.attributes:
            out["attr"] = [f"{column}:{value}" for column, value in self.attributes]
        for prefix, pair in (
            ("followed_by", self.followed_by),
            ("never_followed_by", self.never_followed_by),
        ):
            if pair:
                out[f"{prefix}_a"], out[f"{prefix}_b"] = pair
        if self.min_days is not None:
            out["min_days"] = _number(self.min_days)
        if self.max_days is not None:
            out["max_days"] = _number(self.max_days)
        if tuple(self.categories) != PROCESS_CATEGORIES:
            out["category"] = list(self.categories)
        return out


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _in(expression: str, values: Sequence[str], params: list[Any]) -> str:
    params.extend(values)
    return f"{expression} IN ({', '.join('?' for _ in values)})"


def _categories(filters: Filters) -> tuple[str, ...]:
    # An unknown category is a programming error: the query reader only lets known ones in.
    unknown = set(filters.categories) - set(CATEGORIES)
    if unknown:
        raise ValueError(f"Unknown event categories: {sorted(unknown)}")
    return tuple(filters.categories) or PROCESS_CATEGORIES


def case_ids_sql(filters: Filters) -> tuple[str, list[Any]]:
    """``SELECT case_id FROM …`` (one row per kept case) and its ``?`` parameters."""
    params: list[Any] = []
    where: list[str] = []
    if filters.period_from:
        where.append("s.identified_month >= ?")
        params.append(filters.period_from)
    if filters.period_to:
        where.append("s.identified_month <= ?")
        params.append(filters.period_to)
    if filters.territories:
        where.append(_in("s.territory", filters.territories, params))
    if filters.landlords:
        where.append(_in("s.landlord", filters.landlords, params))
    if filters.levels:
        where.append(_in("s.level", filters.levels, params))
    by_column: dict[str, list[str]] = {}
    for column, value in filters.attributes:
        by_column.setdefault(column, []).append(value)
    for column, wanted in by_column.items():
        if column in ATTRIBUTE_COLUMNS:
            # Several values of one column: any of them; different columns: all of them.
            where.append(_in(ATTRIBUTE_COLUMNS[column], wanted, params))
        elif column in LIST_ATTRIBUTE_COLUMNS:
            parts = [f"list_contains({LIST_ATTRIBUTE_COLUMNS[column]}, ?)" for _ in wanted]
            params.extend(wanted)
            where.append("(" + " OR ".join(parts) + ")")
        else:
            raise ValueError(f"Attribute not in the whitelist: {column!r}")
    if filters.cases is not None:
        where.append("s.case_id IN (SELECT unnest(?::VARCHAR[]))")
        params.append(sorted(filters.cases))
    # Only whitelisted expressions and "?" placeholders reach the text.
    situations = "SELECT s.case_id FROM situations s" + (  # noqa: S608
        " WHERE " + " AND ".join(where) if where else ""
    )
    if not filters.uses_trace:
        return situations, params
    return _trace_filtered(filters, situations, params)


def _trace_filtered(filters: Filters, situations: str, params: list[Any]) -> tuple[str, list[Any]]:
    categories = _categories(filters)
    inner_params: list[Any] = list(categories)
    needs_position = bool(filters.followed_by or filters.never_followed_by)
    position = (
        ", row_number() OVER (PARTITION BY case_id ORDER BY timestamp, seq) AS pos"
        if needs_position
        else ""
    )
    trace = (
        f"SELECT case_id, activity, timestamp, seq{position} FROM events "  # noqa: S608
        f"WHERE category IN ({', '.join('?' for _ in categories)}) "
        f"AND case_id IN ({situations})"
    )
    inner_params.extend(params)
    aggregates: list[str] = []
    conditions: list[str] = []
    outer_params: list[Any] = []
    agg_params: list[Any] = []
    if filters.followed_by:
        a, b = filters.followed_by
        aggregates.append(
            "min(pos) FILTER (WHERE activity = ?) AS fb_first_a, "
            "max(pos) FILTER (WHERE activity = ?) AS fb_last_b"
        )
        agg_params.extend([a, b])
        conditions.append("fb_first_a < fb_last_b")
    if filters.never_followed_by:
        a, b = filters.never_followed_by
        aggregates.append(
            "min(pos) FILTER (WHERE activity = ?) AS nf_first_a, "
            "max(pos) FILTER (WHERE activity = ?) AS nf_last_b"
        )
        agg_params.extend([a, b])
        conditions.append(
            "nf_first_a IS NOT NULL AND (nf_last_b IS NULL OR nf_last_b <= nf_first_a)"
        )
    if filters.min_days is not None or filters.max_days is not None:
        aggregates.append("(epoch(max(timestamp)) - epoch(min(timestamp))) / 86400.0 AS duration")
        if filters.min_days is not None:
            conditions.append("duration >= ?")
            outer_params.append(float(filters.min_days))
        if filters.max_days is not None:
            conditions.append("duration <= ?")
            outer_params.append(float(filters.max_days))
    if filters.variant:
        aggregates.append(f"{VARIANT_ID_SQL} AS variant")
        conditions.append("variant = ?")
        outer_params.append(filters.variant)
    sql = (
        f"SELECT case_id FROM (SELECT case_id, {', '.join(aggregates)} "  # noqa: S608
        f"FROM ({trace}) GROUP BY case_id) WHERE {' AND '.join(conditions)}"
    )
    return sql, agg_params + inner_params + outer_params


def events_sql(
    filters: Filters, columns: str = "*", *, restrict: bool = True
) -> tuple[str, list[Any]]:
    """``SELECT <columns> FROM events …`` restricted to the kept cases and the categories,
    unordered (order by ``case_id, timestamp, seq`` where order matters). ``restrict=False``:
    the categories only, for a caller that restricts to :func:`case_ids_sql` itself."""
    if not re.fullmatch(r"\*|[a-z_]+(, ?[a-z_]+)*", columns):
        raise ValueError(f"Invalid column list: {columns!r}")
    categories = _categories(filters)
    if not restrict:
        marks = ", ".join("?" for _ in categories)
        return f"SELECT {columns} FROM events WHERE category IN ({marks})", [*categories]  # noqa: S608
    cases, params = case_ids_sql(filters)
    sql = (
        f"SELECT {columns} FROM events WHERE "  # noqa: S608
        f"category IN ({', '.join('?' for _ in categories)}) AND case_id IN ({cases})"
    )
    return sql, [*categories, *params]
