"""Closed-period figures that must survive anonymisation (data-protection.md #12: "indicators
survive as anonymised statistics").

A minimal set, at the precision anonymisation keeps (month, codes, amounts): for situations
that ended (closed or archived), per territory and month of closure, how many per outcome and
support level, the mean duration from identification to closure in months, and the total
debts at entry and exit. Issue 8 builds the indicator suite; this is what the retention tests
compare before and after a purge.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from etage.situations.choices import Status

ENDED = (Status.CLOSED, Status.ARCHIVED)


@dataclass(frozen=True)
class EndedRow:
    territory: str
    identified_on: dt.date
    closed_on: dt.date
    outcome: str
    level: str
    entry_debt: Decimal | None
    exit_debt: Decimal | None


@dataclass(frozen=True)
class ClosedPeriodFigures:
    #: (territory, "YYYY-MM" of closure, outcome, level) → situations.
    counts: dict[tuple[str, str, str, str], int]
    #: territory → mean months from identification to closure (2 decimals).
    mean_months: dict[str, Decimal]
    #: territory → (total debt at entry, total debt at exit).
    debts: dict[str, tuple[Decimal, Decimal]]


def _months(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def closed_period_figures(rows: Iterable[EndedRow]) -> ClosedPeriodFigures:
    """Pure: the figures of ``rows``."""
    counts: Counter[tuple[str, str, str, str]] = Counter()
    durations: dict[str, list[int]] = defaultdict(list)
    debts: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in rows:
        counts[(row.territory, f"{row.closed_on:%Y-%m}", row.outcome, row.level)] += 1
        durations[row.territory].append(_months(row.identified_on, row.closed_on))
        debts[row.territory][0] += row.entry_debt or 0
        debts[row.territory][1] += row.exit_debt or 0
    return ClosedPeriodFigures(
        counts=dict(counts),
        mean_months={
            territory: (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01"))
            for territory, values in durations.items()
        },
        debts={territory: (pair[0], pair[1]) for territory, pair in debts.items()},
    )


def ended_rows(*, closed_from: dt.date, closed_to: dt.date) -> list[EndedRow]:
    """The situations that ended between the first of ``closed_from``'s month and the end
    of ``closed_to``'s month (month precision, as anonymised rows keep it)."""
    from etage.situations.models import Situation

    first = closed_from.replace(day=1)
    rows = Situation.objects.filter(
        status__in=ENDED, closed_on__gte=first, closed_on__isnull=False
    ).values_list(
        "platform__territory__code",
        "identified_on",
        "closed_on",
        "outcome",
        "level",
        "entry_debt",
        "exit_debt",
    )
    ended: list[EndedRow] = []
    for territory, identified_on, closed_on, outcome, level, entry_debt, exit_debt in rows:
        if closed_on is None or (closed_on.year, closed_on.month) > (
            closed_to.year,
            closed_to.month,
        ):
            continue
        ended.append(
            EndedRow(territory, identified_on, closed_on, outcome, level, entry_debt, exit_debt)
        )
    return ended
