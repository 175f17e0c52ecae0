"""When the demo platforms meet: about once a month each over the history period (fewer in
Vénissieux, none in August, by video during the spring 2020 lockdown), planned in memory.
:mod:`etage.demo.history` holds each meeting on its day through the meetings services.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from etage.demo.plans import MEETING_PLACES

#: (weekday, which one in the month) of each platform's meeting: T1 the second Tuesday, T2
#: the second Thursday, T3 the third Tuesday.
MEETING_DAY: dict[str, tuple[int, int]] = {"T1": (1, 2), "T2": (3, 2), "T3": (1, 3)}
#: Share of months without a meeting (besides August): Vénissieux meets less often.
SKIP_SHARE: dict[str, float] = {"T1": 0.08, "T2": 0.35, "T3": 0.08}
LOCKDOWN = (dt.date(2020, 3, 17), dt.date(2020, 5, 10))
START_TIME, END_TIME = dt.time(14, 0), dt.time(16, 30)


@dataclass(eq=False)
class Slot:
    """One meeting of one platform, before and after it is held."""

    territory: str
    day: dt.date
    place: str = ""
    video_link: str = ""
    #: Situations whose story waits for this meeting to record its decision: id → story.
    waiting: dict[int, Any] = field(default_factory=dict)
    held: bool = False

    @property
    def starts_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.day, START_TIME))

    @property
    def ends_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.day, END_TIME))


def nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def next_weekday(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


class Schedule:
    """The meetings of every platform, in date order."""

    def __init__(self, rng: random.Random, starts: Mapping[str, dt.date], end: dt.date) -> None:
        self.slots: dict[str, list[Slot]] = {}
        for code in sorted(starts):
            weekday, n = MEETING_DAY[code]
            year, month = starts[code].year, starts[code].month
            slots = []
            while (year, month) <= (end.year, end.month):
                day = nth_weekday(year, month, weekday, n)
                skip = rng.random() < SKIP_SHARE[code]
                if month != 8 and not skip and starts[code] + dt.timedelta(days=14) <= day <= end:
                    video = LOCKDOWN[0] <= day <= LOCKDOWN[1]
                    slots.append(
                        Slot(
                            code,
                            day,
                            place="" if video else MEETING_PLACES[code],
                            video_link=f"https://visio.exemple.invalid/etage-{code.lower()}"
                            if video
                            else "",
                        )
                    )
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            self.slots[code] = slots

    def all(self) -> list[Slot]:
        return sorted((s for slots in self.slots.values() for s in slots), key=lambda s: s.day)

    def first_between(self, territory: str, earliest: dt.date, latest: dt.date) -> Slot | None:
        """The platform's first meeting still to be held from ``earliest`` to ``latest``."""
        for slot in self.slots.get(territory, []):
            if not slot.held and earliest <= slot.day <= latest:
                return slot
        return None

    def next_after(self, slot: Slot) -> Slot | None:
        slots = self.slots[slot.territory]
        index = slots.index(slot)
        return slots[index + 1] if index + 1 < len(slots) else None


def upcoming_day(territory: str, today: dt.date) -> dt.date:
    """The platform's next meeting after the real today: its usual weekday, a few days on."""
    weekday, _n = MEETING_DAY[territory]
    return next_weekday(today + dt.timedelta(days=4), weekday)
