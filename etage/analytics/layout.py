"""The geometry of the process map, as a pure function (no Django, no DuckDB), so that the
server draws an SVG that needs no script and the layout can be tested on its own.

Activities are laid out in rows by their mean position in the traces (the first activities
of a pathway on top, the last ones at the bottom), the most frequent first within a row.
Edges are cubic paths: downwards between rows, a dip under the row between activities of the
same row, a detour on the right for edges going back up (loops of the pathway), and a small
loop for an activity repeated. Stroke width grows with frequency; the numbers are always
written on the edge, so no meaning rests on width or colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

NODE_WIDTH = 190
NODE_HEIGHT = 46
H_GAP = 70
V_GAP = 96
MARGIN = 24
#: Room on the right for the edges going back up.
BACK_LANE = 220
MIN_STROKE = 1.5
MAX_STROKE = 8.0


@dataclass(frozen=True)
class Activity:
    """An activity to place: ``position`` is its mean rank in the traces (0 = first)."""

    key: str
    label: str
    count: int
    position: float


@dataclass(frozen=True)
class Arc:
    """An edge to draw, with its label (on the path) and title (tooltip) already written."""

    source: str
    target: str
    count: int
    label: str = ""
    title: str = ""


@dataclass(frozen=True)
class PlacedActivity:
    key: str
    label: str
    count: int
    row: int
    x: float  # top-left corner
    y: float
    width: float
    height: float

    @property
    def centre_x(self) -> float:
        return self.x + self.width / 2

    @property
    def centre_y(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class PlacedArc:
    source: str
    target: str
    count: int
    label: str
    title: str
    kind: str  # "down", "same-row", "back", "loop"
    d: str  # SVG path data
    start: tuple[float, float]
    end: tuple[float, float]
    label_x: float
    label_y: float
    stroke_width: float


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    activities: tuple[PlacedActivity, ...]
    arcs: tuple[PlacedArc, ...]


def _rows(activities: Sequence[Activity]) -> list[list[Activity]]:
    """Activities grouped by their rounded mean position, rows in position order."""
    by_row: dict[int, list[Activity]] = {}
    for activity in activities:
        by_row.setdefault(round(activity.position), []).append(activity)
    return [
        sorted(by_row[key], key=lambda a: (-a.count, a.position, a.key)) for key in sorted(by_row)
    ]


def stroke_width(count: int, highest: int) -> float:
    """Width by frequency, on a square-root scale so that rare paths stay visible."""
    if highest <= 0:
        return MIN_STROKE
    share = max(0.0, min(1.0, count / highest))
    return round(MIN_STROKE + (MAX_STROKE - MIN_STROKE) * math.sqrt(share), 2)


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _curve(*points: tuple[float, float]) -> str:
    """SVG path data of a cubic curve through four points (start, two controls, end)."""
    (x1, y1), (c1x, c1y), (c2x, c2y), (x2, y2) = points
    return (
        f"M {_fmt(x1)} {_fmt(y1)} C {_fmt(c1x)} {_fmt(c1y)}, "
        f"{_fmt(c2x)} {_fmt(c2y)}, {_fmt(x2)} {_fmt(y2)}"
    )


def _ports(
    arcs: Sequence[Arc], placed: dict[str, PlacedActivity]
) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], float]]:
    """Where each downward edge leaves its source's bottom and enters its target's top:
    spread along the side in the order of the other end, so that edges do not cross at the
    box and their labels do not pile up."""
    down = [a for a in arcs if placed[a.target].row > placed[a.source].row]
    out_port: dict[tuple[str, str], float] = {}
    in_port: dict[tuple[str, str], float] = {}
    for ports, end, other in ((out_port, "source", "target"), (in_port, "target", "source")):
        groups: dict[str, list[Arc]] = {}
        for arc in down:
            groups.setdefault(getattr(arc, end), []).append(arc)
        for key, group in groups.items():
            box = placed[key]
            group.sort(key=lambda a: (placed[getattr(a, other)].centre_x, getattr(a, other)))
            for index, arc in enumerate(group):
                share = (index + 1) / (len(group) + 1)
                ports[(arc.source, arc.target)] = box.x + box.width * (0.2 + 0.6 * share)
    return out_port, in_port


def _free_spot(
    x: float,
    y: float,
    text: str,
    taken: list[tuple[float, float, float, float]],
    height: float,
) -> tuple[float, float]:
    """A place near (x, y) where the label overlaps no box and no label already placed
    (the most frequent edges are labelled first); it is then taken."""
    half = 3.3 * len(text) + 3
    for shift in (0, 15, -15, 30, -30, 45, -45, 60, -60):
        top = min(max(y + shift, MARGIN), height - 4)
        box = (x - half, top - 12, x + half, top + 4)
        if not any(
            box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]
            for other in taken
        ):
            taken.append(box)
            return x, top
    taken.append((x - half, y - 12, x + half, y + 4))
    return x, y


def layered_layout(activities: Sequence[Activity], arcs: Sequence[Arc]) -> Layout:
    """Place ``activities`` and route ``arcs`` between them. Arcs naming an activity that is
    not in ``activities`` are left out (the activity slider may have hidden it)."""
    rows = _rows(activities)
    widest = max((len(row) for row in rows), default=0)
    inner_width = widest * NODE_WIDTH + max(widest - 1, 0) * H_GAP
    width = 2 * MARGIN + inner_width + BACK_LANE
    height = 2 * MARGIN + len(rows) * NODE_HEIGHT + max(len(rows) - 1, 0) * V_GAP + 40
    placed: dict[str, PlacedActivity] = {}
    for index, row in enumerate(rows):
        row_width = len(row) * NODE_WIDTH + (len(row) - 1) * H_GAP
        left = MARGIN + (inner_width - row_width) / 2
        top = MARGIN + index * (NODE_HEIGHT + V_GAP)
        for slot, activity in enumerate(row):
            placed[activity.key] = PlacedActivity(
                key=activity.key,
                label=activity.label,
                count=activity.count,
                row=index,
                x=left + slot * (NODE_WIDTH + H_GAP),
                y=top,
                width=NODE_WIDTH,
                height=NODE_HEIGHT,
            )
    kept = [arc for arc in arcs if arc.source in placed and arc.target in placed]
    highest = max((arc.count for arc in kept), default=0)
    out_port, in_port = _ports(kept, placed)
    obstacles: list[tuple[float, float, float, float]] = [
        (box.x, box.y, box.x + box.width, box.y + box.height) for box in placed.values()
    ]
    # Parallel back edges would overlap: each gets its own lane further right.
    back_lane = 0
    routed: list[PlacedArc] = []
    for arc in sorted(kept, key=lambda a: (-a.count, a.source, a.target)):
        source, target = placed[arc.source], placed[arc.target]
        if source.key == target.key:
            kind = "loop"
            x1, y1 = source.x + source.width, source.centre_y - 10
            x2, y2 = source.x + source.width, source.centre_y + 10
            d = _curve((x1, y1), (x1 + 48, y1 - 26), (x2 + 48, y2 + 26), (x2, y2))
            label_x, label_y = x1 + 42, source.centre_y + 4
        elif target.row > source.row:
            kind = "down"
            x1, y1 = out_port[(arc.source, arc.target)], source.y + source.height
            x2, y2 = in_port[(arc.source, arc.target)], target.y
            bend = (y2 - y1) / 2
            d = _curve((x1, y1), (x1, y1 + bend), (x2, y2 - bend), (x2, y2))
            label_x, label_y = (x1 + x2) / 2, (y1 + y2) / 2
        elif target.row == source.row:
            kind = "same-row"
            x1, y1 = source.centre_x + 20, source.y + source.height
            x2, y2 = target.centre_x - 20, target.y + target.height
            dip = 40
            d = _curve((x1, y1), (x1, y1 + dip), (x2, y2 + dip), (x2, y2))
            label_x, label_y = (x1 + x2) / 2, y1 + 0.75 * dip + 12
        else:
            kind = "back"
            back_lane += 1
            x1, y1 = source.x + source.width, source.centre_y
            x2, y2 = target.x + target.width, target.centre_y
            reach = MARGIN + inner_width - max(x1, x2) + 20 + 14 * min(back_lane, 8)
            d = _curve((x1, y1), (x1 + reach, y1), (x2 + reach, y2), (x2, y2))
            label_x, label_y = (x1 + x2) / 2 + 0.75 * reach, (y1 + y2) / 2
        label_x, label_y = _free_spot(label_x, label_y, arc.label, obstacles, height)
        routed.append(
            PlacedArc(
                source=arc.source,
                target=arc.target,
                count=arc.count,
                label=arc.label,
                title=arc.title,
                kind=kind,
                d=d,
                start=(x1, y1),
                end=(x2, y2),
                label_x=round(label_x, 1),
                label_y=round(label_y, 1),
                stroke_width=stroke_width(arc.count, highest),
            )
        )
    # The widest edges first, so that thin ones stay visible on top of them.
    routed.sort(key=lambda a: (-a.count, a.source, a.target))
    return Layout(
        width=round(width, 1),
        height=round(height, 1),
        activities=tuple(placed[key] for row in rows for key in (a.key for a in row)),
        arcs=tuple(routed),
    )
