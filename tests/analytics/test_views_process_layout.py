"""The process map's geometry (etage/analytics/layout.py), without Django or a snapshot."""

from __future__ import annotations

import re

import pytest

from etage.analytics.layout import Activity, Arc, layered_layout, stroke_width


def _numbers(path: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]


ACTIVITIES = [
    Activity("identify", "Situation identifiée", 40, 0.0),
    Activity("contact_reached", "Ménage joint", 30, 1.2),
    Activity("contact_unreachable", "Ménage injoignable", 8, 0.9),
    Activity("orient", "Orienter", 25, 2.4),
    Activity("close", "Clore", 12, 4.1),
]
ARCS = [
    Arc("identify", "contact_reached", 30, "30"),
    Arc("identify", "contact_unreachable", 8, "8"),
    Arc("contact_unreachable", "contact_reached", 3, "3"),
    Arc("contact_reached", "orient", 25, "25"),
    Arc("orient", "close", 12, "12"),
    Arc("orient", "identify", 2, "2"),  # back up
    Arc("orient", "orient", 1, "1"),  # repeated
    Arc("orient", "hidden", 5, "5"),  # hidden by the activity slider
]


def test_rows_follow_the_mean_position_in_the_traces() -> None:
    layout = layered_layout(ACTIVITIES, ARCS)
    rows = {a.key: a.row for a in layout.activities}
    # Positions 0.9 and 1.2 both round to 1: same row, same height.
    assert rows["contact_reached"] == rows["contact_unreachable"]
    assert rows["identify"] < rows["contact_reached"] < rows["orient"] < rows["close"]
    by_key = {a.key: a for a in layout.activities}
    assert by_key["contact_reached"].y == by_key["contact_unreachable"].y
    assert by_key["identify"].y < by_key["orient"].y < by_key["close"].y
    # Within a row, the most frequent comes first (left).
    assert by_key["contact_reached"].x < by_key["contact_unreachable"].x


def test_boxes_do_not_overlap_and_fit_in_the_drawing() -> None:
    layout = layered_layout(ACTIVITIES, ARCS)
    boxes = layout.activities
    for box in boxes:
        assert box.x >= 0
        assert box.x + box.width <= layout.width
        assert box.y >= 0
        assert box.y + box.height <= layout.height
    for i, first in enumerate(boxes):
        for second in boxes[i + 1 :]:
            apart = (
                first.x + first.width <= second.x
                or second.x + second.width <= first.x
                or first.y + first.height <= second.y
                or second.y + second.height <= first.y
            )
            assert apart, (first.key, second.key)
    for arc in layout.arcs:
        assert 0 <= arc.label_x <= layout.width
        assert 0 <= arc.label_y <= layout.height


def test_edges_run_from_their_source_to_their_target() -> None:
    layout = layered_layout(ACTIVITIES, ARCS)
    by_key = {a.key: a for a in layout.activities}
    arcs = {(a.source, a.target): a for a in layout.arcs}
    assert ("orient", "hidden") not in arcs
    assert len(arcs) == len(ARCS) - 1
    down = arcs[("contact_reached", "orient")]
    assert down.kind == "down"
    source, target = by_key["contact_reached"], by_key["orient"]
    # Leaves from the source's bottom side and enters the target's top side.
    assert source.x < down.start[0] < source.x + source.width
    assert down.start[1] == source.y + source.height
    assert target.x < down.end[0] < target.x + target.width
    assert down.end[1] == target.y
    numbers = _numbers(down.d)
    assert numbers[:2] == [pytest.approx(down.start[0], abs=0.1), down.start[1]]
    assert numbers[-2:] == [pytest.approx(down.end[0], abs=0.1), down.end[1]]
    assert arcs[("orient", "identify")].kind == "back"
    # A back edge leaves and re-enters on the right, beyond both boxes.
    back = _numbers(arcs[("orient", "identify")].d)
    assert back[2] > by_key["orient"].x + by_key["orient"].width
    assert arcs[("orient", "orient")].kind == "loop"
    assert arcs[("contact_unreachable", "contact_reached")].kind == "same-row"


def test_edges_leaving_one_box_start_apart_and_labels_do_not_overlap() -> None:
    fan = [Activity("a", "A", 10, 0.0)] + [Activity(f"b{i}", f"B{i}", 5, 1.0) for i in range(4)]
    arcs = [Arc("a", f"b{i}", 5 - i, f"{5 - i} · médiane 1,0 j") for i in range(4)]
    layout = layered_layout(fan, arcs)
    starts = sorted(arc.start[0] for arc in layout.arcs)
    assert len(set(starts)) == 4
    # Ports follow the order of the targets, so the edges do not cross at the box.
    by_target = {arc.target: arc.start[0] for arc in layout.arcs}
    boxes = {box.key: box.centre_x for box in layout.activities}
    assert sorted(by_target, key=by_target.__getitem__) == sorted(by_target, key=boxes.__getitem__)
    spots = [(arc.label_x, arc.label_y, len(arc.label)) for arc in layout.arcs]
    for i, (x1, y1, n1) in enumerate(spots):
        for x2, y2, n2 in spots[i + 1 :]:
            apart_x = abs(x1 - x2) >= 3.3 * (n1 + n2) + 6
            apart_y = abs(y1 - y2) >= 16
            assert apart_x or apart_y


def test_stroke_width_grows_with_frequency() -> None:
    layout = layered_layout(ACTIVITIES, ARCS)
    ordered = sorted(layout.arcs, key=lambda a: a.count)
    widths = [a.stroke_width for a in ordered]
    assert widths == sorted(widths)
    assert widths[0] < widths[-1]
    assert stroke_width(0, 0) == stroke_width(0, 10)
    assert stroke_width(10, 10) > stroke_width(1, 10)


def test_an_empty_map_is_an_empty_drawing() -> None:
    layout = layered_layout([], [Arc("a", "b", 1)])
    assert layout.activities == ()
    assert layout.arcs == ()
    assert layout.width > 0
    assert layout.height > 0


def test_the_layout_is_deterministic() -> None:
    assert layered_layout(ACTIVITIES, ARCS) == layered_layout(list(reversed(ACTIVITIES)), ARCS)
