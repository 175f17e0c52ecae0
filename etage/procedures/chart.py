"""Geometry of the arrears-balance chart, drawn as inline SVG on the server (no script, no
inline style: the CSP allows neither). Pure: dates and amounts in, coordinates out. The page
always shows the same figures as a table, which is what screen readers read."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 72, 44, 16, 40


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    on: dt.date
    amount: Decimal


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: float
    top: int
    bottom: float
    points: tuple[Point, ...]
    polyline: str
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    threshold_y: float | None
    maximum: Decimal


def euros(amount: Decimal | float) -> str:
    """1 234 € or 1 234,56 € (French grouping with a narrow no-break space); €1,234 or
    €1,234.56 when the interface is in English (the person's choice, accounts.User)."""
    from django.utils.translation import get_language

    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    text = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
    if (get_language() or "").startswith("en"):
        return ("-€" + text[1:]) if text.startswith("-") else "€" + text
    return text.replace(",", "\u202f").replace(".", ",") + "\u00a0€"


def _step(top: float) -> float:
    """A round step (1, 2 or 5 × 10^k) giving about four intervals up to ``top``."""
    raw = top / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover


def balance_chart(
    values: Sequence[tuple[dt.date, Decimal]], *, threshold: Decimal | None = None
) -> Chart | None:
    """The chart of ``values`` (date, amount), in date order; ``None`` when there is nothing
    to draw. ``threshold`` (2 months of rent) is drawn as a reference line."""
    if not values:
        return None
    values = sorted(values)
    highest = max([a for _, a in values] + ([threshold] if threshold else []))
    step = _step(float(highest)) if highest > 0 else 100.0
    top_value = step * max(math.ceil(float(highest) / step), 1)
    plot_right, plot_bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    plot_w, plot_h = plot_right - LEFT, plot_bottom - TOP
    first, last = values[0][0], values[-1][0]
    span = (last - first).days

    def x_of(day: dt.date) -> float:
        if span == 0:
            return LEFT + plot_w / 2
        return round(LEFT + plot_w * (day - first).days / span, 1)

    def y_of(amount: Decimal | float) -> float:
        return round(plot_bottom - plot_h * float(amount) / top_value, 1)

    points = tuple(Point(x_of(day), y_of(amount), day, amount) for day, amount in values)
    count = round(top_value / step)
    y_ticks = tuple(Tick(y_of(step * i), euros(step * i)) for i in range(count + 1))
    shown = list(points) if len(points) <= 6 else [points[0], points[len(points) // 2], points[-1]]
    x_ticks = tuple(Tick(p.x, p.on.strftime("%d/%m/%Y")) for p in shown)
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=plot_right,
        top=TOP,
        bottom=plot_bottom,
        points=points,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        threshold_y=y_of(threshold) if threshold else None,
        maximum=max(a for _, a in values),
    )
